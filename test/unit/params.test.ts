// Parameters described once (core/contract/params.ts): the schema, the CLI flags and usage, and
// the defaults all come from the field specification, so each must agree with it. Checked here
// field by field against the spec's own numbers: the bound itself passes, one step past it fails.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import {
  AUGMENT_FIELDS,
  BASELINE_FIELDS,
  CAPACITY_FIELDS,
  defaultsOf,
  fieldProblem,
  FIELD_ROBUSTNESS_FIELDS,
  FIELD_TRAIN_FIELDS,
  FISHER_ISOMETRY_FIELDS,
  FISHER_LR_FIELDS,
  FISHER_NETWORK_FIELDS,
  FISHER_SWEEP_FIELDS,
  COMPLETION_FIELDS,
  HIERARCHICAL_FIELDS,
  HOPFIELD_TRAIN_FIELDS,
  IMAGE_DATA_FIELDS,
  RETRIEVAL_FIELDS,
  TOY_DATA_FIELDS,
  VAE_PAPER_PRESET,
  NGD_NETWORK_FIELDS,
  NGD_SWEEP_FIELDS,
  NGD_TRAIN_FIELDS,
  RECALL_FIELDS,
  UNIT_FISHER_FIELDS,
  VAE_SWEEP_FIELDS,
  VAE_TRAIN_FIELDS,
  type ParamSpec,
} from '../../core/contract.ts';
import { parseArgs } from '../../core/labs/kit/args.ts';
import { flagsOf, parseFlagged, readFlags, usageOf } from '../../core/labs/kit/flags.ts';
import { fieldSchema, shapeOf } from '../../core/params.ts';
import { defaultFisherLab, defaultNetwork, isometrySchema, networkSchema } from '../../core/labs/fisher/state.ts';

const SPECS: [string, ParamSpec][] = [
  ['network', FISHER_NETWORK_FIELDS],
  ['sweep', FISHER_SWEEP_FIELDS],
  ['lr', FISHER_LR_FIELDS],
  ['isometry', FISHER_ISOMETRY_FIELDS],
  ['baseline', BASELINE_FIELDS],
  ['field.train', FIELD_TRAIN_FIELDS],
  ['field.robustness', FIELD_ROBUSTNESS_FIELDS],
  ['hopfield.capacity', CAPACITY_FIELDS],
  ['vae.train', VAE_TRAIN_FIELDS],
  ['vae.recall', RECALL_FIELDS],
  ['vae.sweep', VAE_SWEEP_FIELDS],
  ['ngd.network', NGD_NETWORK_FIELDS],
  ['ngd.train', NGD_TRAIN_FIELDS],
  ['ngd.sweep', NGD_SWEEP_FIELDS],
  ['ngd.unitFisher', UNIT_FISHER_FIELDS],
  ['data.hierarchical', HIERARCHICAL_FIELDS],
  ['hopfield.train', HOPFIELD_TRAIN_FIELDS],
  ['hopfield.toy', TOY_DATA_FIELDS],
  ['hopfield.images', IMAGE_DATA_FIELDS],
  ['hopfield.retrieval', RETRIEVAL_FIELDS],
  ['hopfield.completion', COMPLETION_FIELDS],
  ['augment', AUGMENT_FIELDS],
];

test('the generated patterns default to the VAE paper setting', () => {
  assert.deepEqual({ kind: 'hierarchical', ...defaultsOf(HIERARCHICAL_FIELDS) }, VAE_PAPER_PRESET.data);
});

test('each field schema takes its bounds and refuses one step past them', () => {
  for (const [name, spec] of SPECS)
    for (const [k, f] of Object.entries(spec)) {
      const s = fieldSchema(f);
      const ok = (v: unknown) => s.safeParse(v).success;
      const where = `${name}.${k}`;
      assert.ok(ok(f.default), `${where}: its default`);
      if (f.kind === 'int' || f.kind === 'number') {
        assert.equal(ok(f.min), !(f.kind === 'number' && f.minExclusive), `${where}: min`);
        assert.equal(ok(f.max), !(f.kind === 'number' && f.maxExclusive), `${where}: max`);
        assert.ok(!ok(f.max + 1), `${where}: max + 1`);
        assert.ok(!ok(f.min - 1), `${where}: min − 1`);
        if (f.kind === 'int') assert.ok(!ok(f.min + 0.5), `${where}: not an integer`);
        assert.ok(!ok(String(f.default)), `${where}: a string`);
      } else if (f.kind === 'choice') {
        for (const c of f.choices) assert.ok(ok(c), `${where}: ${c}`);
        assert.ok(!ok(`${f.choices[0]}x`), `${where}: an unknown choice`);
      } else if (f.kind === 'set') {
        assert.ok(ok([...f.choices]), `${where}: every choice`);
        assert.equal(ok([]), f.minItems === 0, `${where}: empty`);
        assert.ok(!ok([f.choices[0], f.choices[0]]), `${where}: twice`);
        assert.ok(!ok([`${f.choices[0]}x`]), `${where}: an unknown choice`);
      } else if (f.kind === 'ints' || f.kind === 'numbers') {
        assert.equal(ok([]), f.minItems === 0, `${where}: empty`);
        assert.ok(!ok(Array(f.maxItems + 1).fill(f.max)), `${where}: too many`);
        assert.ok(!ok([f.max + 1]), `${where}: above max`);
      }
    }
});

