// The paper setting of the VAE lab (arXiv:1712.04195 as reconstructed: VAE_PAPER_PRESET) run
// end to end, and the sweep checked against a direct scan of a recall run on the same model.
// Prints the numbers behind the README's three claims; the margins sit well outside the
// seed-to-seed spread measured there (sd of the minimum ≤ 0.07).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { VAE_PAPER_PRESET, type VaeSweepParams } from '../../core/contract.ts';
import { Core } from '../../core/core.ts';
import { defaultRecall, defaultVaeTrain } from '../../core/labs/vae/state.ts';
import { runJobDone, tempDir } from '../helpers.ts';

process.env.KAIRO_HOME = tempDir();
const core = new Core({ platform: { carrier: 'web' } });
after(() => core.shutdown());

const run = (kind: 'vae.train' | 'vae.recall' | 'vae.sweep', params: unknown) => runJobDone(core, kind, params);

const sweepParams = (p: Partial<VaeSweepParams> = {}): VaeSweepParams => ({
  seed: 1,
  source: { ...VAE_PAPER_PRESET.data },
  ...VAE_PAPER_PRESET.sweep,
  latents: [...VAE_PAPER_PRESET.sweep.latents],
  noise: [...VAE_PAPER_PRESET.sweep.noise],
  hidden: [64],
  ...p,
});

test('the sweep’s minimum, its step and the nearest level equal a direct scan of recall on the same model', async () => {
  const sp = sweepParams({ latents: [10], noise: [0, 0.3], seeds: 1, epochs: 20, samples: 300, iterations: 8, levelStep: 2 });
  await run('vae.sweep', sp);
  const cells = core.session.labs.vae.sweep!.cells;
  // The same model: a training job with the sweep's settings and seed; the same starts: recall with its noise list and seed.
  await run('vae.train', {
    ...defaultVaeTrain(),
    ...VAE_PAPER_PRESET.train,
    hidden: [64],
    latent: 10,
    epochs: 20,
    source: sp.source,
    seed: 1,
  });
  await run('vae.recall', {
    ...defaultRecall(),
    start: sp.start,
    noiseKind: sp.noiseKind,
    noise: sp.noise,
    samples: sp.samples,
    iterations: sp.iterations,
    strips: 0,
    seed: 1,
  });
  const runs = core.session.labs.vae.runs;
  for (const [k, cell] of cells.entries()) {
    const pts = runs[k]!.points;
    const curve = pts.map((q) => q.distConcept! / pts[0]!.distConcept!);
    let best = 0;
    curve.forEach((v, t) => (v < curve[best]! ? (best = t) : 0));
    assert.equal(cell.minStep, best);
    assert.ok(Math.abs(cell.minConcept - curve[best]!) < 1e-4, `${cell.minConcept} vs ${curve[best]}`);
    assert.ok(Math.abs(cell.nearestLevel!.global - pts[2]!.nearestLevel!.global) < 1e-9);
    assert.ok(Math.abs(cell.distEnd - pts.at(-1)!.distConcept!) < 1e-4);
  }
});

test('paper setting: the concept approach, the drift to the global centre with noise, and no approach at d = 2', async (t) => {
  await run('vae.sweep', sweepParams());
  const s = core.session.labs.vae.sweep!;
  const cell = (d: number, p: number) => s.cells.find((c) => c.latent === d && c.noise === p)!;
  for (const c of s.cells)
    t.diagnostic(
      `d = ${c.latent}, p = ${c.noise}: min d_concept(t)/d(0) = ${c.minConcept.toFixed(3)} ± ${c.minConceptSd.toFixed(3)} at t ≈ ${c.minStep.toFixed(1)}; ` +
        `nearest at t = ${s.params.levelStep}: memory ${c.nearestLevel!.memory!.toFixed(2)}, concept ${c.nearestLevel!.concept.toFixed(2)}, root ${c.nearestLevel!.root!.toFixed(2)}, global ${c.nearestLevel!.global.toFixed(2)}; test −ELBO ${c.testNegElbo!.toFixed(2)}`,
    );
  t.diagnostic(`sweep time ${s.seconds.toFixed(1)} s`);
  // (a) Clean held-out memories approach their concept centre within a few steps (measured 0.51 at t ≈ 3).
  assert.ok(cell(10, 0).minConcept < 0.7 && cell(10, 0).minStep >= 1 && cell(10, 0).minStep <= 6);
  // (b) More flips, weaker approach and more states nearest the global centre (0.06 → 0.67 at p = 0 → 0.4).
  const ps = s.params.noise;
  for (let i = 1; i < ps.length; i++) {
    assert.ok(cell(10, ps[i]!).minConcept > cell(10, ps[i - 1]!).minConcept, `min concept rises with p`);
    assert.ok(
      cell(10, ps[i]!).nearestLevel!.concept < cell(10, ps[i - 1]!).nearestLevel!.concept,
      `concept fraction falls with p`,
    );
  }
  assert.ok(cell(10, 0.4).nearestLevel!.global > cell(10, 0).nearestLevel!.global + 0.4);
  // (c) d = 2 shows no approach (measured 1.00: the minimum is the start); d = 10 and 20 do.
  assert.ok(cell(2, 0).minConcept > 0.95);
  assert.ok(cell(20, 0).minConcept < 0.7);
});

test('kairo vae train --data hierarchical and recall print the level metrics under their documented names', () => {
  const home = tempDir();
  const kairo = (...args: string[]) =>
    spawnSync(process.execPath, ['bin/kairo.mjs', ...args], { encoding: 'utf8', env: { ...process.env, KAIRO_HOME: home } });
  const file = join(home, 'h.kairo');
  const tr = kairo(
    'vae',
    'train',
    '--data',
    'hierarchical',
    '--pattern-dim',
    '64',
    '--roots',
    '2',
    '--concepts',
    '3',
    '--memories',
    '40',
    '--bias-concept',
    '0.4',
    '--bias-memory',
    '0.5',
    '--latent',
    '6',
    '--hidden',
    '32',
    '--epochs',
    '5',
    '--seed',
    '2',
    '--out',
    file,
  );
  assert.equal(tr.status, 0, tr.stderr);
  assert.ok(Number.isFinite(JSON.parse(tr.stdout).test_neg_elbo));
  const rc = kairo(
    'vae',
    'recall',
    '--session',
    file,
    '--samples',
    '100',
    '--iterations',
    '4',
    '--noise',
    '0.1',
    '--noise-kind',
    'bitflip',
    '--start',
    'train',
    '--mode',
    'sample',
    '--x-mode',
    'sample',
    '--seed',
    '3',
  );
  assert.equal(rc.status, 0, rc.stderr);
  const out = JSON.parse(rc.stdout);
  assert.equal(out.iterations.length, 5);
  const q = out.iterations[2];
  for (const k of ['dist_memory', 'dist_concept', 'dist_root', 'dist_global']) assert.ok(Number.isFinite(q[k]), k);
  assert.equal(q.mean_dist_own, q.dist_concept);
  const nl = q.nearest_level;
  assert.ok(Math.abs(nl.memory + nl.concept + nl.root + nl.global - 1) < 1e-9);
  // On MNIST there is no root level; a flag of the other data source is refused before anything runs.
  const bad = kairo('vae', 'train', '--roots', '3', '--epochs', '1');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--roots belongs to --data hierarchical/);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
});
