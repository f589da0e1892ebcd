// Chooses the TensorFlow.js backend once per process: native GPU → native CPU → WebAssembly →
// plain JS. The native packages are optional dependencies that cannot install everywhere, so
// each failure is recorded with its reason and shown to the user instead of thrown.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { BackendAttempt, BackendInfo } from './contract.ts';
import { firstLine } from './errors.ts';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
const ORDER: BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
const NATIVE_PACKAGE: Partial<Record<BackendName, string>> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

let chosen: Promise<BackendInfo> | null = null;

function reasonOf(e: unknown): string {
  const err = e as { code?: string; message?: string };
  if (err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'MODULE_NOT_FOUND') {
    // Distinguish "package absent" from "package present but its native binding is missing".
    if (/tfjs-node(-gpu)?['"]? /.test(err.message ?? '') || /Cannot find package '@tensorflow\/tfjs-node/.test(err.message ?? '')) {
      return 'not installed (optional dependency)';
    }
  }
  return firstLine(err?.message ?? String(e));
}

async function tryBackend(name: BackendName): Promise<void> {
  const pkg = NATIVE_PACKAGE[name];
  if (pkg) {
    // A variable specifier keeps bundlers and tsc from resolving a package that may be absent.
    await import(pkg);
    // tfjs-node registers 'tensorflow' for both packages.
    if (!(await tf.setBackend('tensorflow'))) throw new Error('backend registered but failed to initialise');
    return;
  }
  if (name === 'wasm') {
    const require = createRequire(import.meta.url);
    setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
  }
  if (!(await tf.setBackend(name))) throw new Error('failed to initialise');
}

/**
 * `KAIRO_BACKEND` forces one backend (tests use `cpu` as the reference implementation);
 * otherwise the first that works in ORDER wins.
 */
export function initBackend(force: string | undefined = process.env.KAIRO_BACKEND): Promise<BackendInfo> {
  chosen ??= (async () => {
    const tried: BackendAttempt[] = [];
    const order = force ? ORDER.filter((n) => n === force) : ORDER;
    if (force && order.length === 0) throw new Error(`KAIRO_BACKEND=${force} is not one of ${ORDER.join(', ')}`);
    for (const name of order) {
      try {
        await tryBackend(name);
        tried.push({ name, ok: true, reason: force ? 'forced by KAIRO_BACKEND' : 'first available' });
        await tf.ready();
        return {
          name: tf.getBackend(),
          threads: 1,
          simd: name === 'wasm' ? tf.env().getBool('WASM_HAS_SIMD_SUPPORT') : false,
          tried,
        };
      } catch (e) {
        tried.push({ name, ok: false, reason: reasonOf(e) });
      }
    }
    throw new Error(`no TensorFlow.js backend could start: ${tried.map((t) => `${t.name}: ${t.reason}`).join('; ')}`);
  })();
  return chosen;
}
