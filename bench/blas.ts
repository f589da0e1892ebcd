// Which BLAS the bench's peer runs, from the libraries bench/reference.py found mapped in its own
// process: the ratios in `npm run bench` are only fair against a tuned BLAS (perf notes: Debian's
// PyTorch uses whatever libblas.so.3 points to, the reference BLAS on a fresh machine).
export interface PeerBlas {
  libraries: string[];
  openblas_core: string | null;
  openblas_config: string | null;
  sgemm_1thread_gflops: number | null;
  torch: string | null;
  numpy: string | null;
}

export type BlasKind = 'openblas' | 'mkl' | 'blis' | 'atlas' | 'reference' | 'unknown';

/** The BLAS family behind the mapped libraries; the reference BLAS only when nothing tuned is mapped. */
export function blasKind(libraries: readonly string[]): BlasKind {
  const has = (re: RegExp) => libraries.some((l) => re.test(l));
  if (has(/openblas/i)) return 'openblas';
  if (has(/mkl/i)) return 'mkl';
  if (has(/blis/i)) return 'blis';
  if (has(/atlas/i)) return 'atlas';
  // Debian's reference BLAS lives in …/blas/libblas.so.3 (the alternative libblas.so.3 points there).
  if (has(/\/blas\/libblas\.so/) || has(/libblas\.so/)) return 'reference';
  return 'unknown';
}

/** One line naming the peer's BLAS, and a warning block when the figures beside it are not a fair comparison. */
export function describePeerBlas(b: PeerBlas): { line: string; warning: string | null } {
  const kind = blasKind(b.libraries);
  const name =
    kind === 'openblas'
      ? `OpenBLAS${b.openblas_config ? ` (${b.openblas_config.split(' ').slice(0, 2).join(' ')})` : ''}${b.openblas_core ? `, ${b.openblas_core} kernels` : ''}`
      : kind === 'reference'
        ? 'the reference BLAS (netlib, untuned)'
        : kind === 'unknown'
          ? 'an unidentified BLAS'
          : kind.toUpperCase();
  const gf =
    b.sgemm_1thread_gflops === null ? '' : `; PyTorch sgemm 1024, 1 thread: ${b.sgemm_1thread_gflops.toFixed(1)} GFLOP/s`;
  const line = `peer BLAS: ${name}${gf}${b.libraries.length ? ` [${b.libraries.join(', ')}]` : ''}`;
  const slowCore = kind === 'openblas' && /^(prescott|katmai|coppermine|northwood|banias|generic)$/i.test(b.openblas_core ?? '');
  const warning =
    kind === 'reference'
      ? '⚠ THE PEER RUNS THE REFERENCE BLAS: its matrix products are 10–20× slower than a tuned BLAS, so every ratio below flatters Kairo. For a fair peer: apt-get install libopenblas0-pthread (Debian/Ubuntu), then rerun.'
      : slowCore
        ? `⚠ OpenBLAS chose its ${b.openblas_core} kernels: it did not recognise this CPU (a virtual CPU whose model name hides its family?), so the peer is slower than it should be. Set OPENBLAS_CORETYPE to the CPU's family (e.g. Haswell, SkylakeX, Zen) for a fair peer.`
        : kind === 'unknown'
          ? '⚠ No BLAS library was seen in the peer process: its figures cannot be judged.'
          : null;
  return { line, warning };
}
