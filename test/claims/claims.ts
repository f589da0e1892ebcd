// The README's measured numbers and the commands that produce them (see test/claims/check.ts).
// `npm run claims` reruns every one and rewrites the README; `npm run claims -- --check` only
// compares; test/unit/claims.test.ts reruns those marked 'ci' in every test run.
import { at, type Claim } from './check.ts';

const claim = (
  id: string,
  command: string,
  value: (o: unknown) => number,
  format: Claim['format'],
  cost: Claim['cost'],
  tolerance = 0.002,
): Claim => ({ id, command, value, format, tolerance, cost });

// The Fisher lab's conditional FIM, depth 8, tanh, the defaults (σ_w² = 1, |x|²/M = 1).
const isometry = (width: number, cost: Claim['cost']): Claim[] => {
  const command = `fisher isometry --activation tanh --width ${width} --depths 8 --lr-steps 0`;
  return (['gaussian', 'orthogonal'] as const).flatMap((w) => [
    claim(`iso-${w}-${width}`, command, (o) => at(o, `runs.[weights=${w}].lambda_max`) / width, 'sig:4', cost),
    claim(`iso-${w}-${width}-theory`, command, (o) => at(o, `runs.[weights=${w}].theory.lambda_max`) / width, 'sig:4', cost),
  ]);
};

// Unit-wise NGD with ReLU: the first step at ρ = 0 and ρ = 10⁻⁶.
const unitWise = (width: number, damping: string, cost: Claim['cost']): Claim[] => {
  const command = `ngd run --method unit-wise --samples 48 --input-dim 64 --test-samples 16 --steps 4 --width ${width} --damping ${damping}`;
  const id = `uw-${width}-${damping}`;
  return [
    claim(`${id}-loss0`, command, (o) => at(o, 'losses.0'), 'sig:2', cost),
    claim(`${id}-loss4`, command, (o) => at(o, 'losses.4'), 'sci:2', cost, 0.02),
    claim(`${id}-size`, command, (o) => at(o, 'step_sizes.0'), 'sig:2', cost, 0.02),
    claim(`${id}-error`, command, (o) => at(o, 'linearisation_errors.0'), 'sig:2', cost, 0.02),
    claim(`${id}-signs`, command, (o) => at(o, 'sign_changes.0'), 'pct:1', cost, 0.02),
  ];
};

// The authors' NGD setting: MNIST 0 vs 1, N = 100, 50 test images, width 4,096, two steps.
const MNIST_NGD =
  'ngd compare --data mnist01 --width 4096 --samples 100 --test-samples 50 --steps 2 --methods exact,kfac,block-diagonal,gd --preprocess standardise';
const mnistRows: Claim[] = (['exact', 'block-diagonal', 'kfac', 'gd'] as const).flatMap((m) => {
  const run = `runs.[method=${m}]`;
  return [
    claim(`ngd-${m}-loss0`, MNIST_NGD, (o) => at(o, `${run}.losses.0`), 'sig:3', 'full'),
    claim(`ngd-${m}-loss1`, MNIST_NGD, (o) => at(o, `${run}.losses.1`), 'sci:2', 'full', 0.02),
    claim(`ngd-${m}-loss2`, MNIST_NGD, (o) => at(o, `${run}.losses.2`), 'sci:2', 'full', 0.05),
    claim(`ngd-${m}-test`, MNIST_NGD, (o) => at(o, `${run}.test_losses.2`), 'sig:2', 'full', 0.01),
    claim(`ngd-${m}-emp`, MNIST_NGD, (o) => at(o, `${run}.theory.test_losses.2`), 'sig:2', 'full', 0.01),
    claim(`ngd-${m}-ana`, MNIST_NGD, (o) => at(o, `${run}.theory.test_losses_analytic.2`), 'sig:2', 'full', 0.01),
  ];
});

const GAUSS_NGD =
  'ngd compare --data gaussian --input-dim 784 --width 4096 --samples 100 --test-samples 50 --steps 2 --methods exact,kfac';
