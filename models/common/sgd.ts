// Stochastic gradient descent with (Nesterov) momentum and coupled weight decay, in PyTorch's form
// (torch.optim.SGD), because the self-paced augmentation authors' protocol is defined by it:
//   d = g + λw;  b ← μb + d;  d ← d + μb (Nesterov) or b (heavy ball);  w ← w − η d.
// tf.train.momentum differs (no weight decay, and its Nesterov form scales differently), so this is
// Kairo's own. The learning rate is mutable: schedules set it before each epoch.
import * as tf from '@tensorflow/tfjs';

export class Sgd extends tf.Optimizer {
  static readonly className = 'KairoSgd';
  private readonly buffers = new Map<string, tf.Variable>();

  constructor(
    public learningRate: number,
    readonly momentum = 0,
    readonly weightDecay = 0,
    readonly nesterov = false,
  ) {
    super();
  }

  applyGradients(variableGradients: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]): void {
    const grads = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    const { learningRate: lr, momentum: mu, weightDecay: wd } = this;
    for (const { name, tensor: g } of grads) {
      if (g == null) continue;
      const w = tf.engine().registeredVariables[name];
      if (!w) throw new Error(`Sgd: no variable named ${name}`);
      let buf = this.buffers.get(name);
      if (mu !== 0 && !buf) {
        buf = tf.tidy(() => tf.zerosLike(w).variable(false));
        this.buffers.set(name, buf);
      }
      tf.tidy(() => {
        let d: tf.Tensor = wd !== 0 ? tf.add(g, tf.mul(w, wd)) : g;
        if (buf) {
          const b = tf.add(tf.mul(buf, mu), d);
          buf.assign(b);
          d = this.nesterov ? tf.add(d, tf.mul(b, mu)) : b;
        }
        w.assign(tf.sub(w, tf.mul(d, lr)));
      });
    }
    this.incrementIterations();
  }

  override dispose(): void {
    super.dispose();
    for (const b of this.buffers.values()) b.dispose();
    this.buffers.clear();
  }

  getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, momentum: this.momentum, weightDecay: this.weightDecay, nesterov: this.nesterov };
  }
}
