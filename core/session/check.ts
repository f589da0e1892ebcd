// What a session's tensors must be, given its labs' states: the dtype every lab writes, the
// shape its configuration implies, finite floats. Checked on load so that a damaged or edited
// file (NaN weights, an F32 read as I32, a transposed matrix) is refused with the first problem
// named, instead of giving plausible but wrong numbers.
import { parameterShapes } from '../../models/vae/vae.ts';
import { layerShapes } from '../../models/field/network.ts';
import type { LabStates, TensorInfo } from '../contract.ts';
import { invalid } from '../errors.ts';
import { configOf } from '../services/vae/config.ts';
import type { NamedTensor } from './safetensors.ts';

/** A shape with −1 where any size is allowed. */
type Spec = { dtype: TensorInfo['dtype']; shape: number[] | null };

/** Every tensor a lab writes has a fixed dtype, by name. */
function dtypeOf(name: string): TensorInfo['dtype'] | null {
  if (/^vae\.preview\./.test(name) || /^vae\.recall\..+\.strips$/.test(name)) return 'U8';
  if (/^vae\.recall\..+\.labels$/.test(name) || /^hopfield\.(train|test)Labels$/.test(name)) return 'I32';
  if (name === 'fisher.spectrum.eigenvalues') return 'F64';
  if (/^(data|vae|fisher|field|hopfield)\./.test(name)) return 'F32';
  return null;
}

function shapes(labs: LabStates, tensors: Record<string, NamedTensor>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const shapeOf = (n: string) => (Object.hasOwn(tensors, n) ? tensors[n]!.shape : null);
  const b = labs.data.baseline;
  if (b) {
    const C = shapeOf('data.baseline.b')?.[0] ?? -1;
    out.set('data.baseline.W', [-1, C]);
    out.set('data.baseline.b', [C]);
  }
  const v = labs.vae.result;
  if (v) {
    const cfg = configOf(v.params, v.imageShape);
    for (const [n, s] of parameterShapes(cfg)) out.set(`vae.model.${n}`, s);
    out.set('vae.concepts', [v.classes, v.params.latent]);
    out.set('vae.axes', [3, v.params.latent]);
    const [h, w] = v.imageShape as [number, number];
    out.set('vae.preview.reconstructions', [-1, h, w]);
    out.set('vae.preview.samples', [16, h, w]);
    for (const r of labs.vae.runs) {
      const T = r.points.length;
      const n = shapeOf(r.tensors.labels)?.[0] ?? -1;
      out.set(r.tensors.projection, [T, n, 2]);
      out.set(r.tensors.labels, [n]);
      out.set(r.tensors.strips, [-1, T, h, w]);
    }
  }
  const f = labs.field.result;
  if (f) {
    const D = shapeOf('field.model.W1')?.[0] ?? -1;
    const C = shapeOf('field.model.bout')?.[0] ?? -1;
    for (const [n, s] of layerShapes({
      inputDim: D,
      width: f.params.width,
      classes: C,
      maxpool: f.params.maxpool,
      sigmaW: 1,
      sigmaB: 0,
    }))
      out.set(`field.model.${n}`, s);
  }
  const hp = labs.hopfield.result;
  if (hp) {
    const K = hp.params.hidden;
    const nv = hp.nv;
    const nTrain = shapeOf('hopfield.trainLabels')?.[0] ?? -1;
    const nTest = shapeOf('hopfield.testLabels')?.[0] ?? -1;
    for (const [n, s] of [
      ['W', [K, nv]],
      ['b', [nv]],
      ['c', [K]],
      ['train', [nTrain, nv]],
      ['trainLabels', [nTrain]],
      ['test', [nTest, nv]],
      ['testLabels', [nTest]],
      ['zca.mean', [nv]],
      ['zca.A', [nv, nv]],
      ['zca.Ainv', [nv, nv]],
    ] as const)
      out.set(`hopfield.${n}`, [...s]);
  }
  const sp = labs.fisher.spectrum;
  if (sp) {
    const g = shapeOf(sp.tensors.gram)?.[0] ?? -1;
    out.set(sp.tensors.gram, [g, g]);
    out.set(sp.tensors.eigenvalues, [-1]);
  }
  const bl = labs.fisher.blocks;
  if (bl) out.set(bl.tensor, [bl.units, bl.units]);
  return out;
}

/** Throws a one-line error naming the first tensor whose dtype, shape or values are wrong. */
export function checkTensors(label: string, labs: LabStates, tensors: Record<string, NamedTensor>): void {
  const want = shapes(labs, tensors);
  for (const name of Object.keys(tensors).sort()) {
    const t = tensors[name]!;
    const where = `${label}: tensor "${name}"`;
    const dtype = dtypeOf(name);
    if (dtype && t.dtype !== dtype) throw invalid(`${where} is ${t.dtype}; Kairo writes it as ${dtype}`);
    const s: Spec['shape'] = want.get(name) ?? null;
    if (s && (s.length !== t.shape.length || s.some((d, i) => d >= 0 && d !== t.shape[i]))) {
      throw invalid(
        `${where} has shape ${t.shape.join('×') || 'scalar'}; this session's ${name.split('.')[0]} lab needs ${s.map((d) => (d < 0 ? 'n' : d)).join('×')}`,
      );
    }
    if (t.dtype === 'F32' || t.dtype === 'F64') {
      const d = t.data;
      for (let i = 0; i < d.length; i++)
        if (!Number.isFinite(d[i]!)) throw invalid(`${where} holds ${d[i]} at index ${i}; a session's numbers are finite`);
    }
  }
}
