// The blocked, packed GEMM driver and its register-tile micro-kernel, written once and compiled
// per instruction set: each gemm_<isa>.cc includes this file inside its own namespace and passes
// gemm_entry a micro-kernel K per element type T, with MR, NR and
//   static void run(int64_t kc, const T* Ap, const T* Bp, T* C, int64_t ldc, bool accumulate);
// computing an MR x NR tile of C (= or +=) from packed panels. The SIMD ISAs take VecKernel below
// over their vector traits. Only C headers are used here so that no inline function compiled for
// a wider instruction set leaks into portable code.

// An MR x (2 vectors) tile of C kept in 2*MR vector accumulators. V is the ISA's vector traits
// for T: the register type R and its lanes W; zero(), load(p) (aligned: the packed panels are),
// loadu(p), storeu(p, r), bcast(p) (*p in every lane), fma(a, b, c) (a*b + c), add(a, b); and
// kPrefetch, how many bytes of B ahead to prefetch each depth step (0: none).
template <typename T, typename V, int ROWS>
struct VecKernel {
  typedef typename V::R R;
  enum { MR = ROWS, NR = 2 * V::W };
  static void run(int64_t kc, const T* __restrict A, const T* __restrict B, T* C, int64_t ldc, bool acc) {
    R c0[MR], c1[MR];
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) c0[i] = c1[i] = V::zero();
    for (int64_t p = 0; p < kc; p++) {
      const R b0 = V::load(B), b1 = V::load(B + V::W);
      if (V::kPrefetch > 0) __builtin_prefetch(reinterpret_cast<const char*>(B) + V::kPrefetch, 0, 3);
#pragma GCC unroll 16
      for (int i = 0; i < MR; i++) {
        const R a = V::bcast(A + i);
        c0[i] = V::fma(a, b0, c0[i]);
        c1[i] = V::fma(a, b1, c1[i]);
      }
      A += MR;
      B += NR;
    }
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      T* r = C + i * ldc;
      if (acc) {
        c0[i] = V::add(c0[i], V::loadu(r));
        c1[i] = V::add(c1[i], V::loadu(r + V::W));
      }
      V::storeu(r, c0[i]);
      V::storeu(r + V::W, c1[i]);
    }
  }
};

template <typename T>
static inline int64_t min64(int64_t a, int64_t b) {
  return a < b ? a : b;
}

// kc runs of `len` (at most W) consecutive values, run p at src + p*stride, into a panel of W values
// per step, zero-padded. A whole run is a copy of constant size, inlined as vector moves (GCC turns
// the loop into a memmove call, whose fixed cost is most of a 48- or 128-byte copy).
template <typename T, int W>
static inline void copy_runs(const T* src, int64_t stride, int64_t kc, int64_t len, T* __restrict dst) {
  if (len == W) {
    for (int64_t p = 0; p < kc; p++) __builtin_memcpy(dst + p * W, src + p * stride, sizeof(T) * W);
    return;
  }
  for (int64_t p = 0; p < kc; p++) {
    const T* s = src + p * stride;
    T* d = dst + p * W;
    for (int64_t i = 0; i < len; i++) d[i] = s[i];
    for (int64_t i = len; i < W; i++) d[i] = T(0);
  }
}

// Packs rows [i0, i0+mc) x depth [p0, p0+kc) of A into MR-row panels, each stored p-major
// (MR consecutive values per depth step), zero-padding the last panel.
template <typename T, int MR>
static void pack_a_indexed(const GemmArgs<T>& g, int64_t i0, int64_t mc, int64_t p0, int64_t kc, T* __restrict dst) {
  for (int64_t ir = 0; ir < mc; ir += MR) {
    const int64_t rows = min64<T>(MR, mc - ir);
    for (int64_t i = 0; i < rows; i++) {
      const int64_t r = i0 + ir + i;
      const T* s = g.a + (g.a_ro ? int64_t(g.a_ro[r]) : r * g.a_rs);
      T* d = dst + i;
      if (g.a_co) {
        for (int64_t p = 0; p < kc; p++) d[p * MR] = s[g.a_co[p0 + p]];
      } else {
        for (int64_t p = 0; p < kc; p++) d[p * MR] = s[(p0 + p) * g.a_cs];
      }
    }
    for (int64_t i = rows; i < MR; i++)
      for (int64_t p = 0; p < kc; p++) dst[p * MR + i] = T(0);
    dst += kc * MR;
  }
}