const firstStep = (m: string) => (o: unknown) => at(o, `runs.[method=${m}].losses.1`) / at(o, `runs.[method=${m}].losses.0`);

// The SPA authors' protocol: 10 images per class, 3 seeds, the full test set (about 20 minutes a command).
const SPA = 'augment compare --protocol authors --per-class 10';
const spaRows = (id: string, command: string, policies: readonly string[]): Claim[] =>
  policies.flatMap((p) => [
    claim(`${id}-${p}`, command, (o) => at(o, `results.[policy=${p}].test_accuracy.mean`), 'pct:1', 'long', 0.01),
    claim(`${id}-${p}-sd`, command, (o) => at(o, `results.[policy=${p}].test_accuracy.sd`), 'pct:1', 'long', 0.3),
  ]);
const NA_CA_SPA = ['none', 'conventional', 'self-paced'] as const;
const spaThresholds = (['0.01', '0.3', '1'] as const).flatMap((t) =>
  spaRows(`spa-thr-${t.replace('.', '')}`, `${SPA} --policy self-paced --threshold ${t}`, ['self-paced']),
);

// The curvature lab: a fresh network's Fisher (the quick look's setting) and sharpness during
// full-batch gradient descent (the track defaults, about 3 minutes).
const CURV_FRESH = 'curvature --network fresh --width 128 --top 3 --lanczos-steps 30 --trace --density --probes 4';
const CURV_TRACK = 'curvature track';
const CURV_VAE =
  'vae train --hidden 400 --latent 20 --epochs 1 --train-size 2000 --out /tmp/kairo-claims-vae.kairo && curvature --session /tmp/kairo-claims-vae.kairo --model vae --samples 1000 --matrix ggn --top 1 --lanczos-steps 20';
/** λ_max from step 600 on (every 50 steps: indices 12 to 20). */
const late = (o: unknown) => [12, 13, 14, 15, 16, 17, 18, 19, 20].map((i) => at(o, `lambda_max.${i}`));
const curvature: Claim[] = [
  claim('curv-lanczos', CURV_FRESH, (o) => at(o, 'top.0'), 'fixed:2', 'full'),
  claim('curv-dual', CURV_FRESH, (o) => at(o, 'fisher_lab.lambda_max'), 'fixed:2', 'full'),
  claim('curv-theory', CURV_FRESH, (o) => at(o, 'fisher_lab.theory_lambda_max'), 'fixed:2', 'full'),
  claim('curv-l2', CURV_FRESH, (o) => at(o, 'top.1'), 'fixed:2', 'full'),
  claim('curv-l3', CURV_FRESH, (o) => at(o, 'top.2'), 'fixed:2', 'full'),
  claim('curv-readout', CURV_FRESH, (o) => at(o, 'layers.2.share'), 'pct:0', 'full', 0.01),
  // Up to step 550 the trajectory is stable to rounding; after it reaches 2/η it is chaotic (a change in
  // summation order moves the spikes), so the later numbers are a range and a final loss, loosely held.
  ...([0, 2, 8, 11] as const).map((i) =>
    claim(`curv-track-l${i}`, CURV_TRACK, (o) => at(o, `lambda_max.${i}`), 'fixed:1', 'full', 0.01),
  ),
  ...([0, 11] as const).map((i) => claim(`curv-track-loss${i}`, CURV_TRACK, (o) => at(o, `loss.${i}`), 'fixed:3', 'full', 0.01)),
  claim('curv-track-loss20', CURV_TRACK, (o) => at(o, 'loss.20'), 'fixed:3', 'full', 0.15),
  claim('curv-track-min', CURV_TRACK, (o) => Math.min(...late(o)), 'fixed:1', 'full', 0.05),
  claim('curv-track-max', CURV_TRACK, (o) => Math.max(...late(o)), 'fixed:1', 'full', 0.05),
  claim('curv-track-cost', CURV_TRACK, (o) => at(o, 'track_seconds') / at(o, 'gd_seconds'), 'fixed:1', 'full', 0.5),
  // Sharpness in the field lab's own training (every 20 steps): the range from step 40 on at c = 0.9,
  // and from step 60 on at c = 1.5 (after its fall at step 40).
  ...(
    [
      ['09', '0.9', 2],
      ['15', '1.5', 3],
    ] as const
  ).flatMap(([id, c, from]) => {
    const cmd = `field train --track-every 20 --lr-factor ${c}`;
    const later = (o: unknown) => Array.from({ length: 11 - from }, (_, k) => at(o, `sharpness.lambda_max.${from + k}`));
    return [
      // The README quotes the start at c = 0.9 and the fall by step 40 at c = 1.5.
      id === '09'
        ? claim(`field-sharp-${id}-l0`, cmd, (o) => at(o, 'sharpness.lambda_max.0'), 'fixed:4', 'full', 0.01)
        : claim(`field-sharp-${id}-l2`, cmd, (o) => at(o, 'sharpness.lambda_max.2'), 'fixed:4', 'full', 0.01),
      claim(`field-sharp-${id}-edge`, cmd, (o) => at(o, 'sharpness.two_over_lr'), 'fixed:4', 'full', 0.01),
      claim(`field-sharp-${id}-min`, cmd, (o) => Math.min(...later(o)), 'fixed:4', 'full', 0.01),
      claim(`field-sharp-${id}-max`, cmd, (o) => Math.max(...later(o)), 'fixed:4', 'full', 0.01),
    ];
  }),
  // A VAE trained one epoch: its weights differ in the last bits between machines' arithmetic, so held loosely.
  claim('curv-vae-l1', CURV_VAE, (o) => at(o, 'top.0'), 'fixed:1', 'full', 0.01),
  claim('curv-vae-heads', CURV_VAE, (o) => at(o, 'layers.1.share'), 'pct:0', 'full', 0.02),
  claim('curv-vae-enc0', CURV_VAE, (o) => at(o, 'layers.0.share'), 'pct:0', 'full', 0.02),
  claim('curv-vae-loss', CURV_VAE, (o) => at(o, 'loss'), 'fixed:1', 'full', 0.01),
];

