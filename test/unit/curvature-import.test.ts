// A PyTorch nn.Sequential imported from safetensors + layer JSON against what PyTorch computes
// for the same files (test/fixtures/curvature/make_fixture.py wrote them once, in float64 from
// the float32 weights): logits, mean loss, gradient and a Hessian–vector product by PyTorch's
// double backpropagation, for an MLP and a CNN with batch norm, max-pooling, GELU and dropout.
// Then every refusal: one line naming the layer or tensor.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { importedProblem } from '../../core/labs/curvature/jobs/problem.ts';
import { forward } from '../../models/curvature/network.ts';
import { operatorOf } from '../../models/curvature/products.ts';
import { tempDir } from '../helpers.ts';

const DIR = 'test/fixtures/curvature';
const EXPECTED = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Record<
  string,
  { parameters: number; logits: number[] } & Record<'ce' | 'mse', { loss: number; grad: number[]; hv: number[] }>
>;
const source = {
  kind: 'idx',
  name: 'fixture',
  trainImages: join(DIR, 'images.idx'),
  trainLabels: join(DIR, 'labels.idx'),
} as const;

const close = (got: ArrayLike<number>, want: number[], tol: number, what: string) => {
  assert.equal(got.length, want.length, `${what}: length`);
  const scale = Math.max(...want.map(Math.abs));
  for (let i = 0; i < want.length; i++)
    assert.ok(Math.abs(got[i]! - want[i]!) <= tol * scale, `${what}[${i}]: ${got[i]} vs ${want[i]}`);
};

for (const model of ['mlp', 'cnn'] as const)
  for (const loss of ['ce', 'mse'] as const)
    test(`an imported PyTorch ${model} matches PyTorch's ${loss} loss, gradient and Hessian–vector product`, () => {
      const want = EXPECTED[model]!;
      const { problem, names } = importedProblem({
        weights: join(DIR, `${model}.safetensors`),
        layers: join(DIR, `${model}.json`),
        source,
        loss,
        samples: 8,
      });
      assert.equal(problem.theta.length, want.parameters);
      assert.match(names[0]!, model === 'mlp' ? /^0 Flatten$/ : /^0 Conv2d 1→3 3×3$/);
      const z = forward(problem.net, problem.theta, problem.X, 8).xs.at(-1)!;
      close(z.subarray(0, 20), want.logits, 1e-12, 'logits');
      const op = operatorOf(problem, 'hessian');
      assert.ok(Math.abs(op.loss! - want[loss].loss) < 1e-12 * want[loss].loss, `loss ${op.loss} vs ${want[loss].loss}`);
      close(op.grad!, want[loss].grad, 1e-10, 'gradient');
      const v = Float64Array.from({ length: op.P }, (_, i) => Math.sin(i + 1));
      close(op.matvec(v), want[loss].hv, 1e-9, 'Hessian–vector product');
    });

test('an import Kairo cannot represent is refused with one line naming the layer or tensor', () => {
  const dir = tempDir();
  const layers = (spec: unknown) => {
    const f = join(dir, `l${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(f, JSON.stringify(spec));
    return f;
  };
  const run = (weights: string, layersFile: string) =>
    importedProblem({ weights, layers: layersFile, source, loss: 'ce', samples: 8 });
  const mlp = join(DIR, 'mlp.safetensors');
  const base = JSON.parse(readFileSync(join(DIR, 'mlp.json'), 'utf8')).layers as unknown[][];
  const cases: [string, () => unknown, RegExp][] = [
    [
      'unsupported layer',
      () => run(mlp, layers({ layers: [...base, ['Softmax', 1]] })),
      /^layer 6: Softmax is not supported; Kairo reads Linear, Conv2d/,
    ],
    [
      'wrong width',
      () => run(mlp, layers({ layers: [['Flatten'], ['Linear', 99, 16], ...base.slice(2)] })),
      /^layer 1: tensor "1.weight" has shape \[16, 100\], the layer needs \[16, 99\]/,
    ],
    [
      'missing tensor',
      () => run(mlp, layers({ layers: [['Flatten'], ['Tanh'], ['Linear', 100, 16], ...base.slice(3)] })),
      /belongs to no layer|has no tensor "2.weight"/,
    ],
    ['extra tensor', () => run(mlp, layers({ layers: base.slice(0, 4) })), /tensor "5.weight" belongs to no layer/],
    [
      'bad arguments',
      () => run(mlp, layers({ layers: [['Flatten'], ['Linear', 100], ...base.slice(2)] })),
      /^layer 1: Linear takes in_features, out_features/,
    ],
    [
      'data shape',
      () => importedProblem({ weights: mlp, layers: join(DIR, 'mlp.json'), source: { kind: 'mnist' }, loss: 'ce', samples: 4 }),
      /mlp.json: layer 1 \(linear\): expects 100 inputs, gets 784 on 1×28×28 images$/,
    ],
    [
      'not JSON',
      () =>
        run(
          mlp,
          (() => {
            const f = join(dir, 'bad.json');
            writeFileSync(f, '{');
            return f;
          })(),
        ),
      /not valid JSON/,
    ],
    ['not safetensors', () => run(join(DIR, 'labels.idx'), join(DIR, 'mlp.json')), /not a safetensors file/],
    ['no layers key', () => run(mlp, layers({ Layers: base })), /expected \{"layers"/],
  ];
  for (const [what, f, re] of cases)
    assert.throws(f, (e: Error & { code?: string }) => {
      assert.equal(e.code, 'invalid_input', `${what}: ${e.message}`);
      assert.ok(!e.message.includes('\n'), what);
      assert.match(e.message, re, what);
      return true;
    });
});
