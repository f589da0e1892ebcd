// `npm run dist [-- electron-builder flags]`: build the bundles, run electron-builder, then list
// each artefact with its size. electron-builder downloads the Electron binary (and its packaging
// tools) from github.com; offline that ends in a 40-second retry and a stack trace, so first
// check what it will need and, if it cannot get it, say so in one line.
import { spawn, spawnSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { listArtefacts } from './packed-files.mjs';

const args = process.argv.slice(2);
const noBuild = args.includes('--no-build');
const builderArgs = args.filter((a) => a !== '--no-build');
const fail = (msg) => {
  console.error(`npm run dist: ${msg}`);
  process.exit(1);
};
const run = (cmd, cmdArgs) => {
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

const electronVersion = JSON.parse(readFileSync('node_modules/electron/package.json', 'utf8')).version;
const platforms = [
  ['--linux', 'linux'],
  ['--mac', 'darwin'],
  ['--win', 'win32'],
]
  .filter(([f]) => builderArgs.includes(f))
  .map(([, p]) => p);
const arches = ['x64', 'arm64', 'ia32', 'armv7l'].filter((a) => builderArgs.includes(`--${a}`));
const needed = (platforms.length ? platforms : [process.platform]).flatMap((p) =>
  (arches.length ? arches : [process.arch]).map((a) => `electron-v${electronVersion}-${p}-${a}.zip`),
);

/** @electron/get's cache: ELECTRON_CACHE, else the platform's cache folder; zips sit one folder down. */
function cacheDir() {
  if (process.env.ELECTRON_CACHE) return process.env.ELECTRON_CACHE;
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'electron');
  if (process.platform === 'win32')
    return join(process.env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'electron', 'Cache');
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'electron');
}
const cached = (zip) => {
  const dir = cacheDir();
  if (!existsSync(dir)) return false;
  return existsSync(join(dir, zip)) || readdirSync(dir).some((d) => existsSync(join(dir, d, zip)));
};

const ownDist =
  builderArgs.some((a) => a.startsWith('-c.electronDist=')) ||
  /^electronDist:/m.test(readFileSync('electron-builder.yml', 'utf8'));
if (!ownDist && !process.env.ELECTRON_MIRROR) {
  const missing = needed.filter((z) => !cached(z));
  let offline = null;
  await lookup('github.com').catch((e) => (offline = e.code ?? String(e)));
  if (offline && missing.length) {
    fail(
      `electron-builder needs ${missing.join(', ')} (and its packaging tools) from github.com, which does not resolve here (${offline}); ` +
        `checked the Electron cache ${cacheDir()}: not there. Go online, put the zip there, or set ELECTRON_MIRROR or -c.electronDist=<unpacked Electron>.`,
    );
  }
}

if (!noBuild) {
  run('npm', ['run', '--silent', 'build']);
  run('npm', ['run', '--silent', 'build:electron']);
}
const started = Date.now();
// electron-builder's progress goes through as it comes; an error line (⨯) ends that, so its stack
// trace is not printed and the error becomes one line.
let error = null;
const child = spawn(
  process.execPath,
  ['node_modules/electron-builder/cli.js', '--config', 'electron-builder.yml', ...builderArgs],
  { stdio: ['inherit', 'pipe', 'pipe'] },
);
for (const [stream, sink] of [
  [child.stdout, process.stdout],
  [child.stderr, process.stderr],
]) {
  createInterface({ input: stream }).on('line', (line) => {
    if (error === null && line.includes('⨯'))
      error = line
        .replace(/\s*(failedTask|stackTrace)=.*/, '')
        .replace(/^\s*⨯\s*/, '')
        .trim();
    if (error === null) sink.write(`${line}\n`);
  });
}
const status = await new Promise((resolve) => child.on('close', resolve));
if (status !== 0 || error) fail(`electron-builder failed: ${(error ?? `exit status ${status}`).slice(0, 300)}`);

const outDir = builderArgs.find((a) => a.startsWith('-c.directories.output='))?.split('=')[1] ?? 'release';
const artefacts = listArtefacts(outDir, started - 1000);
for (const { file, size } of artefacts) console.log(`${file}\t${(size / 1024 ** 2).toFixed(1)} MiB`);
if (!artefacts.length) console.log(`no installer files in ${outDir}/ (a --dir build leaves only the unpacked app)`);
