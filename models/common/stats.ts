// Mean and sample standard deviation over seeds, draws or runs: the one formula every lab's
// "mean ± sd" uses (sd with n − 1, 0 for a single value), summed left to right so results stay
// bit-identical to what the labs computed before they shared it.

export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

export function sampleSd(xs: readonly number[], m = mean(xs)): number {
  return xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : 0;
}

export function meanSd(xs: readonly number[]): { mean: number; sd: number } {
  const m = mean(xs);
  return { mean: m, sd: sampleSd(xs, m) };
}