test('the schemas keep the messages the CLI and the UI have always shown', () => {
  const r = networkSchema.safeParse({ ...defaultNetwork(), depth: 1 });
  assert.equal(r.success, false);
  assert.equal(r.error!.issues[0]!.message, 'Number must be greater than or equal to 2');
  const w = networkSchema.safeParse({ ...defaultNetwork(), sigmaW2: 0 });
  assert.equal(w.error!.issues[0]!.message, 'Number must be greater than 0');
  // The cross-field rules are still there.
  assert.equal(networkSchema.safeParse({ ...defaultNetwork(), loss: 'ce', outputs: 1 }).success, false);
  assert.equal(isometrySchema.safeParse({ ...defaultFisherLab().isometryDraft, depths: [] }).success, false);
});

test('defaults come from the spec, and the schema accepts them', () => {
  assert.deepEqual(defaultFisherLab().lrDraft, { factors: [0.5, 0.9, 1.1, 2], steps: 50 });
  assert.equal(defaultNetwork().depth, FISHER_NETWORK_FIELDS.depth.default);
  for (const [, spec] of SPECS) assert.ok(z.object(shapeOf(spec)).strict().safeParse(defaultsOf(spec)).success);
});

test('CLI flags read back exactly what the spec describes; usage names every flag', () => {
  const { valued, switches } = flagsOf(FISHER_NETWORK_FIELDS);
  assert.deepEqual(switches, []);
  const argv = ['--depth', '5', '--activation', 'tanh', '--sigma-w2', '1.5', '--input-dim', '7'];
  const p = parseArgs(argv, new Set(valued), new Set());
  const v = readFlags(p, FISHER_NETWORK_FIELDS, defaultNetwork());
  assert.deepEqual([v.depth, v.activation, v.sigmaW2, v.inputDim, v.width], [5, 'tanh', 1.5, 7, 256]);
  assert.throws(
    () => readFlags(parseArgs(['--norm', 'bn'], new Set(valued), new Set()), FISHER_NETWORK_FIELDS, defaultNetwork()),
    /--norm must be one of none\|bn-last\|bn-hidden\|ln, got bn/,
  );
  const lists = readFlags(
    parseArgs(['--factors', '0.5,2'], new Set(flagsOf(FISHER_LR_FIELDS).valued), new Set()),
    FISHER_LR_FIELDS,
    defaultFisherLab().lrDraft,
  );
  assert.deepEqual(lists, { factors: [0.5, 2], steps: 50 });
  const sets = readFlags(
    parseArgs(['--augment', 'elastic,shift', '--policy', 'rand'], new Set(flagsOf(AUGMENT_FIELDS).valued), new Set()),
    AUGMENT_FIELDS,
    defaultsOf(AUGMENT_FIELDS),
  );
  assert.deepEqual([sets.augment, sets.policies], [['elastic', 'shift'], ['rand']]);
  assert.throws(
    () =>
      readFlags(parseArgs(['--policy', 'none,none'], new Set(['policy']), new Set()), AUGMENT_FIELDS, defaultsOf(AUGMENT_FIELDS)),
    /--policy names a value twice: none,none/,
  );
  for (const [, spec] of SPECS) {
    const usage = usageOf(spec, 4);
    for (const f of Object.values(spec)) assert.ok(usage.includes(`--${f.flag}`), `usage lacks --${f.flag}`);
    for (const line of usage.split('\n')) assert.ok(line.length <= 110, line);
  }
});

test('the form’s field check agrees with the schema on every bound, one step past it, and nonsense', () => {
  for (const [name, spec] of SPECS)
    for (const [k, f] of Object.entries(spec)) {
      const s = fieldSchema(f);
      const probes: unknown[] = [f.default, 'x', null, NaN];
      if (f.kind === 'int' || f.kind === 'number')
        probes.push(f.min, f.max, f.min - 1, f.max + 1, f.min + 0.5, (f.min + f.max) / 2);
      if (f.kind === 'ints' || f.kind === 'numbers')
        probes.push([], [f.min], [f.max], [f.max + 1], [f.min - 1], Array(f.maxItems + 1).fill(f.min), [f.min + 0.5]);
      if (f.kind === 'choice') probes.push(f.choices[0], `${f.choices[0]}x`);
      if (f.kind === 'switch') probes.push(true, 1);
      if (f.kind === 'set')
        probes.push([], [...f.choices], [f.choices[0]], [f.choices[0], f.choices[0]], [`${f.choices[0]}x`], f.choices[0]);
      for (const v of probes)
        assert.equal(
          fieldProblem(f, v) === null,
          s.safeParse(v).success,
          `${name}.${k} = ${JSON.stringify(v)}: ${fieldProblem(f, v)}`,
        );
    }
  assert.equal(fieldProblem(FISHER_NETWORK_FIELDS.depth, 1), 'must be ≥ 2 and ≤ 64');
});

test('a rule between fields names the flag of the innermost field it fails on; other paths keep the schema path', () => {
  const spec = {
    width: { kind: 'int', label: 'Width', flag: 'width', metavar: 'M', min: 1, max: 10, default: 2, doc: 'w' },
    depth: { kind: 'int', label: 'Depth', flag: 'depth', metavar: 'L', min: 1, max: 10, default: 2, doc: 'd' },
  } as const;
  const schema = z.object({ net: z.object({ width: z.number(), depth: z.number() }), tag: z.string() }).superRefine((v, ctx) => {
    if (v.net.width < v.net.depth) ctx.addIssue({ code: 'custom', path: ['net', 'width'], message: 'at least the depth' });
  });
  assert.throws(
    () => parseFlagged(schema, { net: { width: 1, depth: 3 }, tag: 'x' }, 'lab', spec),
    /^Error: --width: at least the depth$|--width: at least the depth/,
  );
  assert.throws(() => parseFlagged(schema, { net: { width: 3, depth: 1 }, tag: 5 }, 'lab', spec), /lab\.tag: Expected string/);
  assert.deepEqual(parseFlagged(schema, { net: { width: 3, depth: 1 }, tag: 'x' }, 'lab', spec).net, { width: 3, depth: 1 });
});