template <typename T, int MR>
static void pack_a(const GemmArgs<T>& g, int64_t i0, int64_t mc, int64_t p0, int64_t kc, T* __restrict dst) {
  if (g.a_ro || g.a_co) {
    pack_a_indexed<T, MR>(g, i0, mc, p0, kc, dst);
    return;
  }
  for (int64_t ir = 0; ir < mc; ir += MR) {
    const int64_t rows = min64<T>(MR, mc - ir);
    const T* src = g.a + (i0 + ir) * g.a_rs + p0 * g.a_cs;
    if (g.a_rs == 1) {
      copy_runs<T, MR>(src, g.a_cs, kc, rows, dst);
    } else {
      const int64_t rs = g.a_rs, cs = g.a_cs;
      for (int64_t i = 0; i < rows; i++) {
        const T* s = src + i * rs;
        T* d = dst + i;
        if (cs == 1) {
          for (int64_t p = 0; p < kc; p++) d[p * MR] = s[p];
        } else {
          for (int64_t p = 0; p < kc; p++) d[p * MR] = s[p * cs];
        }
      }
      for (int64_t i = rows; i < MR; i++)
        for (int64_t p = 0; p < kc; p++) dst[p * MR + i] = T(0);
    }
    dst += kc * MR;
  }
}

// Packs depth [p0, p0+kc) x columns [j0, j0+nc) of B into NR-column panels (NR consecutive values
// per depth step), zero-padding the last panel.
template <typename T, int NR>
static void pack_b_indexed(const GemmArgs<T>& g, int64_t p0, int64_t kc, int64_t j0, int64_t nc, T* __restrict dst) {
  for (int64_t jr = 0; jr < nc; jr += NR) {
    const int64_t cols = min64<T>(NR, nc - jr);
    if (!g.b_co) {
      // rows from a table, each read along its columns
      const int64_t cs = g.b_cs;
      for (int64_t p = 0; p < kc; p++) {
        const int64_t q = p0 + p;
        const T* s = g.b + g.b_ro[q] + (j0 + jr) * cs;
        T* d = dst + p * NR;
        if (cs == 1) {
          copy_runs<T, NR>(s, 0, 1, cols, d);
          continue;
        }
        for (int64_t j = 0; j < cols; j++) d[j] = s[j * cs];
        for (int64_t j = cols; j < NR; j++) d[j] = T(0);
      }
    } else {
      for (int64_t j = 0; j < cols; j++) {
        const int64_t c = j0 + jr + j;
        const T* s = g.b + (g.b_co ? int64_t(g.b_co[c]) : c * g.b_cs);
        T* d = dst + j;
        if (g.b_ro) {
          for (int64_t p = 0; p < kc; p++) d[p * NR] = s[g.b_ro[p0 + p]];
        } else {
          for (int64_t p = 0; p < kc; p++) d[p * NR] = s[(p0 + p) * g.b_rs];
        }
      }
      for (int64_t j = cols; j < NR; j++)
        for (int64_t p = 0; p < kc; p++) dst[p * NR + j] = T(0);
    }
    dst += kc * NR;
  }
}

template <typename T, int NR>
static void pack_b(const GemmArgs<T>& g, int64_t p0, int64_t kc, int64_t j0, int64_t nc, T* __restrict dst) {
  if (g.b_ro || g.b_co) {
    pack_b_indexed<T, NR>(g, p0, kc, j0, nc, dst);
    return;
  }
  for (int64_t jr = 0; jr < nc; jr += NR) {
    const int64_t cols = min64<T>(NR, nc - jr);
    const T* src = g.b + p0 * g.b_rs + (j0 + jr) * g.b_cs;
    if (g.b_cs == 1) {
      copy_runs<T, NR>(src, g.b_rs, kc, cols, dst);
    } else {
      const int64_t rs = g.b_rs, cs = g.b_cs;
      for (int64_t j = 0; j < cols; j++) {
        const T* s = src + j * cs;
        T* d = dst + j;
        if (rs == 1) {
          for (int64_t p = 0; p < kc; p++) d[p * NR] = s[p];
        } else {
          for (int64_t p = 0; p < kc; p++) d[p * NR] = s[p * rs];
        }
      }
      for (int64_t j = cols; j < NR; j++)
        for (int64_t p = 0; p < kc; p++) dst[p * NR + j] = T(0);
    }
    dst += kc * NR;
  }
}

