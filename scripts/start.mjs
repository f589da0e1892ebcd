// `npm start`: build, then open Kairo in Electron. Where the Electron runtime cannot be had
// (no binary and no way to download it), say so in one line and serve the same app to a
// browser instead.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

function electronBinary() {
  let dir;
  try {
    dir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { path: null, why: 'the electron package is not installed' };
  }
  const rel = existsSync(join(dir, 'path.txt')) ? readFileSync(join(dir, 'path.txt'), 'utf8') : null;
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const p = join(process.env.ELECTRON_OVERRIDE_DIST_PATH, rel ?? 'electron');
    return existsSync(p) ? { path: p } : { path: null, why: `ELECTRON_OVERRIDE_DIST_PATH has no ${rel ?? 'electron'}` };
  }
  if (rel && existsSync(join(dir, 'dist', rel))) return { path: join(dir, 'dist', rel) };
  // Electron ≥ 42 downloads its binary on first use; try once, quietly.
  const r = spawnSync(process.execPath, [join(dir, 'install.js')], { encoding: 'utf8', timeout: 300_000 });
  const again = existsSync(join(dir, 'path.txt')) ? readFileSync(join(dir, 'path.txt'), 'utf8') : null;
  if (r.status === 0 && again && existsSync(join(dir, 'dist', again))) return { path: join(dir, 'dist', again) };
  const err = `${r.stderr ?? ''}${r.error?.message ?? ''}`.split('\n').find((l) => /error/i.test(l)) ?? 'download failed';
  return { path: null, why: `its binary could not be downloaded (${err.trim().slice(0, 160)})` };
}

run('npm', ['run', '--silent', 'build']);
const electron = electronBinary();
if (electron.path) {
  run('npm', ['run', '--silent', 'build:electron']);
  const child = spawn(electron.path, ['.'], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.error(`kairo: Electron runtime unavailable (${electron.why}); serving Kairo for a browser instead.`);
  const child = spawn(process.execPath, ['bin/kairo.mjs', 'serve', ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
  for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => child.kill(s));
}
