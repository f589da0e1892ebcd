// Double-precision matrix product for Kairo's float64 analysis (the Fisher, NGD, continual and
// curvature labs), on WebAssembly SIMD's f64x2: the same blocking as native/kernels/kernels.c's
// float32 product, a 4 × 4 tile (8 two-lane accumulators, 2 B and 1 A vector in V8's SIMD
// registers) over 4-column panels of the right operand packed as it goes, so any strides work
// and transposed operands need no copy. models/linalg/gemm.ts copies operands into this
// module's own memory and out again.
//
// Built twice (native/f64/build.sh): with KAIRO_FMA the multiply-adds are relaxed SIMD's
// f64x2.relaxed_madd (one rounding where the CPU fuses them), else a multiply then an add.
// No libc and no data segments; the caller hands every buffer, scratch included.
#include <wasm_simd128.h>

#ifdef KAIRO_FMA
#define MADD(a, b, c) __builtin_wasm_relaxed_madd_f64x2(a, b, c)
#else
#define MADD(a, b, c) wasm_f64x2_add(c, wasm_f64x2_mul(a, b))
#endif

#define MR 4
#define NR 4
#define KC 256

typedef double f64;

// P[k][j] = B[k0 + k][j0 + j] for k < kc, j < 4 (zero past column nr).
static void pack_b(const f64* B, int brs, int bcs, int k0, int kc, int j0, int nr, f64* P) {
  const f64* base = B + (long)k0 * brs + (long)j0 * bcs;
  if (bcs == 1 && nr == NR) {
    for (int k = 0; k < kc; k++) {
      const f64* s = base + (long)k * brs;
      wasm_v128_store(P + NR * k, wasm_v128_load(s));
      wasm_v128_store(P + NR * k + 2, wasm_v128_load(s + 2));
    }
    return;
  }
  if (brs == 1 && nr == NR) {
    // B stored transposed (each column contiguous): 2 × 2 blocks transposed in registers.
    const f64 *s0 = base, *s1 = base + bcs, *s2 = base + 2 * (long)bcs, *s3 = base + 3 * (long)bcs;
    int k = 0;
    for (; k + 2 <= kc; k += 2) {
      const v128_t r0 = wasm_v128_load(s0 + k), r1 = wasm_v128_load(s1 + k);
      const v128_t r2 = wasm_v128_load(s2 + k), r3 = wasm_v128_load(s3 + k);
      f64* d = P + NR * k;
      wasm_v128_store(d, wasm_i64x2_shuffle(r0, r1, 0, 2));
      wasm_v128_store(d + 2, wasm_i64x2_shuffle(r2, r3, 0, 2));
      wasm_v128_store(d + NR, wasm_i64x2_shuffle(r0, r1, 1, 3));
      wasm_v128_store(d + NR + 2, wasm_i64x2_shuffle(r2, r3, 1, 3));
    }
    for (; k < kc; k++) {
      P[NR * k] = s0[k];
      P[NR * k + 1] = s1[k];
      P[NR * k + 2] = s2[k];
      P[NR * k + 3] = s3[k];
    }
    return;
  }
  for (int k = 0; k < kc; k++)
    for (int j = 0; j < NR; j++) P[NR * k + j] = j < nr ? base[(long)k * brs + (long)j * bcs] : 0.0;
}

static inline __attribute__((always_inline)) void store_row(f64* c, v128_t v0, v128_t v1, int nr, int acc) {
  if (nr == NR) {
    if (acc) {
      v0 = wasm_f64x2_add(v0, wasm_v128_load(c));
      v1 = wasm_f64x2_add(v1, wasm_v128_load(c + 2));
    }
    wasm_v128_store(c, v0);
    wasm_v128_store(c + 2, v1);
    return;
  }
#define LANE(j, v, l)                            \
  if (nr > j) {                                  \
    const f64 x = wasm_f64x2_extract_lane(v, l); \
    c[j] = acc ? c[j] + x : x;                   \
  }
  LANE(0, v0, 0) LANE(1, v0, 1) LANE(2, v1, 0)
#undef LANE
}

// C[0:mr, 0:nr] (+)= A[0:mr, 0:kc] · P, mr a constant after inlining (accumulators in registers).
static inline __attribute__((always_inline)) void tile(const int mr, int kc, const f64* A, int ars, int acs, const f64* P,
                                                       f64* C, int ldc, int nr, int acc) {
  v128_t c0[MR], c1[MR];
  for (int r = 0; r < mr; r++) c0[r] = c1[r] = wasm_f64x2_splat(0.0);
  for (int k = 0; k < kc; k++) {
    const v128_t b0 = wasm_v128_load(P + NR * k), b1 = wasm_v128_load(P + NR * k + 2);
    const f64* a = A + (long)k * acs;
    for (int r = 0; r < mr; r++) {
      const v128_t ar = wasm_v128_load64_splat(a + (long)r * ars);
      c0[r] = MADD(ar, b0, c0[r]);
      c1[r] = MADD(ar, b1, c1[r]);
    }
  }
  for (int r = 0; r < mr; r++) store_row(C + (long)r * ldc, c0[r], c1[r], nr, acc);
}

