// electron-builder's afterPack hook: drops the Dawn binaries (npm `webgpu`) of every other platform
// and arch from the packed app, before the installer is made. CommonJS: electron-builder require()s it.
const { existsSync, readdirSync, rmSync } = require('node:fs');
const { join } = require('node:path');

// electron-builder's Arch enum.
const ARCH = { 0: 'ia32', 1: 'x64', 2: 'armv7l', 3: 'arm64', 4: 'universal' };

exports.default = async function afterPack(context) {
  const platform = context.electronPlatformName;
  const arch = ARCH[context.arch] ?? String(context.arch);
  const app =
    platform === 'darwin'
      ? join(context.appOutDir, `${context.packager.appInfo.productFilename}.app`, 'Contents', 'Resources', 'app')
      : join(context.appOutDir, 'resources', 'app');
  const dist = join(app, 'node_modules', 'webgpu', 'dist');
  if (!existsSync(dist)) return;
  const keep = platform === 'darwin' ? 'darwin-universal' : `${platform}-${arch}`;
  for (const d of readdirSync(dist)) if (d !== keep) rmSync(join(dist, d), { recursive: true, force: true });
};
