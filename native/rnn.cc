// Fused recurrent layers over a whole sequence (Elman tanh/relu, GRU, LSTM with PyTorch's gate
// layouts): per step one GEMM h·W_hhᵀ and one pass over the gates, with no allocation per step.
// The backward is backpropagation through time from the values the forward saved. Gate arithmetic
// is done in double precision, as in the TypeScript reference (src/backend/js/rnn.ts).
#include <cstdlib>
#include <cstring>
#include <vector>

#include "common.h"
#include "matmul.h"
#include "vmath.h"

#pragma GCC optimize("no-trapping-math")

namespace cr {
namespace {

enum Kind { K_TANH = 0, K_RELU = 1, K_GRU = 2, K_LSTM = 3 };
constexpr int kGates[4] = {1, 1, 3, 4};
constexpr int kSaved[4] = {1, 1, 4, 6};

// ---- one batch row of the gates, forward --------------------------------------------------
// gx, gh: [G] pre-activations (gh includes b_hh); hp: the state before the step; c: the cell
// state, updated in place (LSTM); sv: [saved·H]; out and h: [H] (h updated only when live).

// The rows write the new state into `out`; the caller keeps it (live step) or zeroes it (masked).
template <typename T>
CR_CLONES void elman_fwd_row(int64_t H, bool relu, const T* __restrict gx, const T* __restrict gh, T* __restrict sv, T* __restrict out) {
  if (relu) {
    // the saved planes of one row never overlap
#pragma GCC ivdep
  for (int64_t j = 0; j < H; j++) {
      const double v = double(gx[j]) + double(gh[j]);
      out[j] = sv[j] = T(v < 0 ? 0.0 : v);  // NaN passes, as PyTorch's relu
    }
  } else {
    for (int64_t j = 0; j < H; j++) out[j] = sv[j] = T(vtanh(double(gx[j]) + double(gh[j])));
  }
}

template <typename T>
CR_CLONES void gru_fwd_row(int64_t H, const T* __restrict gx, const T* __restrict gh, const T* __restrict hp, T* __restrict sv, T* __restrict out) {
  // the saved planes of one row never overlap
#pragma GCC ivdep
  for (int64_t j = 0; j < H; j++) {
    const double r = vsigmoid(double(gx[j]) + double(gh[j]));
    const double z = vsigmoid(double(gx[H + j]) + double(gh[H + j]));
    const double ghn = double(gh[2 * H + j]);
    const double n = vtanh(double(gx[2 * H + j]) + r * ghn);
    const double y = (1 - z) * n + z * double(hp[j]);
    sv[j] = T(r);
    sv[H + j] = T(z);
    sv[2 * H + j] = T(n);
    sv[3 * H + j] = T(ghn);
    out[j] = T(y);
  }
}

// c: the cell state before the step; c2: the one after it
template <typename T>
CR_CLONES void lstm_fwd_row(int64_t H, const T* __restrict gx, const T* __restrict gh, const T* __restrict c, T* __restrict sv, T* __restrict out, T* __restrict c2out) {
  // the saved planes of one row never overlap
#pragma GCC ivdep
  for (int64_t j = 0; j < H; j++) {
    const double i = vsigmoid(double(gx[j]) + double(gh[j]));
    const double f = vsigmoid(double(gx[H + j]) + double(gh[H + j]));
    const double g = vtanh(double(gx[2 * H + j]) + double(gh[2 * H + j]));
    const double o = vsigmoid(double(gx[3 * H + j]) + double(gh[3 * H + j]));
    const double cp = double(c[j]);
    const double c2 = f * cp + i * g;
    const double tc = vtanh(c2);
    const double y = o * tc;
    sv[j] = T(i);
    sv[H + j] = T(f);
    sv[2 * H + j] = T(g);
    sv[3 * H + j] = T(o);
    sv[4 * H + j] = T(cp);
    sv[5 * H + j] = T(tc);
    out[j] = T(y);
    c2out[j] = T(c2);
  }
}

// ---- one batch row of the gates, backward --------------------------------------------------
// dh: the gradient reaching h' (state carried from the next step plus this step's output);
// writes dgx/dgh [G] and `next`, the part of d(state before the step) that is not dgh·W_hh.

template <typename T>
CR_CLONES void elman_bwd_row(int64_t H, bool relu, const T* __restrict sv, const T* __restrict dh, const T* __restrict dout, T* __restrict dgx, T* __restrict next) {
  // the saved planes of one row never overlap
#pragma GCC ivdep
  for (int64_t j = 0; j < H; j++) {
    const double d = double(dh[j]) + (dout ? double(dout[j]) : 0.0);
    const double y = double(sv[j]);
    // relu: PyTorch's threshold_backward, y <= 0 ? 0 : d (a NaN state passes the gradient)
    dgx[j] = T(relu ? (y <= 0 ? 0.0 : d) : d * (1 - y * y));
    next[j] = T(0);
  }
}

template <typename T>
CR_CLONES void gru_bwd_row(int64_t H, const T* __restrict sv, const T* __restrict hp, const T* __restrict dh, const T* __restrict dout, T* __restrict dgx, T* __restrict dgh, T* __restrict next) {
  // the saved planes of one row never overlap
#pragma GCC ivdep
  for (int64_t j = 0; j < H; j++) {
    const double d = double(dh[j]) + (dout ? double(dout[j]) : 0.0);
    const double r = double(sv[j]), z = double(sv[H + j]), n = double(sv[2 * H + j]), ghn = double(sv[3 * H + j]);
    const double dpn = d * (1 - z) * (1 - n * n);
    const double dpr = dpn * ghn * r * (1 - r);
    const double dpz = d * (double(hp[j]) - n) * z * (1 - z);
    dgx[j] = T(dpr);
    dgx[H + j] = T(dpz);
    dgx[2 * H + j] = T(dpn);
    dgh[j] = T(dpr);
    dgh[H + j] = T(dpz);
    dgh[2 * H + j] = T(dpn * r);
    next[j] = T(d * z);
  }
}

template <typename T>
CR_CLONES void lstm_bwd_row(int64_t H, const T* __restrict sv, const T* __restrict dh, const T* __restrict dout, T* __restrict dc, T* __restrict dgx, T* __restrict next) {
  // the saved planes of one row never overlap
#pragma GCC ivdep
  for (int64_t j = 0; j < H; j++) {
    const double d = double(dh[j]) + (dout ? double(dout[j]) : 0.0);
    const double i = double(sv[j]), f = double(sv[H + j]), g = double(sv[2 * H + j]), o = double(sv[3 * H + j]);
    const double cp = double(sv[4 * H + j]), tc = double(sv[5 * H + j]);
    const double dct = double(dc[j]) + d * o * (1 - tc * tc);
    dgx[j] = T(dct * g * i * (1 - i));
    dgx[H + j] = T(dct * cp * f * (1 - f));
    dgx[2 * H + j] = T(dct * i * (1 - g * g));
    dgx[3 * H + j] = T(d * tc * o * (1 - o));
    dc[j] = T(dct * f);
    next[j] = T(0);
  }
}

// Rows per thread for the gate passes (each row costs a few ns per hidden unit).
int64_t row_grain(int64_t H) { return H >= 4096 ? 1 : 4096 / H; }

template <typename T>
void forward_t(DType dt, const RnnArgs& s, const T* gx, const T* h0, const T* c0, const T* whh, const T* bhh,
               const uint8_t* mask, T* out, T* h, T* c, T* hprev, T* saved) {
  const int64_t T_ = s.T, B = s.B, H = s.H;
  const int64_t G = kGates[s.kind] * H, S = kSaved[s.kind] * H;
  std::vector<T> gh(size_t(B * G));
  std::vector<T> c2(c ? size_t(B * H) : 0);
  memcpy(h, h0, sizeof(T) * size_t(B * H));
  if (c) memcpy(c, c0, sizeof(T) * size_t(B * H));
  const MatmulSpec mm{1, B, G, H, false, true, 0, 0};
  for (int64_t k = 0; k < T_; k++) {
    const int64_t t = s.reverse ? T_ - 1 - k : k;
    T* hp = hprev + t * B * H;
    memcpy(hp, h, sizeof(T) * size_t(B * H));
    matmul(dt, hp, whh, gh.data(), mm);
    parallel_for(B, row_grain(H), [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; b++) {
        T* ghr = gh.data() + b * G;
        if (bhh)
          for (int64_t q = 0; q < G; q++) ghr[q] += bhh[q];
        const bool live = !mask || mask[t * B + b] != 0;
        const T* gxr = gx + (t * B + b) * G;
        T* sv = saved + (t * B + b) * S;
        T* o = out + (t * B + b) * H;
        switch (s.kind) {
          case K_TANH:
          case K_RELU: elman_fwd_row<T>(H, s.kind == K_RELU, gxr, ghr, sv, o); break;
          case K_GRU: gru_fwd_row<T>(H, gxr, ghr, hp + b * H, sv, o); break;
          default: lstm_fwd_row<T>(H, gxr, ghr, c + b * H, sv, o, c2.data() + b * H); break;
        }
        if (live) {
          memcpy(h + b * H, o, sizeof(T) * size_t(H));
          if (c) memcpy(c + b * H, c2.data() + b * H, sizeof(T) * size_t(H));
        } else {
          memset(o, 0, sizeof(T) * size_t(H));
        }
      }
    });
  }
}

template <typename T>
void backward_t(DType dt, const RnnArgs& s, const T* whh, const uint8_t* mask, const T* hprev, const T* saved,
                const T* dout, const T* dhN, const T* dcN, T* dgx_all, T* dgh_all, T* dh, T* dc) {
  const int64_t T_ = s.T, B = s.B, H = s.H;
  const int64_t G = kGates[s.kind] * H, S = kSaved[s.kind] * H;
  std::vector<T> next(size_t(B * H));
  if (dhN) memcpy(dh, dhN, sizeof(T) * size_t(B * H));
  else memset(dh, 0, sizeof(T) * size_t(B * H));
  if (dc) {
    if (dcN) memcpy(dc, dcN, sizeof(T) * size_t(B * H));
    else memset(dc, 0, sizeof(T) * size_t(B * H));
  }
  if (!dgh_all) dgh_all = dgx_all;
  const MatmulSpec mm{1, B, H, G, false, false, 0, 0};
  for (int64_t k = T_ - 1; k >= 0; k--) {
    const int64_t t = s.reverse ? T_ - 1 - k : k;
    T* dgh = dgh_all + t * B * G;
    parallel_for(B, row_grain(H), [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; b++) {
        T* dgxr = dgx_all + (t * B + b) * G;
        T* dghr = dgh + b * G;
        T* nx = next.data() + b * H;
        const T* dhr = dh + b * H;
        if (mask && mask[t * B + b] == 0) {
          // the step kept the state: its gradient passes by, and nothing reaches the gates
          memcpy(nx, dhr, sizeof(T) * size_t(H));
          memset(dgxr, 0, sizeof(T) * size_t(G));
          if (dghr != dgxr) memset(dghr, 0, sizeof(T) * size_t(G));
          continue;
        }
        const T* sv = saved + (t * B + b) * S;
        const T* dor = dout ? dout + (t * B + b) * H : nullptr;
        switch (s.kind) {
          case K_TANH:
          case K_RELU: elman_bwd_row<T>(H, s.kind == K_RELU, sv, dhr, dor, dgxr, nx); break;
          case K_GRU: gru_bwd_row<T>(H, sv, hprev + (t * B + b) * H, dhr, dor, dgxr, dghr, nx); break;
          default: lstm_bwd_row<T>(H, sv, dhr, dor, dc + b * H, dgxr, nx); break;
        }
      }
    });
    // d(state before the step) = next + dgh·W_hh
    matmul(dt, dgh, whh, dh, mm);
    parallel_for(B * H, kElemGrain, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; i++) dh[i] += next[size_t(i)];
    });
  }
}

}  // namespace

