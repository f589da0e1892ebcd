// The float32 workloads (tfjs on Kairo's WASM kernels), by row name: the ones fused multiply-add
// changes. bench/run.ts measures them in its own process, and where the runtime has FMA, once
// more in a child with KAIRO_FMA=off (this file run with --serve), row by row right after its own,
// so both columns see the same machine.
import { createInterface } from 'node:readline';
import { initBackend } from '../core/backend.ts';
import * as w from './workloads.ts';

export type Measure = { unit: string; higherIsBetter: boolean; run: () => number | Promise<number> };

export function float32Rows(blocks: number, steps: number, quick: boolean): Map<string, Measure> {
  const rate = (unit: string, run: Measure['run']): Measure => ({ unit, higherIsBetter: true, run });
  return new Map<string, Measure>([
    ['sgemm 512', rate('GFLOP/s', () => w.sgemm(512, blocks * 3))],
    ['sgemm 1024', rate('GFLOP/s', () => w.sgemm(1024, blocks))],
    ['MLP training', rate('samples/s', () => w.mlpTraining(blocks, steps))],
    ['VAE training', rate('samples/s', () => w.vaeTraining(blocks, steps))],
    ['VAE recall 784-400-20', rate('states/s', () => w.vaeRecallRate(blocks, steps))],
    ['VAE recall run 1000×30 + metrics', { unit: 's', higherIsBetter: false, run: () => w.vaeRecallRunSeconds(quick ? 3 : 5) }],
    ['CNN training', rate('samples/s', () => w.cnnTraining(blocks, Math.max(2, Math.round(steps / 4))))],
    ['AttnBM NLL+grad 784x900', rate('patterns/s', () => w.attnbmRate(blocks, steps))],
  ]);
}

// The child: one line in (a row name), one line out (its figure as JSON, or null).
if (process.argv.includes('--serve')) {
  const quick = process.argv.includes('--quick');
  const backend = await initBackend();
  const rows = float32Rows(quick ? 5 : 7, quick ? 10 : 20, quick);
  console.log(JSON.stringify({ fma: backend.fma }));
  for await (const name of createInterface({ input: process.stdin })) {
    const row = rows.get(name);
    console.log(JSON.stringify(row ? await row.run() : null));
  }
  process.exit(0);
}
