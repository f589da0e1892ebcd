// `npm start`: build, then open Kairo in Electron. Where the Electron runtime cannot be had
// (no binary and no way to download it), say so in one line and serve the same app to a
// browser instead.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { findElectron } from './electron-binary.mjs';
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

function electronBinary() {
  const found = findElectron();
  if (found.path || !found.dir) return found;
  // Electron ≥ 42 downloads its binary on first use; try once, quietly.
  const r = spawnSync(process.execPath, [join(found.dir, 'install.js')], { encoding: 'utf8', timeout: 300_000 });
  const again = findElectron();
  if (r.status === 0 && again.path) return again;
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
