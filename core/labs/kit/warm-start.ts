// Continuing a training from the lab's current model (the warmStart field, core/contract/params.ts):
// the job's `prepare` hands the model's tensors to the worker, and the worker takes them only where
// each has the shape this training needs. Both refuse in one line naming --warm-start.
import { invalid } from '../../errors.ts';
import type { NamedTensor } from '../../session/safetensors.ts';

const NO_MODEL = '--warm-start: there is no current model to continue from; train one or open a run first';

/** The session's tensors named, for a job's inputs; refused when the lab holds no model. */
export function warmInputs(
  names: readonly string[] | null,
  tensorOf: (name: string) => NamedTensor | undefined,
): { tensors: Record<string, NamedTensor>; state: null } {
  if (!names?.length) throw invalid(NO_MODEL);
  return { tensors: Object.fromEntries(names.map((n) => [n, tensorOf(n)!])), state: null };
}

/** Refuses, naming the setting, where the current model was trained with another value of it. */
export function sameSetting(name: string, was: unknown, now: unknown): void {
  if (JSON.stringify(was) !== JSON.stringify(now))
    throw invalid(
      `--warm-start: the current model's ${name} is ${JSON.stringify(was)}, this training's is ${JSON.stringify(now)}`,
    );
}

/** The handed-over tensor `name` with exactly `shape`, or a one-line refusal saying what differs. */
export function warmTensor(
  tensors: Record<string, NamedTensor>,
  name: string,
  shape: readonly number[],
  what = name,
): Float32Array {
  const t = tensors[name];
  if (!t) throw invalid(NO_MODEL);
  if (t.shape.join('×') !== shape.join('×'))
    throw invalid(
      `--warm-start: the current model's ${what} is ${t.shape.join(' × ')}, this training's is ${shape.join(' × ')} (same architecture and data size needed)`,
    );
  return Float32Array.from(t.data as ArrayLike<number>);
}
