// Single-precision matrix product (and the convolution and pooling pieces around it) for
// TensorFlow.js's WebAssembly backend, compiled to its own small module that imports tfjs's
// (shared) memory, so it reads and writes tensors in place. core/compute/pool.ts runs it.
//
// Why not XNNPACK, which tfjs already has: tfjs builds an XNNPACK operator per right operand and
// caches it by tensor id. In training every right operand is new each step (updated weights,
// output gradients), so every product pays XNNPACK's operator creation and weight packing
// (~3 ns per element, single-threaded), which cost as much as the product itself. Here the
// right operand is packed into 8-column panels by whichever thread uses them (< 1 ns per
// element) and any strides are accepted, so transposed operands need no copy either.
//
// No libc, no data segments and no stack: the module must not write anywhere in the shared
// memory except the output and the scratch buffer the caller hands it.
#include <wasm_simd128.h>

// Built twice (native/kernels/build.sh): with KAIRO_FMA the product's multiply-adds are
// WebAssembly relaxed SIMD's f32x4.relaxed_madd, which V8 compiles to one fused multiply-add
// where the CPU has one (rounding once, so results may differ from the plain build in the last
// bits); without it, a multiply then an add. core/compute/pool.ts picks the build the runtime
// validates. Measured here (sgemm 1024, 2 threads, `npm run bench`'s FMA column): ~1.2× the
// plain build; a 5 × 8 or 6 × 8 tile, or unrolling k, was slower with V8's register allocation.
#ifdef KAIRO_FMA
#define MADD(a, b, c) __builtin_wasm_relaxed_madd_f32x4(a, b, c)
#else
#define MADD(a, b, c) wasm_f32x4_add(c, wasm_f32x4_mul(a, b))
#endif

#define MR 4  // 4 × 8 keeps the 8 accumulators, 2 B and 1 A vectors in V8's 16 SIMD registers; 6 × 8 spills
#define NR 8
#define KC 256

typedef float f32;

// P[k][j] = B[k0 + k][j0 + j] for k < kc, j < 8 (zero past column nr).
static void pack_b(const f32* B, int brs, int bcs, int k0, int kc, int j0, int nr, f32* P) {
  const f32* base = B + k0 * brs + j0 * bcs;
  if (bcs == 1 && nr == NR) {
    for (int k = 0; k < kc; k++) {
      const f32* s = base + k * brs;
      wasm_v128_store(P + NR * k, wasm_v128_load(s));
      wasm_v128_store(P + NR * k + 4, wasm_v128_load(s + 4));
    }
    return;
  }
  if (brs == 1 && nr == NR) {
    // B is stored transposed (each column contiguous): transpose 4 × 4 blocks in registers.
    int k = 0;
    for (; k + 4 <= kc; k += 4) {
      for (int h = 0; h < 2; h++) {
        const f32* s = base + (4 * h) * bcs + k;
        v128_t r0 = wasm_v128_load(s), r1 = wasm_v128_load(s + bcs), r2 = wasm_v128_load(s + 2 * bcs), r3 = wasm_v128_load(s + 3 * bcs);
        v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
        v128_t t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
        f32* d = P + NR * k + 4 * h;
        wasm_v128_store(d, wasm_i64x2_shuffle(t0, t2, 0, 2));
        wasm_v128_store(d + NR, wasm_i64x2_shuffle(t0, t2, 1, 3));
        wasm_v128_store(d + 2 * NR, wasm_i64x2_shuffle(t1, t3, 0, 2));
        wasm_v128_store(d + 3 * NR, wasm_i64x2_shuffle(t1, t3, 1, 3));
      }
    }
    for (; k < kc; k++)
      for (int j = 0; j < NR; j++) P[NR * k + j] = base[j * bcs + k];
    return;
  }
  for (int k = 0; k < kc; k++)
    for (int j = 0; j < NR; j++) P[NR * k + j] = j < nr ? base[k * brs + j * bcs] : 0.f;
}

static inline __attribute__((always_inline)) void store_row(f32* c, v128_t v0, v128_t v1, int nr, int acc) {
  if (nr == NR) {
    if (acc) {
      v0 = wasm_f32x4_add(v0, wasm_v128_load(c));
      v1 = wasm_f32x4_add(v1, wasm_v128_load(c + 4));
    }
    wasm_v128_store(c, v0);
    wasm_v128_store(c + 4, v1);
    return;
  }
  // Lane by lane: an array here would live on a stack this module must not have.
#define LANE(j, v, l)                                   \
  if (nr > j) {                                         \
    const f32 x = wasm_f32x4_extract_lane(v, l);        \
    c[j] = acc ? c[j] + x : x;                          \
  }
  LANE(0, v0, 0) LANE(1, v0, 1) LANE(2, v0, 2) LANE(3, v0, 3) LANE(4, v1, 0) LANE(5, v1, 1) LANE(6, v1, 2)
#undef LANE
}