export const CLAIMS: readonly Claim[] = [
  ...curvature,
  ...isometry(400, 'ci'),
  ...isometry(800, 'full'),
  ...unitWise(256, '0', 'ci'),
  ...unitWise(256, '1e-6', 'ci'),
  ...unitWise(4096, '0', 'full'),
  ...unitWise(4096, '1e-6', 'full'),
  ...mnistRows,
  claim('ngd-kfac-gauss', GAUSS_NGD, firstStep('kfac'), 'pct:1', 'full', 0.02),
  claim('ngd-exact-gauss', GAUSS_NGD, firstStep('exact'), 'pct:2', 'full', 0.02),
  ...spaRows('spa-mnist-mixup', SPA, NA_CA_SPA),
  claim('spa-thr-01', SPA, (o) => at(o, 'results.[policy=self-paced].test_accuracy.mean'), 'pct:1', 'long', 0.01),
  claim('spa-mnist-mixup-first', SPA, (o) => at(o, 'results.[policy=self-paced].augmented_fraction.0'), 'pct:0', 'long', 0.05),
  claim('spa-mnist-mixup-e10', SPA, (o) => at(o, 'results.[policy=self-paced].augmented_fraction.9'), 'pct:0', 'long', 0.1),
  claim('spa-mnist-mixup-e50', SPA, (o) => at(o, 'results.[policy=self-paced].augmented_fraction.49'), 'pct:1', 'long', 0.5),
  claim('spa-mnist-mixup-corr', SPA, (o) => at(o, 'self_paced.times_augmented_vs_final_loss'), 'sig:2', 'long', 0.05),
  ...spaRows('spa-mnist-translate', `${SPA} --policy conventional,self-paced --augment translate`, [
    'conventional',
    'self-paced',
  ]),
  ...spaRows('spa-fashion-mixup', `${SPA} --dataset fashion-mnist`, NA_CA_SPA),
  ...spaThresholds,
];
