// What a session's tensors must be, given its labs' states: the dtype every lab writes, the
// shape its configuration implies, finite floats. Checked on load so that a damaged or edited
// file (NaN weights, an F32 read as I32, a transposed matrix) is refused with the first problem
// named, instead of giving plausible but wrong numbers.
import type { LabStates, TensorInfo } from '../contract.ts';
import { invalid } from '../errors.ts';
import { LAB_IDS, labDef } from '../labs/index.ts';
import { clipName as clip, type NamedTensor } from './safetensors.ts';

/** Every tensor a lab writes has a fixed dtype, by name: float32 unless its lab says otherwise. */
function dtypeOf(name: string): TensorInfo['dtype'] | null {
  const lab = LAB_IDS.find((id) => name.startsWith(`${id}.`));
  if (!lab) return null;
  const def = labDef(lab);
  const copied = def.copyOf?.(name);
  if (copied) return dtypeOf(copied);
  return def.dtypeOf?.(name) ?? (def.shapes ? 'F32' : null);
}

/** The shape each tensor must have, from its lab's state: −1 where any size is allowed. */
function shapes(labs: LabStates, tensors: Record<string, NamedTensor>): Map<string, number[]> {
  const shapeOf = (n: string) => (Object.hasOwn(tensors, n) ? tensors[n]!.shape : null);
  const out = new Map<string, number[]>();
  for (const id of LAB_IDS) for (const [n, s] of labDef(id).shapes?.(labs[id], shapeOf) ?? []) out.set(n, s);
  return out;
}

/**
 * What a checksum cannot vouch for (anyone can recompute one): the state and the tensors must
 * describe one model. Each lab's tensors carry its prefix, exist and are referenced, have a shape
 * its parameters define, and include every tensor those parameters require; the lab's own
 * cross-checks (a machine's kind against its component count, pattern counts against the stored
 * patterns) hold.
 */
export function checkConsistency(label: string, labs: LabStates, tensors: Record<string, NamedTensor>): void {
  const shapeOf = (n: string) => (Object.hasOwn(tensors, n) ? tensors[n]!.shape : null);
  const referenced = new Set<string>();
  for (const id of LAB_IDS) {
    const def = labDef(id);
    const state = labs[id] as never;
    const names = def.tensors(state);
    const want = def.shapes?.(state, shapeOf);
    for (const n of names) {
      if (!n.startsWith(`${id}.`))
        throw invalid(`${label}: labs.${id} refers to tensor "${clip(n)}", which is not the ${id} lab's`);
      if (referenced.has(n)) throw invalid(`${label}: tensor "${clip(n)}" is referred to twice`);
      referenced.add(n);
      if (want && !want.has(n))
        throw invalid(`${label}: labs.${id} refers to tensor "${clip(n)}", which its parameters do not define (file edited?)`);
    }
    const listed = new Set(names);
    for (const n of def.required?.(state) ?? [])
      if (!listed.has(n))
        throw invalid(`${label}: labs.${id}'s parameters need tensor "${n}", which its state does not list (file edited?)`);
    const problem = def.consistent?.(state, shapeOf);
    if (problem) throw invalid(`${label}: labs.${id}: ${problem} (file edited?)`);
  }
  for (const n of Object.keys(tensors))
    if (!referenced.has(n))
      throw invalid(`${label}: tensor "${clip(n)}" is in the file, but nothing in the session refers to it (file edited?)`);
}

/** Throws a one-line error naming the first tensor (of those `only` picks) whose dtype, shape or values are wrong. */
export function checkTensors(
  label: string,
  labs: LabStates,
  tensors: Record<string, NamedTensor>,
  only: (name: string) => boolean = () => true,
): void {
  const want = shapes(labs, tensors);
  for (const name of Object.keys(tensors).sort().filter(only)) {
    const t = tensors[name]!;
    const where = `${label}: tensor "${clip(name)}"`;
    const dtype = dtypeOf(name);
    if (dtype && t.dtype !== dtype) throw invalid(`${where} is ${t.dtype}; Kairo writes it as ${dtype}`);
    const s = want.get(name) ?? null;
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