void rnn_forward(DType t, const RnnArgs& s, const void* gx, const void* h0, const void* c0, const void* whh,
                 const void* bhh, const uint8_t* mask, void* out, void* hN, void* cN, void* hprev, void* saved) {
  if (t == F32) {
    forward_t<float>(t, s, static_cast<const float*>(gx), static_cast<const float*>(h0), static_cast<const float*>(c0),
                     static_cast<const float*>(whh), static_cast<const float*>(bhh), mask, static_cast<float*>(out),
                     static_cast<float*>(hN), static_cast<float*>(cN), static_cast<float*>(hprev), static_cast<float*>(saved));
  } else {
    forward_t<double>(t, s, static_cast<const double*>(gx), static_cast<const double*>(h0), static_cast<const double*>(c0),
                      static_cast<const double*>(whh), static_cast<const double*>(bhh), mask, static_cast<double*>(out),
                      static_cast<double*>(hN), static_cast<double*>(cN), static_cast<double*>(hprev), static_cast<double*>(saved));
  }
}

void rnn_backward(DType t, const RnnArgs& s, const void* whh, const uint8_t* mask, const void* hprev, const void* saved,
                  const void* dout, const void* dhN, const void* dcN, void* dgx, void* dgh, void* dh0, void* dc0) {
  if (t == F32) {
    backward_t<float>(t, s, static_cast<const float*>(whh), mask, static_cast<const float*>(hprev), static_cast<const float*>(saved),
                      static_cast<const float*>(dout), static_cast<const float*>(dhN), static_cast<const float*>(dcN),
                      static_cast<float*>(dgx), static_cast<float*>(dgh), static_cast<float*>(dh0), static_cast<float*>(dc0));
  } else {
    backward_t<double>(t, s, static_cast<const double*>(whh), mask, static_cast<const double*>(hprev), static_cast<const double*>(saved),
                       static_cast<const double*>(dout), static_cast<const double*>(dhN), static_cast<const double*>(dcN),
                       static_cast<double*>(dgx), static_cast<double*>(dgh), static_cast<double*>(dh0), static_cast<double*>(dc0));
  }
}

}  // namespace cr