// One micro-tile; partial tiles and tiles of C with a non-unit column stride go through a local
// buffer.
template <typename T, typename K>
static inline void tile(int64_t kc, const T* ap, const T* bp, T* c, int64_t ldc, int64_t ccs, int64_t rows, int64_t cols,
                        bool acc) {
  if (rows == K::MR && cols == K::NR && ccs == 1) {
    K::run(kc, ap, bp, c, ldc, acc);
    return;
  }
  alignas(64) T tmp[K::MR * K::NR];
  K::run(kc, ap, bp, tmp, K::NR, false);
  for (int64_t i = 0; i < rows; i++) {
    T* cr = c + i * ldc;
    const T* tr = tmp + i * K::NR;
    if (acc) {
      for (int64_t j = 0; j < cols; j++) cr[j * ccs] += tr[j];
    } else {
      for (int64_t j = 0; j < cols; j++) cr[j * ccs] = tr[j];
    }
  }
}

// Which batch token (GemmArgs::a_reuse) and row tile the whole packed A of each thread slot holds.
static uint64_t a_reuse_token[kScratchB];
static int a_reuse_mr[kScratchB];

// The blocked product on one thread, with the packing scratch of thread `slot`.
template <typename T, typename K>
static void packed_gemm(const GemmArgs<T>& g, const Blocking& bl, int slot) {
  const int64_t MR = K::MR, NR = K::NR;
  const int64_t MC = bl.mc, KC = bl.kc, NC = bl.nc;
  T* ap = static_cast<T*>(gemm_scratch(slot, sizeof(T) * MC * KC));
  const int64_t npan_max = (min64<T>(NC, g.n) + NR - 1) / NR;
  T* bp = static_cast<T*>(gemm_scratch(kScratchB + slot, sizeof(T) * KC * npan_max * NR));
  // A shared by a batch: every (ic, pc) block packed once into one buffer, block (ic, pc) at
  // pc * m_pad + ic * kc (mc a multiple of MR), and reused by this thread's later products
  const int64_t m_pad = (g.m + MR - 1) / MR * MR;
  T* whole = nullptr;
  bool packed = false;
  if (g.a_reuse && slot < kScratchB && MC % MR == 0 && double(m_pad) * double(g.k) * sizeof(T) <= kAReuseBytes) {
    whole = static_cast<T*>(gemm_scratch(kScratchAReuse + slot, sizeof(T) * size_t(m_pad * g.k)));
    packed = a_reuse_token[slot] == g.a_reuse && a_reuse_mr[slot] == MR;
  }
  for (int64_t jc = 0; jc < g.n; jc += NC) {
    const int64_t nc = min64<T>(NC, g.n - jc);
    const int64_t npan = (nc + NR - 1) / NR;
    for (int64_t pc = 0; pc < g.k; pc += KC) {
      const int64_t kc = min64<T>(KC, g.k - pc);
      const bool acc = pc > 0 || g.accumulate;
      pack_b<T, K::NR>(g, pc, kc, jc, nc, bp);
      for (int64_t ic = 0; ic < g.m; ic += MC) {
        const int64_t mc = min64<T>(MC, g.m - ic);
        if (whole) {
          ap = whole + pc * m_pad + ic * kc;
          if (!packed && jc == 0) pack_a<T, K::MR>(g, ic, mc, pc, kc, ap);
        } else {
          pack_a<T, K::MR>(g, ic, mc, pc, kc, ap);
        }
        if (bl.a_in_l1) {
          // one A micro-panel stays in L1 while B micro-panels stream from L2
          for (int64_t ir = 0; ir < mc; ir += MR) {
            const int64_t rows = min64<T>(MR, mc - ir);
            T* cc = g.c + (ic + ir) * g.ldc + jc * g.c_cs;
            for (int64_t jp = 0; jp < npan; jp++) {
              tile<T, K>(kc, ap + ir * kc, bp + jp * NR * kc, cc + jp * NR * g.c_cs, g.ldc, g.c_cs, rows,
                         min64<T>(NR, nc - jp * NR), acc);
            }
          }
        } else {
          // one B micro-panel stays in L1 while A micro-panels stream from L2
          for (int64_t jp = 0; jp < npan; jp++) {
            const int64_t cols = min64<T>(NR, nc - jp * NR);
            const T* bpp = bp + jp * NR * kc;
            T* cc = g.c + ic * g.ldc + (jc + jp * NR) * g.c_cs;
            for (int64_t ir = 0; ir < mc; ir += MR) {
              tile<T, K>(kc, ap + ir * kc, bpp, cc + ir * g.ldc, g.ldc, g.c_cs, min64<T>(MR, mc - ir), cols, acc);
            }
          }
        }
      }
    }
  }
  if (whole) {
    a_reuse_token[slot] = g.a_reuse;
    a_reuse_mr[slot] = int(MR);
  }
}

