// A VAE's configuration and the shapes of its parameters, without TensorFlow.js: the session's
// load-time checks read these in the process that serves the UI, which must not load tfjs for it
// (importing it there took about a second at every start of the CLI).

export interface VaeConfig {
  arch: 'mlp' | 'conv';
  /** [h, w] of the images. */
  inputShape: [number, number];
  /** Hidden layer sizes of the encoder; the decoder mirrors them. The conv variant uses the first as its dense layer. */
  hidden: number[];
  latent: number;
  decoder: 'bernoulli' | 'gaussian';
  /** Standard deviation of the Gaussian decoder (ignored for Bernoulli). */
  gaussianSigma: number;
  /** Weight of the KL term (β-VAE); 1 gives the ELBO. */
  beta: number;
}

/** Channels of the convolutional VAE's two convolutions. */
export const CONV = [16, 32];

/** Shapes of every parameter, in a fixed order (also the order of the session's tensors). */
export function parameterShapes(c: VaeConfig): [string, number[]][] {
  const [h, w] = c.inputShape;
  const D = h * w;
  const out: [string, number[]][] = [];
  const dense = (name: string, i: number, o: number) => out.push([`${name}.W`, [i, o]], [`${name}.b`, [o]]);
  if (c.arch === 'mlp') {
    let prev = D;
    c.hidden.forEach((n, i) => {
      dense(`enc.${i}`, prev, n);
      prev = n;
    });
    dense('enc.mu', prev, c.latent);
    dense('enc.logvar', prev, c.latent);
    prev = c.latent;
    [...c.hidden].reverse().forEach((n, i) => {
      dense(`dec.${i}`, prev, n);
      prev = n;
    });
    dense('dec.out', prev, D);
    return out;
  }
  const flat = (h / 4) * (w / 4) * CONV[1]!;
  const H = c.hidden[0]!;
  out.push(['enc.conv0.W', [3, 3, 1, CONV[0]!]], ['enc.conv0.b', [CONV[0]!]]);
  out.push(['enc.conv1.W', [3, 3, CONV[0]!, CONV[1]!]], ['enc.conv1.b', [CONV[1]!]]);
  dense('enc.0', flat, H);
  dense('enc.mu', H, c.latent);
  dense('enc.logvar', H, c.latent);
  dense('dec.0', c.latent, H);
  dense('dec.1', H, flat);
  out.push(['dec.conv0.W', [3, 3, CONV[1]!, CONV[0]!]], ['dec.conv0.b', [CONV[0]!]]);
  out.push(['dec.conv1.W', [3, 3, CONV[0]!, 1]], ['dec.conv1.b', [1]]);
  return out;
}

export function checkConfig(c: VaeConfig): void {
  const [h, w] = c.inputShape;
  if (c.arch === 'conv' && (h % 4 !== 0 || w % 4 !== 0))
    throw new Error(`the convolutional VAE needs image sides divisible by 4, got ${h}×${w}`);
  if (c.arch === 'conv' && c.hidden.length < 1) throw new Error('the convolutional VAE needs one hidden (dense) size');
}
