// Where the Electron executable of node_modules/electron is, without the download that
// require('electron') starts when it is missing. Shared by `npm start` and `npm run test:electron`.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** @returns {{ path: string, why?: undefined } | { path: null, why: string, dir: string | null }} */
export function findElectron() {
  let dir;
  try {
    dir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { path: null, why: 'the electron package is not installed', dir: null };
  }
  const rel = existsSync(join(dir, 'path.txt')) ? readFileSync(join(dir, 'path.txt'), 'utf8') : null;
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const p = join(process.env.ELECTRON_OVERRIDE_DIST_PATH, rel ?? 'electron');
    return existsSync(p) ? { path: p } : { path: null, why: `ELECTRON_OVERRIDE_DIST_PATH has no ${rel ?? 'electron'}`, dir };
  }
  if (rel && existsSync(join(dir, 'dist', rel))) return { path: join(dir, 'dist', rel) };
  return { path: null, why: `node_modules/electron has no binary (${rel ? `dist/${rel} is missing` : 'no path.txt'})`, dir };
}
