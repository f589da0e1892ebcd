// What an installer must not carry (scripts/check-packaging.mjs applies it to the packed app) and
// which files of an electron-builder run are installers (scripts/dist.mjs lists them with sizes).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The installers electron-builder wrote into outDir since a time: not its metadata, not the unpacked folders. */
export function listArtefacts(outDir, sinceMs) {
  if (!existsSync(outDir)) return [];
  return readdirSync(outDir)
    .map((f) => ({ file: join(outDir, f), st: statSync(join(outDir, f)) }))
    .filter(
      ({ file, st }) =>
        st.isFile() &&
        st.mtimeMs >= sinceMs &&
        !/\.(ya?ml|blockmap|json|txt)$/.test(file) &&
        !file.endsWith('.__uninstaller.exe'),
    )
    .map(({ file, st }) => ({ file, size: st.size }))
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}
/**
 * Why a file must not be in the app packed for this platform and arch, or null: sources, tests,
 * source maps, dev tools, browser-only polyfills, and native binaries built for another platform.
 */
export function packedWrongly(f, platform, arch) {
  if (/^(test|core|renderer\/src|electron|scripts|bench|native)\//.test(f)) return 'source or dev folder';
  if (/^node_modules\/(ws|tsx|esbuild|electron|playwright-core|vite|svelte|core-js)\//.test(f))
    return 'dev-only or browser-only package';
  if (/(^|\/)(__tests__|tests?)\//.test(f) || /\.(test|spec)\.[cm]?[jt]s$/.test(f)) return 'test file';
  if (f.endsWith('.map')) return 'source map';
  if (/\.(node|dll|dylib|so(\.\d+)*)$/.test(f)) {
    const others =
      {
        linux: ['darwin', 'mac', 'win32', 'windows', 'win'],
        darwin: ['linux', 'win32', 'windows', 'win'],
        win32: ['linux', 'darwin', 'mac'],
      }[platform] ?? [];
    const otherArch = ['x64', 'arm64', 'ia32'].filter((a) => a !== arch);
    const parts = f.toLowerCase().split(/[\/._-]/);
    if (parts.some((p) => others.includes(p)) || parts.some((p) => otherArch.includes(p)))
      return 'native binary for another platform';
  }
  return null;
}
