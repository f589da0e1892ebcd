// `npm run bench:quick-looks`: times each lab's quick look through the core, as the app runs it
// (job workers, WebAssembly), and prints what it shows. The `seconds` and the numbers in each lab's
// *_QUICK_LOOK (core/labs/<lab>/contract.ts) are re-measured here. `-- settings` times the VAE
// lab's two one-click settings instead (training, then recall, as the app runs them): the
// `seconds` of VAE_PAPER_PRESET and VAE_MNIST_PRESET, which their buttons show.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobKind } from '../core/contract.ts';
import { Core } from '../core/core.ts';
import { quickLooks } from './quick-look-list.ts';

const QUICK_LOOKS = await quickLooks();
process.env.KAIRO_HOME = mkdtempSync(join(tmpdir(), 'kairo-quick-'));
const core = new Core({ platform: { carrier: 'web' } });
const only = process.argv.slice(2);
if (only.includes('settings')) {
  const { VAE_MNIST_PRESET, VAE_PAPER_PRESET } = await import('../core/contract.ts');
  const { defaultRecall, defaultVaeTrain } = await import('../core/labs/vae/state.ts');
  for (const [name, p] of [
    ['VAE_PAPER_PRESET', VAE_PAPER_PRESET],
    ['VAE_MNIST_PRESET', VAE_MNIST_PRESET],
  ] as const) {
    const t0 = performance.now();
    const jobs: [JobKind, unknown][] = [
      ['vae.train', { ...defaultVaeTrain(), ...p.train, hidden: [...p.train.hidden], source: p.data }],
      ['vae.recall', { ...defaultRecall(), ...p.recall, noise: [...p.recall.noise] }],
    ];
    for (const [kind, params] of jobs) {
      const job = await core.call('jobs.start', { kind, params } as never);
      const end = await core.jobs.wait(job.id);
      if (end.state !== 'done') throw new Error(`${name}: ${kind} ended ${end.state}: ${end.error?.message}`);
    }
    console.log(`${name.padEnd(18)} ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s  (says ${p.seconds} s)`);
  }
  await core.shutdown();
  process.exit(0);
}
for (const q of QUICK_LOOKS) {
  if (only.length && !only.includes(q.lab)) continue;
  const t0 = performance.now();
  for (const [kind, params] of q.jobs) {
    const job = await core.call('jobs.start', { kind: kind as JobKind, params } as never);
    const end = await core.jobs.wait(job.id);
    if (end.state !== 'done') throw new Error(`${q.lab} quick look: ${kind} ended ${end.state}: ${end.error?.message}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const quotes = q.quotes(core.session.labs);
  const missing = quotes.filter((x) => !q.shows.includes(x));
  console.log(`${q.lab.padEnd(10)} ${seconds.toFixed(1).padStart(5)} s  (says ${q.seconds} s)  ${quotes.join(' | ')}`);
  if (missing.length) console.log(`           ⚠ the text does not say: ${missing.join(' | ')}`);
}
await core.shutdown();
