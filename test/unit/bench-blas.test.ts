// The bench names its peer's BLAS and warns when the comparison is unfair (issue 20, point 7):
// classification from the libraries a real peer process mapped, checked on hand-written cases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blasKind, describePeerBlas } from '../../bench/blas.ts';

const peer = (libraries: string[], extra: Partial<Parameters<typeof describePeerBlas>[0]> = {}) => ({
  libraries,
  openblas_core: null,
  openblas_config: null,
  sgemm_1thread_gflops: null,
  torch: '1.13.1',
  numpy: '1.24.2',
  ...extra,
});

test('the mapped libraries name the BLAS family; the reference BLAS only when nothing tuned is there', () => {
  assert.equal(
    blasKind([
      '/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3',
      '/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so',
    ]),
    'openblas',
  );
  assert.equal(
    blasKind(['/usr/lib/x86_64-linux-gnu/blas/libblas.so.3', '/usr/lib/x86_64-linux-gnu/lapack/liblapack.so.3']),
    'reference',
  );
  assert.equal(blasKind(['/opt/intel/mkl/lib/libmkl_rt.so.2']), 'mkl');
  assert.equal(blasKind(['/site-packages/numpy.libs/libscipy_openblas64_-32a4b2a6.so']), 'openblas');
  assert.equal(blasKind([]), 'unknown');
});

test('a reference-BLAS peer gets a loud warning with the fix; a recognised OpenBLAS none; a generic OpenBLAS core a hint', () => {
  const ref = describePeerBlas(peer(['/usr/lib/x86_64-linux-gnu/blas/libblas.so.3'], { sgemm_1thread_gflops: 2.3 }));
  assert.match(ref.line, /reference BLAS.*2\.3 GFLOP\/s/);
  assert.match(ref.warning!, /^⚠ THE PEER RUNS THE REFERENCE BLAS.*libopenblas0-pthread/);
  const ok = describePeerBlas(
    peer(['/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so'], {
      openblas_core: 'Haswell',
      openblas_config: 'OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH',
      sgemm_1thread_gflops: 48.1,
    }),
  );
  assert.equal(
    ok.line.split(' [')[0],
    'peer BLAS: OpenBLAS (OpenBLAS 0.3.21), Haswell kernels; PyTorch sgemm 1024, 1 thread: 48.1 GFLOP/s',
  );
  assert.equal(ok.warning, null);
  assert.match(describePeerBlas(peer(['/x/libopenblas.so'], { openblas_core: 'Prescott' })).warning!, /OPENBLAS_CORETYPE/);
});