// C[0:mr, 0:nr] (+)= A[0:mr, 0:kc] · P, with mr a constant after inlining so the accumulators
// live in registers.
static inline __attribute__((always_inline)) void tile(const int mr, int kc, const f32* A, int ars, int acs, const f32* P,
                                                       f32* C, int ldc, int nr, int acc) {
  v128_t c0[MR], c1[MR];
  for (int r = 0; r < mr; r++) c0[r] = c1[r] = wasm_f32x4_splat(0.f);
  for (int k = 0; k < kc; k++) {
    const v128_t b0 = wasm_v128_load(P + NR * k), b1 = wasm_v128_load(P + NR * k + 4);
    const f32* a = A + k * acs;
    for (int r = 0; r < mr; r++) {
      const v128_t ar = wasm_v128_load32_splat(a + r * ars);
      c0[r] = MADD(ar, b0, c0[r]);
      c1[r] = MADD(ar, b1, c1[r]);
    }
  }
  for (int r = 0; r < mr; r++) store_row(C + r * ldc, c0[r], c1[r], nr, acc);
}

static void tile_any(int mr, int kc, const f32* A, int ars, int acs, const f32* P, f32* C, int ldc, int nr, int acc) {
  switch (mr) {
    case 4: tile(4, kc, A, ars, acs, P, C, ldc, nr, acc); break;
    case 3: tile(3, kc, A, ars, acs, P, C, ldc, nr, acc); break;
    case 2: tile(2, kc, A, ars, acs, P, C, ldc, nr, acc); break;
    default: tile(1, kc, A, ars, acs, P, C, ldc, nr, acc); break;
  }
}

// C[m0:m1, n0:n1] = A · B, where A[i][k] = A[i*ars + k*acs], B[k][j] = B[k*brs + j*bcs] and C is
// row-major with row stride ldc. n0 is a multiple of 8. scratch holds KC × 8 floats.
__attribute__((export_name("gemm"))) void gemm(int K, const f32* A, int ars, int acs, const f32* B, int brs, int bcs, f32* C,
                                                int ldc, f32* scratch, int m0, int m1, int n0, int n1) {
  if (K == 0) {
    for (int i = m0; i < m1; i++)
      for (int j = n0; j < n1; j++) C[i * ldc + j] = 0.f;
    return;
  }
  for (int k0 = 0; k0 < K; k0 += KC) {
    const int kc = K - k0 < KC ? K - k0 : KC;
    for (int j0 = n0; j0 < n1; j0 += NR) {
      const int nr = n1 - j0 < NR ? n1 - j0 : NR;
      pack_b(B, brs, bcs, k0, kc, j0, nr, scratch);
      for (int i = m0; i < m1; i += MR) {
        const int mr = m1 - i < MR ? m1 - i : MR;
        tile_any(mr, kc, A + i * ars + k0 * acs, ars, acs, scratch, C + i * ldc + j0, ldc, nr, k0 > 0);
      }
    }
  }
}

// Convolution as a matrix product: im2col writes, for output pixels (b, oy, ox) in rows
// r0..r1 of the B·OH·OW × KH·KW·C patch matrix, the input values each filter tap sees (zero in
// the padding), in the filter's (ky, kx, c) order, so conv2d = cols · filter[KH·KW·C, CO].
__attribute__((export_name("im2col"))) void im2col(const f32* x, int H, int W, int C, int KH, int KW, int SH, int SW, int DH,
                                                    int DW, int PT, int PL, int OH, int OW, f32* cols, int r0, int r1) {
  const int row = KH * KW * C;
  for (int r = r0; r < r1; r++) {
    const int b = r / (OH * OW), oy = (r / OW) % OH, ox = r % OW;
    f32* out = cols + (long)r * row;
    for (int ky = 0; ky < KH; ky++) {
      const int y = oy * SH - PT + ky * DH;
      for (int kx = 0; kx < KW; kx++) {
        const int xx = ox * SW - PL + kx * DW;
        f32* o = out + (ky * KW + kx) * C;
        if (y < 0 || y >= H || xx < 0 || xx >= W) {
          for (int c = 0; c < C; c++) o[c] = 0.f;
        } else {
          const f32* s = x + (((long)b * H + y) * W + xx) * C;
          for (int c = 0; c < C; c++) o[c] = s[c];
        }
      }
    }
  }
}

