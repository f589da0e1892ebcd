// Which build of native/kernels/kernels.c the kernel pool (pool.ts) runs: with or without fused
// multiply-add, chosen once per process from what the runtime validates.
import { KERNELS_WASM_BASE64 } from './kernels-wasm.ts';
import { KERNELS_FMA_WASM_BASE64 } from './kernels-fma-wasm.ts';

// The WebAssembly API, typed locally: core/ compiles with Node's type library, which lacks it.
const WA = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;

/**
 * Which build of kernels.c runs: 'fma' multiplies and adds in one rounding (WebAssembly relaxed
 * SIMD's f32x4.relaxed_madd: on by default in Node ≥ 22 and Electron, behind
 * --experimental-wasm-relaxed-simd in Node 20), 'simd128' multiplies, then adds.
 */
export type KernelBuild = 'fma' | 'simd128';

/**
 * The build this runtime should use, and why: the FMA build wherever the runtime validates it.
 * KAIRO_FMA=off keeps the plain build anyway (the bench's side-by-side column, the tests of both
 * paths); KAIRO_FMA=on refuses to start without FMA rather than quietly run the other build.
 */
export function chooseKernelBuild(setting: string | undefined = process.env.KAIRO_FMA): { build: KernelBuild; why: string } {
  const v = setting || 'auto';
  if (v !== 'auto' && v !== 'on' && v !== 'off') throw new Error(`KAIRO_FMA=${v} is not one of auto, on, off`);
  if (v === 'off') return { build: 'simd128', why: 'fused multiply-add turned off by KAIRO_FMA=off' };
  if (WA.validate(kernelBytes('fma'))) return { build: 'fma', why: 'fused multiply-add (WebAssembly relaxed SIMD)' };
  const why =
    'no fused multiply-add: this runtime lacks WebAssembly relaxed SIMD' +
    (process.versions.node.startsWith('20.') ? ' (Node 20: --experimental-wasm-relaxed-simd)' : '');
  if (v === 'on') throw new Error(`KAIRO_FMA=on, but ${why.replace('no fused multiply-add: ', '')}`);
  return { build: 'simd128', why };
}

/** The module's bytes for a build. */
export function kernelBytes(build: KernelBuild): Uint8Array {
  return Buffer.from(build === 'fma' ? KERNELS_FMA_WASM_BASE64 : KERNELS_WASM_BASE64, 'base64');
}
