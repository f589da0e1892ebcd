// Adam with the update of tf.train.adam (same defaults, same float32 operations in the same
// order), but run as one fused kernel per weight where the backend has one (Kairo's WASM
// backend: core/compute/wasm-kernels.ts). tfjs composes each step from ~13 kernels, each a full
// memory pass over the weight, its moments and temporaries; for a VAE that was a third of a
// training step. Elsewhere (the CPU reference backend, native TensorFlow) the same operations
// run as ordinary tfjs ops.
import * as tf from '@tensorflow/tfjs';

/** The kernel name a backend registers to run a fused step: inputs w, g, m, v; outputs [w', m', v']. */
export const FUSED_ADAM = 'KairoAdam';

export class Adam extends tf.Optimizer {
  static readonly className = 'KairoAdam';
  private readonly moments = new Map<string, { m: tf.Variable; v: tf.Variable }>();
  // β1ᵗ and β2ᵗ in float32, updated as tfjs updates its accBeta variables.
  private accBeta1: number;
  private accBeta2: number;

  constructor(
    public learningRate: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon: number | null = null,
  ) {
    super();
    this.accBeta1 = Math.fround(beta1);
    this.accBeta2 = Math.fround(beta2);
  }

  applyGradients(variableGradients: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]): void {
    const grads = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    const f = Math.fround;
    const scalars = {
      learningRate: f(this.learningRate),
      beta1: f(this.beta1),
      beta2: f(this.beta2),
      // From the double β as tfjs computes them (f(1 − f(β)) can differ by an ulp).
      oneMinusBeta1: f(1 - this.beta1),
      oneMinusBeta2: f(1 - this.beta2),
      epsilon: f(this.epsilon ?? tf.backend().epsilon()),
      c1: f(1 - this.accBeta1),
      c2: f(1 - this.accBeta2),
    };
    const fused = tf.getKernel(FUSED_ADAM, tf.getBackend()) !== undefined;
    for (const { name, tensor: g } of grads) {
      if (g == null) continue;
      const w = tf.engine().registeredVariables[name];
      if (!w) throw new Error(`Adam: no variable named ${name}`);
      let slot = this.moments.get(name);
      if (!slot) {
        slot = tf.tidy(() => ({ m: tf.zerosLike(w).variable(false), v: tf.zerosLike(w).variable(false) }));
        this.moments.set(name, slot);
      }
      const { m, v } = slot;
      const [w2, m2, v2] = fused
        ? (tf.engine().runKernel(FUSED_ADAM, { w, g, m, v }, { ...scalars }) as tf.Tensor[])
        : tf.tidy(() => {
            const s = scalars;
            const mNew = tf.add(tf.mul(m, s.beta1), tf.mul(g, s.oneMinusBeta1));
            const vNew = tf.add(tf.mul(v, s.beta2), tf.mul(tf.square(g), s.oneMinusBeta2));
            const step = tf.div(tf.div(mNew, s.c1), tf.add(tf.sqrt(tf.div(vNew, s.c2)), s.epsilon));
            return [tf.add(tf.mul(step, -s.learningRate), w), mNew, vNew];
          });
      w.assign(w2!);
      m.assign(m2!);
      v.assign(v2!);
      tf.dispose([w2!, m2!, v2!]);
    }
    this.accBeta1 = f(this.accBeta1 * f(this.beta1));
    this.accBeta2 = f(this.accBeta2 * f(this.beta2));
    this.incrementIterations();
  }

  override dispose(): void {
    super.dispose();
    for (const { m, v } of this.moments.values()) tf.dispose([m, v]);
    this.moments.clear();
  }

  getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}