// The adjoint of im2col, for the input gradient: dx[b] = Σ over patches of their columns, for
// images b0..b1 (whole images, so threads never write the same element).
__attribute__((export_name("col2im"))) void col2im(const f32* cols, int H, int W, int C, int KH, int KW, int SH, int SW, int DH,
                                                    int DW, int PT, int PL, int OH, int OW, f32* dx, int b0, int b1) {
  const int row = KH * KW * C;
  for (long i = (long)b0 * H * W * C; i < (long)b1 * H * W * C; i++) dx[i] = 0.f;
  for (int b = b0; b < b1; b++)
    for (int oy = 0; oy < OH; oy++)
      for (int ox = 0; ox < OW; ox++) {
        const f32* in = cols + (((long)b * OH + oy) * OW + ox) * row;
        for (int ky = 0; ky < KH; ky++) {
          const int y = oy * SH - PT + ky * DH;
          if (y < 0 || y >= H) continue;
          for (int kx = 0; kx < KW; kx++) {
            const int xx = ox * SW - PL + kx * DW;
            if (xx < 0 || xx >= W) continue;
            f32* d = dx + (((long)b * H + y) * W + xx) * C;
            const f32* s = in + (ky * KW + kx) * C;
            for (int c = 0; c < C; c++) d[c] += s[c];
          }
        }
      }
}

// Max-pool gradient for images b0..b1: each output's gradient goes to the first maximum of its
// window in row-major order (tfjs's rule), found again from the input. Channels innermost, in
// blocks, so the comparisons vectorise.
#define POOL_CB 256
__attribute__((export_name("maxpool_grad"))) void maxpool_grad(const f32* x, const f32* dy, int H, int W, int C, int KH, int KW, int SH,
                                                                int SW, int PT, int PL, int OH, int OW, f32* dx, int b0, int b1) {
  f32 best[POOL_CB];
  int at[POOL_CB];
  for (long i = (long)b0 * H * W * C; i < (long)b1 * H * W * C; i++) dx[i] = 0.f;
  for (int b = b0; b < b1; b++)
    for (int oy = 0; oy < OH; oy++)
      for (int ox = 0; ox < OW; ox++)
        for (int c0 = 0; c0 < C; c0 += POOL_CB) {
          const int cn = C - c0 < POOL_CB ? C - c0 : POOL_CB;
          for (int c = 0; c < cn; c++) {
            best[c] = -__builtin_inff();
            at[c] = -1;
          }
          for (int ky = 0; ky < KH; ky++) {
            const int y = oy * SH - PT + ky;
            if (y < 0 || y >= H) continue;
            for (int kx = 0; kx < KW; kx++) {
              const int xx = ox * SW - PL + kx;
              if (xx < 0 || xx >= W) continue;
              const int pos = y * W + xx;
              const f32* v = x + ((long)b * H * W + pos) * C + c0;
              for (int c = 0; c < cn; c++) {
                const int more = v[c] > best[c];
                best[c] = more ? v[c] : best[c];
                at[c] = more ? pos : at[c];
              }
            }
          }
          const f32* g = dy + (((long)b * OH + oy) * OW + ox) * C + c0;
          f32* d = dx + (long)b * H * W * C + c0;
          for (int c = 0; c < cn; c++)
            if (at[c] >= 0) d[(long)at[c] * C + c] += g[c];
        }
}

// out[j] = Σ_i x[i·C + j] for columns c0..c1: a sum over leading axes (bias gradients), which
// tfjs-wasm computes by transposing the whole input first.
__attribute__((export_name("sum_leading"))) void sum_leading(const f32* x, int R, int C, f32* out, int c0, int c1) {
  for (int j = c0; j < c1; j++) out[j] = 0.f;
  for (int i = 0; i < R; i++) {
    const f32* row = x + (long)i * C;
    for (int j = c0; j < c1; j++) out[j] += row[j];
  }
}

static inline f32 from_bits(int bits) {
  union {
    int i;
    f32 f;
  } u = {bits};
  return u.f;
}

// One Adam step for elements i0..i1 in a single pass, with tfjs's AdamOptimizer's operations in
// its order (so float32 results agree): m' = β1·m + (1−β1)·g, v' = β2·v + (1−β2)·g²,
// w' = w + (m'/c1) / (√(v'/c2) + ε) · (−lr). tfjs composes this from ~13 kernels, each a full
// pass over every weight. Scalars arrive as float32 bit patterns (the pool passes int32s).
__attribute__((export_name("adam"))) void adam(const f32* w, const f32* g, const f32* m, const f32* v, f32* w2, f32* m2, f32* v2,
                                                int b1_, int ob1_, int b2_, int ob2_, int c1_, int c2_, int eps_, int nlr_, int i0,
                                                int i1) {
  const f32 b1 = from_bits(b1_), ob1 = from_bits(ob1_), b2 = from_bits(b2_), ob2 = from_bits(ob2_);
  const f32 c1 = from_bits(c1_), c2 = from_bits(c2_), eps = from_bits(eps_), nlr = from_bits(nlr_);
  for (int i = i0; i < i1; i++) {
    const f32 gi = g[i];
    const f32 mi = m[i] * b1 + gi * ob1;
    const f32 vi = v[i] * b2 + (gi * gi) * ob2;
    m2[i] = mi;
    v2[i] = vi;
    w2[i] = ((mi / c1) / (__builtin_sqrtf(vi / c2) + eps)) * nlr + w[i];
  }
}