static void tile_any(int mr, int kc, const f64* A, int ars, int acs, const f64* P, f64* C, int ldc, int nr, int acc) {
  switch (mr) {
    case 4: tile(4, kc, A, ars, acs, P, C, ldc, nr, acc); break;
    case 3: tile(3, kc, A, ars, acs, P, C, ldc, nr, acc); break;
    case 2: tile(2, kc, A, ars, acs, P, C, ldc, nr, acc); break;
    default: tile(1, kc, A, ars, acs, P, C, ldc, nr, acc); break;
  }
}

// C[m0:m1, n0:n1] (+)= A · B with A[i][k] = A[i·ars + k·acs], B[k][j] = B[k·brs + j·bcs], C
// row-major with row stride ldc; add != 0 adds to C instead of overwriting it. n0 is a multiple
// of 4; scratch holds KC × 4 doubles.
__attribute__((export_name("dgemm"))) void dgemm(int K, const f64* A, int ars, int acs, const f64* B, int brs, int bcs, f64* C,
                                                  int ldc, f64* scratch, int m0, int m1, int n0, int n1, int add) {
  if (K == 0) {
    if (!add)
      for (int i = m0; i < m1; i++)
        for (int j = n0; j < n1; j++) C[(long)i * ldc + j] = 0.0;
    return;
  }
  for (int k0 = 0; k0 < K; k0 += KC) {
    const int kc = K - k0 < KC ? K - k0 : KC;
    for (int j0 = n0; j0 < n1; j0 += NR) {
      const int nr = n1 - j0 < NR ? n1 - j0 : NR;
      pack_b(B, brs, bcs, k0, kc, j0, nr, scratch);
      for (int i = m0; i < m1; i += MR) {
        const int mr = m1 - i < MR ? m1 - i : MR;
        tile_any(mr, kc, A + (long)i * ars + (long)k0 * acs, ars, acs, scratch, C + (long)i * ldc + j0, ldc, nr, add || k0 > 0);
      }
    }
  }
}

// y = A · x for row-major A (M × K): four rows at a time, two lanes of k each (lane 0 the even
// terms, lane 1 the odd), the lanes then added, then any odd last term. A matrix–vector product
// reads each element of A once, so it runs at memory speed; it serves Lanczos on a matrix kept in
// this module's memory (models/linalg/gemm.ts, residentMatrix).
static inline __attribute__((always_inline)) f64 finish(v128_t s, const f64* a, const f64* x, int k, int K) {
  f64 t = wasm_f64x2_extract_lane(s, 0) + wasm_f64x2_extract_lane(s, 1);
  if (k < K) t += a[k] * x[k];
  return t;
}

__attribute__((export_name("dgemv"))) void dgemv(int M, int K, const f64* A, const f64* x, f64* y) {
  const int K2 = K & ~1;
  int i = 0;
  for (; i + 4 <= M; i += 4) {
    const f64* a0 = A + (long)i * K;
    const f64 *a1 = a0 + K, *a2 = a1 + K, *a3 = a2 + K;
    v128_t s0 = wasm_f64x2_splat(0.0), s1 = s0, s2 = s0, s3 = s0;
    for (int k = 0; k < K2; k += 2) {
      const v128_t xv = wasm_v128_load(x + k);
      s0 = MADD(wasm_v128_load(a0 + k), xv, s0);
      s1 = MADD(wasm_v128_load(a1 + k), xv, s1);
      s2 = MADD(wasm_v128_load(a2 + k), xv, s2);
      s3 = MADD(wasm_v128_load(a3 + k), xv, s3);
    }
    y[i] = finish(s0, a0, x, K2, K);
    y[i + 1] = finish(s1, a1, x, K2, K);
    y[i + 2] = finish(s2, a2, x, K2, K);
    y[i + 3] = finish(s3, a3, x, K2, K);
  }
  for (; i < M; i++) {
    const f64* a = A + (long)i * K;
    v128_t s = wasm_f64x2_splat(0.0);
    for (int k = 0; k < K2; k += 2) s = MADD(wasm_v128_load(a + k), wasm_v128_load(x + k), s);
    y[i] = finish(s, a, x, K2, K);
  }
}
