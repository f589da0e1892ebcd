// The ported jobs (augmentation, the softmax baseline) trained through the job manager on the
// WebGPU software adapter and on WebAssembly, compared, with no tensor leaked; and a cancel that
// lands within a second. The kernels themselves are checked in webgpu.test.ts.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Core } from '../../core/core.ts';
import { AUGMENT_FIELDS, defaultsOf } from '../../core/contract.ts';
import { mulberry32 } from '../../models/common/rng.ts';
import { encodeIdx } from '../../core/data/idx.ts';
import { tempDir } from '../helpers.ts';

process.env.KAIRO_HOME = tempDir();

test('the ported jobs train on WebGPU as on WebAssembly; a cancel lands within a second', async () => {
  const core = new Core({ platform: { carrier: 'web' } });
  after(() => core.shutdown());
  const run = async (backend: string, kind: 'augment.compare' | 'data.baseline', params: unknown) => {
    process.env.KAIRO_BACKEND = backend;
    const job = await core.call('jobs.start', { kind, params } as never);
    const end = await core.jobs.wait(job.id);
    assert.equal(end.state, 'done', end.error?.message);
    assert.equal(core.jobs.backendOf(job.id)?.name, backend);
    const t = core.jobs.tensorsOf(job.id)!;
    assert.equal(t.after, t.before, `${kind} on ${backend} leaked tensors`);
    return kind === 'augment.compare' ? core.session.labs.augment.result!.runs : core.session.labs.data.baseline!;
  };
  try {
    // 160 images of 16 × 16 without a test split: loading MNIST in every worker, and the VAE's evaluation
    // on its 10,000 test images, would take most of this test's time on the software adapter.
    const dir = tempDir();
    const r16 = mulberry32(5);
    writeFileSync(
      join(dir, 'i.idx'),
      encodeIdx(
        [160, 16, 16],
        Uint8Array.from({ length: 160 * 256 }, (_, i) => ((i >> 4) % 4 === (i >> 8) % 4 ? 200 : Math.floor(50 * r16()))),
      ),
    );
    writeFileSync(
      join(dir, 'l.idx'),
      encodeIdx(
        [160],
        Uint8Array.from({ length: 160 }, (_, i) => i % 4),
      ),
    );
    const small = {
      kind: 'idx' as const,
      name: 'stripes',
      trainImages: join(dir, 'i.idx'),
      trainLabels: join(dir, 'l.idx'),
      testImages: null,
      testLabels: null,
    };
    for (const arch of ['cnn', 'mlp'] as const) {
      const params = {
        ...defaultsOf(AUGMENT_FIELDS),
        arch,
        perClass: [4],
        policies: ['none', 'self-paced'],
        epochs: 2,
        seeds: 1,
        testCount: 100,
        probe: 4,
        probeDraws: 2,
        source: small,
      };
      const gpu = (await run('webgpu', 'augment.compare', params)) as {
        curve: { trainLoss: number; testAccuracy: number; instability: number | null }[];
      }[];
      const wasm = (await run('wasm', 'augment.compare', params)) as typeof gpu;
      gpu.forEach((r, i) =>
        r.curve.forEach((e, k) => {
          const w = wasm[i]!.curve[k]!;
          assert.ok(
            Math.abs(e.trainLoss - w.trainLoss) <= 1e-4 * Math.abs(w.trainLoss),
            `${arch}: train loss ${e.trainLoss} vs ${w.trainLoss}`,
          );
          assert.ok(
            Math.abs(e.testAccuracy - w.testAccuracy) <= 0.02,
            `${arch}: accuracy ${e.testAccuracy} vs ${w.testAccuracy}`,
          );
        }),
      );
    }
    const baseline = { source: small, trainSize: 0, batchSize: 20, epochs: 2, learningRate: 0.1, seed: 3 };
    const bg = (await run('webgpu', 'data.baseline', baseline)) as { curve: { loss: number }[] };
    const bw = (await run('wasm', 'data.baseline', baseline)) as typeof bg;
    bg.curve.forEach((q, i) =>
      assert.ok(
        Math.abs(q.loss - bw.curve[i]!.loss) <= 1e-4 * bw.curve[i]!.loss,
        `baseline loss ${q.loss} vs ${bw.curve[i]!.loss}`,
      ),
    );
    // The VAE (MLP and convolutional), the Boltzmann machine and the field network: one tiny run each.
    const close = (what: string, a: number, b: number, tol = 1e-3) =>
      assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: WebGPU ${a} vs WebAssembly ${b}`);
    const { defaultVaeTrain } = await import('../../core/labs/vae/state.ts');
    const { defaultHopfieldTrain } = await import('../../core/labs/hopfield/state.ts');
    const { defaultFieldTrain } = await import('../../core/labs/field/state.ts');
    const vae = (arch: 'mlp' | 'conv') => ({
      ...defaultVaeTrain(),
      source: small,
      arch,
      hidden: [32],
      latent: 4,
      epochs: 1,
      batchSize: 40,
    });
    for (const [kind, params, read] of [
      [
        'vae.train',
        vae('mlp'),
        () => {
          const r = core.session.labs.vae.result!;
          return r.steps.map((q) => q.loss);
        },
      ],
      [
        'vae.train',
        vae('conv'),
        () => {
          const r = core.session.labs.vae.result!;
          return r.steps.map((q) => q.loss);
        },
      ],
      ['hopfield.train', { ...defaultHopfieldTrain(), epochs: 3 }, () => [core.session.labs.hopfield.result!.trainNll]],
      [
        'field.train',
        { ...defaultFieldTrain(), width: 64, trainSize: 20, testSize: 100, steps: 5 },
        () => core.session.labs.field.result!.trainLoss.slice(-2),
      ],
    ] as const) {
      const got: number[][] = [];
      for (const backend of ['webgpu', 'wasm']) {
        process.env.KAIRO_BACKEND = backend;
        const j = await core.call('jobs.start', { kind, params } as never);
        const e = await core.jobs.wait(j.id);
        assert.equal(e.state, 'done', `${kind} on ${backend}: ${e.error?.message}`);
        assert.equal(core.jobs.backendOf(j.id)?.name, backend);
        got.push(read());
      }
      got[0]!.forEach((v, i) => close(`${kind} ${(params as { arch?: string }).arch ?? ''}[${i}]`, v, got[1]![i]!));
    }
    // Recall on WebGPU: the same trajectory as on WebAssembly (the VAE trained last, the convolutional one).
    const { defaultRecall } = await import('../../core/labs/vae/state.ts');
    const rp = { ...defaultRecall(), start: 'train' as const, noise: [0.3], samples: 50, iterations: 2, strips: 0 };
    const recalls: number[][] = [];
    for (const backend of ['webgpu', 'wasm']) {
      process.env.KAIRO_BACKEND = backend;
      const j = await core.call('jobs.start', { kind: 'vae.recall', params: rp } as never);
      const e = await core.jobs.wait(j.id);
      assert.equal(e.state, 'done', `vae.recall on ${backend}: ${e.error?.message}`);
      recalls.push(core.session.labs.vae.runs.at(-1)!.points.map((q) => q.meanDistOwn ?? 0));
    }
    recalls[0]!.forEach((v, i) => close(`recall distance at step ${i}`, v, recalls[1]![i]!));
    // Cancel: the job ends within a second of the request, at a step boundary.
    process.env.KAIRO_BACKEND = 'webgpu';
    const job = await core.call('jobs.start', {
      kind: 'augment.compare',
      params: {
        ...defaultsOf(AUGMENT_FIELDS),
        perClass: [50],
        epochs: 5,
        seeds: 1,
        policies: ['conventional'],
        source: { kind: 'mnist' },
      },
    } as never);
    await new Promise<void>((resolve) => {
      const stop = core.subscribe((e) => {
        const p = e.payload as { id?: string; state?: string; progress?: unknown };
        if (e.topic === 'job.update' && p.id === job.id && p.state === 'running' && p.progress) {
          stop();
          resolve();
        }
      });
    });
    const t0 = Date.now();
    await core.call('jobs.cancel', { id: job.id });
    const end = await core.jobs.wait(job.id);
    assert.ok(Date.now() - t0 < 1000, `cancel took ${Date.now() - t0} ms`);
    assert.notEqual(end.state, 'done');
  } finally {
    delete process.env.KAIRO_BACKEND;
  }
});