// Threads split C into blocks of whole micro-tile rows (or columns) and each runs the one-thread
// product on its block: the shared operand is packed once per thread, and no thread ever waits for
// another before the end, which keeps throughput when the machine is busy with other work.
template <typename T>
struct SplitJob {
  const GemmArgs<T>* g;
  Blocking bl;
  bool split_m;
};

template <typename T, typename K>
static void split_worker(void* ctx, int chunk, int nt, int tid) {
  SplitJob<T>* job = static_cast<SplitJob<T>*>(ctx);
  GemmArgs<T> sub = *job->g;
  sub.a_reuse = 0;  // each thread packs its own part of A
  if (job->split_m) {
    const int64_t units = (sub.m + K::MR - 1) / K::MR;
    const int64_t r0 = min64<T>(sub.m, units * chunk / nt * K::MR), r1 = min64<T>(sub.m, units * (chunk + 1) / nt * K::MR);
    if (sub.a_ro) sub.a_ro += r0;
    else sub.a += r0 * sub.a_rs;
    sub.c += r0 * sub.ldc;
    sub.m = r1 - r0;
  } else {
    const int64_t units = (sub.n + K::NR - 1) / K::NR;
    const int64_t c0 = min64<T>(sub.n, units * chunk / nt * K::NR), c1 = min64<T>(sub.n, units * (chunk + 1) / nt * K::NR);
    if (sub.b_co) sub.b_co += c0;
    else sub.b += c0 * sub.b_cs;
    sub.c += c0 * sub.c_cs;
    sub.n = c1 - c0;
  }
  if (sub.m > 0 && sub.n > 0) packed_gemm<T, K>(sub, job->bl, tid);
}

// Skinny and small products without packing: rows of C accumulate scaled rows of B (B and C must
// have unit column strides). Columns [j0, j1) only, so threads can split wide products.
template <typename T>
static void small_rows(const GemmArgs<T>& g, int64_t j0, int64_t j1) {
  const int64_t JB = 512;
  for (int64_t i = 0; i < g.m; i += 4) {
    const int64_t rows = min64<T>(4, g.m - i);
    for (int64_t jb = j0; jb < j1; jb += JB) {
      const int64_t w = min64<T>(JB, j1 - jb);
      T* __restrict c0 = g.c + i * g.ldc + jb;
      if (!g.accumulate) {
        for (int64_t r = 0; r < rows; r++)
          for (int64_t j = 0; j < w; j++) c0[r * g.ldc + j] = T(0);
      }
      const T* arow = g.a + i * g.a_rs;
      if (rows == 4) {
        T* __restrict c1 = c0 + g.ldc;
        T* __restrict c2 = c1 + g.ldc;
        T* __restrict c3 = c2 + g.ldc;
        for (int64_t p = 0; p < g.k; p++) {
          const T a0 = arow[p * g.a_cs], a1 = arow[g.a_rs + p * g.a_cs];
          const T a2 = arow[2 * g.a_rs + p * g.a_cs], a3 = arow[3 * g.a_rs + p * g.a_cs];
          const T* __restrict br = g.b + p * g.b_rs + jb;
          for (int64_t j = 0; j < w; j++) {
            const T bv = br[j];
            c0[j] += a0 * bv;
            c1[j] += a1 * bv;
            c2[j] += a2 * bv;
            c3[j] += a3 * bv;
          }
        }
      } else {
        for (int64_t r = 0; r < rows; r++) {
          T* __restrict cr = c0 + r * g.ldc;
          for (int64_t p = 0; p < g.k; p++) {
            const T av = arow[r * g.a_rs + p * g.a_cs];
            const T* __restrict br = g.b + p * g.b_rs + jb;
            for (int64_t j = 0; j < w; j++) cr[j] += av * br[j];
          }
        }
      }
    }
  }
}

