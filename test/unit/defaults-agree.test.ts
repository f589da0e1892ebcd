// One description per parameter: a lab command run without flags starts the same job, with the
// same parameters, as the app's form does on a fresh session (the lab's default state), so a
// script and a click give the same numbers. The command is run with a context that records the
// job it would start and stops there; the form's side is how each view builds its jobs.start.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  defaultsOf,
  hopfieldSettingFor,
  IMAGE_DATA_FIELDS,
  VAE_MNIST_PRESET,
  VAE_PAPER_PRESET,
  type JobKind,
  type LabStates,
} from '../../core/contract.ts';
import { cliCommands, defaultLabs } from '../../core/labs/index.ts';
import { parseArgs } from '../../core/labs/kit/args.ts';
import type { CliContext } from '../../core/labs/kit/cli.ts';

const STOP = new Error('stop: the job was recorded');

/** The job `kairo <command> <sub> [flags]` would start, without starting it. */
async function cliJob(
  command: string,
  argv: string[],
  session: Partial<LabStates> = {},
): Promise<{ kind: JobKind; params: unknown }> {
  const cmd = (await cliCommands()).get(command)!;
  let job: { kind: JobKind; params: unknown } | null = null;
  const ctx = {
    runJob: async (kind: JobKind, params: unknown) => {
      job = { kind, params };
      throw STOP;
    },
    open: async () => {},
    session: { labs: { ...defaultLabs(), ...session } },
  } as unknown as CliContext;
  await assert.rejects(
    cmd.run(parseArgs(argv, cmd.valued, cmd.switches), () => {}, ctx),
    (e) => e === STOP,
  );
  return job!;
}

/** What each form sends to jobs.start on a fresh session (as the lab's view builds it). */
const FORMS: [command: string, argv: string[], kind: JobKind, form: (l: LabStates) => unknown][] = [
  ['vae', ['train'], 'vae.train', (l) => ({ ...l.vae.draft, source: l.data.source })],
  ['fisher', ['spectrum'], 'fisher.spectrum', (l) => ({ network: l.fisher.network, compare: false })],
  ['fisher', ['lr-sweep'], 'fisher.lrsweep', (l) => ({ network: l.fisher.network, ...l.fisher.lrDraft })],
  ['fisher', ['sweep'], 'fisher.sweep', (l) => ({ network: l.fisher.network, ...l.fisher.sweepDraft })],
  ['fisher', ['isometry'], 'fisher.isometry', (l) => l.fisher.isometryDraft],
  ['fisher', ['input-metric'], 'fisher.inputMetric', (l) => ({ network: l.fisher.network })],
  ['fisher', ['signal'], 'fisher.signal', (l) => l.fisher.signalDraft],
  ['ngd', ['compare'], 'ngd.compare', (l) => l.ngd.draft],
  ['ngd', ['unit-fisher'], 'ngd.unitFisher', (l) => l.ngd.unitDraft],
  [
    'continual',
    ['kernel'],
    'continual.chain',
    (l) => ({ ...l.continual.model, ...l.continual.chainDraft, ...l.continual.correctionDraft }),
  ],
  [
    'continual',
    ['network'],
    'continual.network',
    (l) => ({ ...l.continual.model, ...l.continual.chainDraft, ...l.continual.networkDraft, ...l.continual.correctionDraft }),
  ],
  [
    'continual',
    ['sweep'],
    'continual.sweep',
    (l) => ({ ...l.continual.model, ...l.continual.sweepDraft, ...l.continual.correctionDraft }),
  ],
  ['field', ['train'], 'field.train', (l) => l.field.draft],
  ['hopfield', ['train'], 'hopfield.train', (l) => l.hopfield.draft],
  ['augment', ['compare'], 'augment.compare', (l) => ({ ...l.augment.draft, source: l.data.source })],
];

for (const [command, argv, kind, form] of FORMS)
  test(`kairo ${command} ${argv.join(' ')} starts ${kind} with the form's defaults`, async () => {
    const job = await cliJob(command, argv);
    assert.equal(job.kind, kind);
    assert.deepEqual(job.params, form(defaultLabs()));
  });

/** A preset applied to a fresh session, as the VAE lab's buttons do. */
function vaePreset(p: typeof VAE_MNIST_PRESET | typeof VAE_PAPER_PRESET) {
  const l = defaultLabs().vae;
  const train = { ...l.draft, ...p.train, hidden: [...p.train.hidden], source: p.data };
  const recall = { ...l.recallDraft, ...p.recall, noise: [...p.recall.noise] };
  const sweep = 'sweep' in p ? { ...l.sweepDraft, ...p.sweep, hidden: train.hidden, batchSize: train.batchSize } : null;
  return { train, recall, sweep };
}

/** A session whose VAE was trained on `source` (what `vae recall` reads to pick its defaults). */
const trainedOn = (source: unknown) =>
  ({ vae: { ...defaultLabs().vae, result: { params: { source } } } }) as unknown as Partial<LabStates>;

test("the VAE presets are the CLI's defaults: MNIST setting on images, Paper setting on hierarchical data", async () => {
  for (const [p, data] of [
    [VAE_MNIST_PRESET, []],
    [VAE_PAPER_PRESET, ['--data', 'hierarchical']],
  ] as const) {
    const app = vaePreset(p);
    assert.deepEqual((await cliJob('vae', ['train', ...data])).params, app.train);
    // The CLI runs one noise level at a time (0 unless --noise) and keeps no strips unless --save.
    const recall = (await cliJob('vae', ['recall', '--session', 'x.kairo'], trainedOn(p.data))).params;
    assert.deepEqual(recall, { ...app.recall, noise: [0], strips: 0 });
    if (app.sweep) assert.deepEqual((await cliJob('vae', ['sweep', ...data])).params, { ...app.sweep, source: p.data });
  }
});

test('kairo hopfield train --data mnist trains what the form trains after choosing MNIST', async () => {
  const l = defaultLabs().hopfield;
  // The form's Data menu: the image data at its fields' defaults, and the settings that suit images.
  const form = {
    ...l.draft,
    data: { kind: 'images', source: { kind: 'mnist' }, ...defaultsOf(IMAGE_DATA_FIELDS) },
    ...hopfieldSettingFor('images'),
  };
  assert.deepEqual((await cliJob('hopfield', ['train', '--data', 'mnist'])).params, form);
  // The four settings are a model the CLI did not train before (100 keys, 40 epochs, batches of 50).
  assert.deepEqual(hopfieldSettingFor('images'), { hidden: 200, learningRate: 0.01, epochs: 20, batchSize: 20 });
});

test('NGD compares at each method’s best η from the form and from the CLI', async () => {
  const job = await cliJob('ngd', ['compare']);
  assert.equal((job.params as { at: string }).at, 'best');
  assert.equal(defaultLabs().ngd.draft.at, 'best');
});
