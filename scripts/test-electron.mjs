// `npm run test:electron [-- --packaged <app executable>]`: the smoke test of the real desktop
// app (test/electron/smoke.test.ts) with Playwright's Electron support. Without --packaged it
// runs the unpacked app (dist/ bundles) on node_modules/electron's binary. Where there is no
// Electron binary it says so in one line and exits 0: that is not a pass, and this command is
// not part of `npm test` (Electron's binary cannot be downloaded on the project's machines).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findElectron } from './electron-binary.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--packaged');
const packaged = at >= 0 ? args[at + 1] : null;
if (at >= 0 && !packaged) {
  console.error('test:electron: --packaged needs the path of the packed app’s executable');
  process.exit(2);
}
let executable = packaged;
if (packaged && !existsSync(packaged)) {
  console.error(`test:electron: ${packaged} does not exist (run npm run dist first)`);
  process.exit(2);
}
if (packaged) {
  // Playwright attaches through --inspect; a binary with that fuse off never answers it.
  const { getCurrentFuseWire, FuseV1Options } = (await import('@electron/fuses')).default;
  const { FuseState } = (await import('@electron/fuses/dist/constants.js')).default;
  const wire = await getCurrentFuseWire(packaged).catch((e) => ({ error: e.message }));
  if (wire.error) {
    console.error(`test:electron: ${packaged} is not an Electron app binary (${wire.error})`);
    process.exit(2);
  }
  if (wire[FuseV1Options.EnableNodeCliInspectArguments] !== FuseState.ENABLE) {
    console.error(
      `test:electron: ${packaged} has the --inspect fuse off, so Playwright cannot attach; pack a test copy with -c.electronFuses.enableNodeCliInspectArguments=true (as the release workflow does)`,
    );
    process.exit(2);
  }
}
if (!executable) {
  const found = findElectron();
  if (!found.path) {
    console.log(
      `test:electron: no Electron runtime (${found.why}; node node_modules/electron/install.js fetches it where the network allows); the smoke test did not run`,
    );
    process.exit(0);
  }
  executable = found.path;
  for (const f of ['dist/electron/main.mjs', 'dist/electron/preload.cjs', 'dist/core/worker.mjs', 'dist/renderer/index.html']) {
    if (!existsSync(f)) {
      console.error(`test:electron: ${f} is missing: run npm run build && npm run build:electron`);
      process.exit(2);
    }
  }
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', 'test/electron/smoke.test.ts'], {
  stdio: 'inherit',
  env: { ...process.env, KAIRO_ELECTRON_EXECUTABLE: executable, KAIRO_ELECTRON_PACKAGED: packaged ? '1' : '' },
});
process.exit(r.status ?? 1);