// Matrix-vector (n == 1): one dot product per row of A, 16 partial sums.
template <typename T>
static void small_dot(const GemmArgs<T>& g, int64_t i0, int64_t i1) {
  for (int64_t i = i0; i < i1; i++) {
    const T* __restrict ar = g.a + i * g.a_rs;
    T s[16] = {0};
    int64_t p = 0;
    if (g.a_cs == 1 && g.b_rs == 1) {
      for (; p + 16 <= g.k; p += 16)
        for (int l = 0; l < 16; l++) s[l] += ar[p + l] * g.b[p + l];
    }
    for (; p < g.k; p++) s[0] += ar[p * g.a_cs] * g.b[p * g.b_rs];
    T t = T(0);
    for (int l = 0; l < 16; l++) t += s[l];
    if (g.accumulate) g.c[i * g.ldc] += t;
    else g.c[i * g.ldc] = t;
  }
}

template <typename T>
struct SmallJob {
  const GemmArgs<T>* g;
  bool dot;
};

template <typename T>
static void small_worker(void* ctx, int chunk, int nt, int) {
  SmallJob<T>* job = static_cast<SmallJob<T>*>(ctx);
  const GemmArgs<T>& g = *job->g;
  if (job->dot) {
    small_dot<T>(g, g.m * chunk / nt, g.m * (chunk + 1) / nt);
  } else {
    const int64_t chunks = (g.n + 15) / 16;
    small_rows<T>(g, min64<T>(g.n, chunks * chunk / nt * 16), min64<T>(g.n, chunks * (chunk + 1) / nt * 16));
  }
}

template <typename T, typename K>
static void gemm_entry(const GemmArgs<T>& g, int nthreads, int slot, const Blocking& bl) {
  const double work = double(g.m) * double(g.n) * double(g.k);
  const bool dot = g.n == 1;
  const bool indexed = g.a_ro || g.a_co || g.b_ro || g.b_co;
  const bool small = !indexed && (dot || (g.b_cs == 1 && g.c_cs == 1 && (g.m <= 4 || work <= 48.0 * 48 * 48)));
  if (small) {
    SmallJob<T> job{&g, dot};
    const int64_t span = dot ? g.m : (g.n + 15) / 16;
    int nt = nthreads;
    if (span < nt) nt = int(span);
    if (nt > 1) {
      gemm_pool_run(nt, small_worker<T>, &job);
    } else {
      small_worker<T>(&job, 0, 1, slot);
    }
    return;
  }
  if (nthreads > 1) {
    // split the longer side of C, in whole micro-tiles
    const bool split_m = g.m * K::NR >= g.n * K::MR;
    SplitJob<T> job{&g, bl, split_m};
    gemm_pool_run(nthreads, split_worker<T, K>, &job);
  } else {
    packed_gemm<T, K>(g, bl, slot);
  }
}

// Row-tile choice: with two micro-kernels of the same NR, K (MR rows) and K2 (fewer rows, MR2), a
// product runs with K2 where padding m to whole K2 tiles leaves at least 3% (1/34) fewer rows than
// K's, about what the smaller tile costs where neither pads (bench/gemm-rows.ts, results in
// bench/results/gemm-rows.txt): m = 64, 100, 128 and 256 fill 72, 108, 132 and 264 rows of 12-row
// tiles but 64, 104, 128 and 256 of 8-row ones; from 512 on the 12-row tile stays.
// gemmRowTile (CHAINRULE_GEMM_MR) forces one of them.
template <typename T, typename K, typename K2>
static void gemm_entry_mr(const GemmArgs<T>& g, int nthreads, int slot, const Blocking& bl) {
  const int f = gemm_forced_mr();
  const int64_t rows = (g.m + K::MR - 1) / K::MR * K::MR, rows2 = (g.m + K2::MR - 1) / K2::MR * K2::MR;
  const bool second = f == K2::MR || (f != K::MR && rows2 * 34 < rows * 33);
  if (second) gemm_entry<T, K2>(g, nthreads, slot, bl);
  else gemm_entry<T, K>(g, nthreads, slot, bl);
}

