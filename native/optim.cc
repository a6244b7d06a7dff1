// Fused optimizer updates (PyTorch's SGD and Adam/AdamW), element for element the arithmetic of
// the TypeScript backend: double precision, with state read back after each rounded store.
#include <cmath>

#include "common.h"

namespace cr {
namespace {

template <typename T>
void sgd_t(T* p, const T* g, T* buf, int64_t n, const SgdArgs& o) {
  parallel_for(n, kElemGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) {
      double d = o.maximize ? -double(g[i]) : double(g[i]);
      if (o.weight_decay != 0) d += o.weight_decay * double(p[i]);
      if (o.momentum != 0 && buf) {
        const double bv = o.first_step ? d : o.momentum * double(buf[i]) + (1 - o.dampening) * d;
        buf[i] = T(bv);
        d = o.nesterov ? d + o.momentum * bv : bv;
      }
      p[i] = T(double(p[i]) - o.lr * d);
    }
  });
}

template <typename T>
void adam_t(T* p, const T* g, T* m, T* v, T* vmax, int64_t n, const AdamArgs& o) {
  parallel_for(n, kElemGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) {
      double gi = o.maximize ? -double(g[i]) : double(g[i]);
      if (o.weight_decay != 0) {
        if (o.decoupled) p[i] = T(double(p[i]) * (1 - o.lr * o.weight_decay));
        else gi += o.weight_decay * double(p[i]);
      }
      m[i] = T(o.beta1 * double(m[i]) + (1 - o.beta1) * gi);
      v[i] = T(o.beta2 * double(v[i]) + (1 - o.beta2) * gi * gi);
      double vv = double(v[i]);
      if (o.amsgrad && vmax) {
        if (vv > double(vmax[i])) vmax[i] = T(vv);
        vv = double(vmax[i]);
      }
      p[i] = T(double(p[i]) - (o.step_size * double(m[i])) / (std::sqrt(vv) / o.bc2sqrt + o.eps));
    }
  });
}

}  // namespace

void sgd_step(DType t, void* p, const void* g, void* buf, int64_t n, const SgdArgs& o) {
  if (t == F32) sgd_t(static_cast<float*>(p), static_cast<const float*>(g), static_cast<float*>(buf), n, o);
  else sgd_t(static_cast<double*>(p), static_cast<const double*>(g), static_cast<double*>(buf), n, o);
}

void adam_step(DType t, void* p, const void* g, void* m, void* v, void* vmax, int64_t n, const AdamArgs& o) {
  if (t == F32) {
    adam_t(static_cast<float*>(p), static_cast<const float*>(g), static_cast<float*>(m), static_cast<float*>(v),
           static_cast<float*>(vmax), n, o);
  } else {
    adam_t(static_cast<double*>(p), static_cast<const double*>(g), static_cast<double*>(m), static_cast<double*>(v),
           static_cast<double*>(vmax), n, o);
  }
}

}  // namespace cr
