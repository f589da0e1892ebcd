// `kairo`: the core without a window. JSON results on stdout, human text on stderr, and a
// one-line error with a non-zero exit status on bad input, so scripts can rely on all three.
import { resolve } from 'node:path';
import { Core } from '../core.ts';
import { defaultWorkspace } from '../paths.ts';
import { cliContext } from './context.ts';
import { KairoError, toErrorValue } from '../errors.ts';
import { startHost } from '../host/server.ts';
import { hostToken, startStableHost } from '../host/stable.ts';
import { cliCommands } from '../labs/index.ts';
import type { LabCommand } from '../labs/lab.ts';
import { readSession } from '../session/session.ts';
import { sessionSummary } from '../session/summary.ts';
import { APP_VERSION } from '../version.ts';
import { intFlag, parseArgs } from '../labs/kit/args.ts';

const usage = (labs: LabCommand[]) => `usage: kairo <command> [options]

  info                                   backend and version, as JSON
  session inspect FILE [--manifest]      validate a .kairo session and summarise it (--manifest: every setting
                                         and result, and each tensor's shape)
  serve [--port N] [--workspace DIR]     serve the app to a browser on 127.0.0.1 (port 5199 or the next free one, the
                                         token kept in the config directory); files only inside DIR
                                         (default KAIRO_WORKSPACE, else ~/Documents)
${labs.map((l) => l.usage).join('\n')}

Results are JSON on stdout; messages go to stderr.`;

const VALUED = new Set(['port', 'workspace']);
const SWITCHES = new Set(['help', 'version', 'manifest']);

const out = (v: unknown) => process.stdout.write(JSON.stringify(v, null, 2) + '\n');

export async function main(argv: string[]): Promise<number> {
  // Lab commands own their flags.
  const labs = await cliCommands();
  const lab = labs.get(argv[0] ?? '');
  if (lab && !argv.includes('--help')) {
    // The one core of this process: every lab command runs through it.
    // The CLI's files (`--out`, `--session`) stay out of the app's Recent list.
    const core = new Core({ platform: { carrier: 'web' }, recent: false });
    try {
      return await lab.run(parseArgs(argv.slice(1), lab.valued, lab.switches), out, cliContext(core));
    } finally {
      await core.shutdown();
    }
  }
  const args = parseArgs(argv, VALUED, SWITCHES);
  const [cmd, sub, ...rest] = args.positional;
  if (args.flags.has('version')) {
    out({ version: APP_VERSION });
    return 0;
  }
  if (!cmd || args.flags.has('help')) {
    process.stderr.write(usage([...labs.values()]) + '\n');
    return cmd || args.flags.has('help') ? 0 : 2;
  }
  const noMore = (n: number) => {
    const extra = args.positional.slice(n);
    if (extra.length) throw new KairoError('invalid_input', `unexpected argument ${JSON.stringify(extra[0])}`);
  };
  if (args.flags.has('manifest') && cmd !== 'session')
    throw new KairoError('invalid_input', '--manifest is an option of kairo session inspect');
  switch (cmd) {
    case 'info': {
      noMore(1);
      // The CLI's files (`--out`, `--session`) stay out of the app's Recent list.
      const core = new Core({ platform: { carrier: 'web' }, recent: false });
      const info = await core.call('app.info', {});
      out({
        version: info.version,
        backend: info.backend.name,
        threads: info.backend.threads,
        simd: info.backend.simd,
        fma: info.backend.fma,
        adapter: info.backend.adapter,
        backends_tried: info.backend.tried,
      });
      return 0;
    }
    case 'session': {
      if (sub !== 'inspect' || rest.length !== 1)
        throw new KairoError('invalid_input', 'usage: kairo session inspect FILE [--manifest]');
      const s = readSession(rest[0]!);
      if (!args.flags.has('manifest')) {
        out(sessionSummary(rest[0]!, s));
        return 0;
      }
      const tensors = Object.fromEntries(Object.entries(s.tensors).map(([k, t]) => [k, { dtype: t.dtype, shape: t.shape }]));
      out({ saved_at: s.savedAt, signed: s.signed, labs: s.labs, tensors });
      return 0;
    }
    case 'serve': {
      noMore(1);
      const ws = args.flags.get('workspace');
      // Without --port: the same port and token at every start (a reload or bookmark keeps working).
      const workspace = typeof ws === 'string' ? ws : undefined;
      const host = args.flags.has('port')
        ? await startHost({ port: intFlag(args, 'port', 0, 0, 65535), workspace, token: hostToken() })
        : await startStableHost({ workspace });
      process.stderr.write(
        // The URL itself is printed once, in the JSON below (what scripts read).
        `Kairo is running: open the "url" below in a browser (Ctrl+C stops; files are read and saved in ${resolve(workspace ?? defaultWorkspace())})\n`,
      );
      out({ url: host.url, port: host.port });
      const stop = () => void host.close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      return new Promise<number>(() => {}); // runs until a signal
    }
    default:
      throw new KairoError('invalid_input', `unknown command ${JSON.stringify(cmd)}; run "kairo --help"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const v = toErrorValue(e);
    process.stderr.write(`kairo: error: ${v.message}\n`);
    // 2: anything the user can act on (bad input, a file that cannot be read or written); 1: a bug;
    // 130: stopped by a signal (SIGINT or SIGTERM cancelled the job), as shells report an interrupt.
    process.exit(v.code === 'internal' ? 1 : v.code === 'cancelled' ? 130 : 2);
  },
);
