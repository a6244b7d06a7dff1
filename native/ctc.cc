// The CTC loss's alpha and beta recursions in log space, the C twin of src/backend/js/ctc.ts (a
// port of PyTorch 1.13's CPU kernels, LossCTC.cpp), in double precision for both float types.
// Samples are independent, so threads split the batch.
#include <cmath>
#include <vector>

#include "common.h"

namespace cr {
namespace {

constexpr double kNegInf = -INFINITY;

inline int64_t prime(const CtcArgs& a, int64_t n, int64_t s) {
  return s % 2 == 0 ? a.blank : a.targets[a.offsets[n] + (s - 1) / 2];
}

// log(e^x + e^y + e^z) around the largest (0 when all are -inf), as PyTorch writes it
inline double log_sum3(double x, double y, double z) {
  double m = x;
  if (y > m) m = y;
  if (z > m) m = z;
  if (m == kNegInf) m = 0;
  return std::log(std::exp(x - m) + std::exp(y - m) + std::exp(z - m)) + m;
}

template <typename T>
void forward_t(const CtcArgs& a, const T* lp, T* nll) {
  const int64_t T_ = a.T, N = a.N, C = a.C, S = 2 * a.max_target_length + 1;
  parallel_for(N, 1, [&](int64_t n0, int64_t n1) {
    for (int64_t n = n0; n < n1; n++) {
      const int64_t il = a.input_lengths[n], tl = a.target_lengths[n];
      if (il == 0) {
        nll[n] = T(tl == 0 ? 0.0 : INFINITY);
        continue;
      }
      auto at = [&](int64_t t, int64_t c) { return double(lp[(t * N + n) * C + c]); };
      double* la = a.log_alpha + n * T_ * S;
      for (int64_t s = 0; s < S; s++) la[s] = kNegInf;
      la[0] = at(0, a.blank);
      if (tl > 0) la[1] = at(0, prime(a, n, 1));
      for (int64_t t = 1; t < il; t++) {
        const double* prev = la + (t - 1) * S;
        double* row = la + t * S;
        for (int64_t s = 0; s < 2 * tl + 1; s++) {
          const int64_t cur = prime(a, n, s);
          const double la2 = s > 0 ? prev[s - 1] : kNegInf;
          const double la3 = s > 1 && prime(a, n, s - 2) != cur ? prev[s - 2] : kNegInf;
          row[s] = log_sum3(prev[s], la2, la3) + at(t, cur);
        }
      }
      const double* last = la + (il - 1) * S;
      if (tl == 0) {
        nll[n] = T(-last[0]);
      } else {
        const double l1 = last[2 * tl], l2 = last[2 * tl - 1];
        double m = l1 > l2 ? l1 : l2;
        if (m == kNegInf) m = 0;
        nll[n] = T(-(std::log(std::exp(l1 - m) + std::exp(l2 - m)) + m));
      }
    }
  });
}

template <typename T>
void backward_t(const CtcArgs& a, const T* lp, const T* nll, const T* gout, T* grad) {
  const int64_t T_ = a.T, N = a.N, C = a.C, S = 2 * a.max_target_length + 1;
  parallel_for(N, 1, [&](int64_t n0, int64_t n1) {
    std::vector<double> lb(size_t(T_ * S)), lcab(size_t(T_ * C));
    for (int64_t n = n0; n < n1; n++) {
      const int64_t il = a.input_lengths[n], tl = a.target_lengths[n];
      const double loss = double(nll[n]);
      auto at = [&](int64_t t, int64_t c) { return (t * N + n) * C + c; };
      if (a.zero_infinity && loss == INFINITY) {
        for (int64_t t = 0; t < T_; t++)
          for (int64_t c = 0; c < C; c++) grad[at(t, c)] = T(0);
        continue;
      }
      const double* la = a.log_alpha + n * T_ * S;
      for (auto& v : lcab) v = kNegInf;
      if (il > 0) {
        const int64_t r = (il - 1) * S;
        for (int64_t s = 0; s < S; s++) lb[r + s] = kNegInf;
        lb[r + 2 * tl] = double(lp[at(il - 1, a.blank)]);
        lcab[(il - 1) * C + a.blank] = la[r + 2 * tl] + lb[r + 2 * tl];
        if (tl > 0) {
          const int64_t cur = prime(a, n, 2 * tl - 1);
          lb[r + 2 * tl - 1] = double(lp[at(il - 1, cur)]);
          lcab[(il - 1) * C + cur] = la[r + 2 * tl - 1] + lb[r + 2 * tl - 1];
        }
      }
      for (int64_t t = il - 2; t >= 0; t--) {
        const int64_t next = (t + 1) * S, row = t * S;
        for (int64_t s = 2 * tl; s >= 0; s--) {
          const int64_t cur = prime(a, n, s);
          const double lb2 = s < 2 * tl ? lb[next + s + 1] : kNegInf;
          const double lb3 = s < 2 * tl - 1 && prime(a, n, s + 2) != cur ? lb[next + s + 2] : kNegInf;
          lb[row + s] = log_sum3(lb[next + s], lb2, lb3) + double(lp[at(t, cur)]);
          const double lab = la[row + s] + lb[row + s];
          double& k = lcab[t * C + cur];
          if (k == kNegInf) {
            k = lab;
          } else {
            const double m = k > lab ? k : lab;
            k = std::log(std::exp(k - m) + std::exp(lab - m)) + m;
          }
        }
      }
      const double gr = double(gout[n]);
      for (int64_t t = 0; t < T_; t++) {
        for (int64_t c = 0; c < C; c++) {
          const int64_t i = at(t, c);
          const double l = double(lp[i]);
          grad[i] = t < il ? T((std::exp(l) - std::exp(lcab[t * C + c] + loss - l)) * gr) : T(0);
        }
      }
    }
  });
}

}  // namespace

void ctc_loss(DType t, const CtcArgs& a, const void* lp, void* nll) {
  if (t == F64) forward_t(a, static_cast<const double*>(lp), static_cast<double*>(nll));
  else forward_t(a, static_cast<const float*>(lp), static_cast<float*>(nll));
}

void ctc_loss_backward(DType t, const CtcArgs& a, const void* lp, const void* nll, const void* gout, void* grad) {
  if (t == F64) {
    backward_t(a, static_cast<const double*>(lp), static_cast<const double*>(nll), static_cast<const double*>(gout), static_cast<double*>(grad));
  } else {
    backward_t(a, static_cast<const float*>(lp), static_cast<const float*>(nll), static_cast<const float*>(gout), static_cast<float*>(grad));
  }
}

}  // namespace cr
