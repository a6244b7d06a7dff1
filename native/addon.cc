// Node-API bindings of the native backend. Every function takes typed arrays (their memory is
// used in place, never copied) and plain numbers; shapes and strides come in one Float64Array.
// The TypeScript wrapper (src/backend/native/) validates arguments before calling in here.
//
// One trampoline, Bind<F>, serves every kernel: it reads the JS arguments by the C++ types of F's
// parameters (Arr, OptArr, ArrOf<D>, Dims<G>, Spec<N>, int64_t, double, bool, Name), takes the
// lock and calls F. A binding below is only the mapping of its arguments onto the kernel.
#include <node_api.h>

#include <mutex>
#include <tuple>
#include <type_traits>
#include <utility>

#include "common.h"
#include "gemm.h"
#include "matmul.h"
#include "ops.h"
#include "storage.h"

// The storage pool hands V8 array buffers over its own blocks, with a deleter that gives them back:
// Node-API has no such buffer (its external buffers run their finalizer from the event loop, which a
// synchronous training loop never reaches), so this one binding uses V8's API where Node ships it.
#if __has_include(<v8.h>)
#include <v8.h>
#define CR_STORAGE_POOL 1
#endif

namespace {

using cr::DType;

std::mutex g_mutex;  // kernels share scratch buffers and the pool: one call at a time per process

// ---- argument types ------------------------------------------------------------------------

// A typed array (Float32, Float64, Int32 or Uint8), used in place.
struct Arr {
  void* data = nullptr;
  size_t length = 0;
  DType type = cr::F32;
  template <typename T>
  T* as() const {
    return static_cast<T*>(data);
  }
};
// A typed array, or null / undefined (a null pointer).
struct OptArr : Arr {};
// A typed array of one dtype (Int32Array indices and offset tables, Uint8Array masks).
template <DType D>
struct ArrOf : Arr {};
template <DType D>
struct OptArrOf : Arr {};
// A Float64Array of `rank` followed by G vectors of `rank` integers (shape, strides...).
template <int G>
struct Dims {
  int rank = 0;
  int64_t v[G][cr::kMaxRank];
};
// A Float64Array of at least N numbers (a spec or option block).
template <int N>
struct Spec {
  const double* v = nullptr;
};
// A string (at most 31 bytes) or null (given == false).
struct Name {
  bool given = false;
  char s[32] = {0};
};
// A binding's result that throws a TypeError when msg is set.
struct Error {
  const char* msg = nullptr;
};

bool throw_type(napi_env env, const char* msg) {
  napi_throw_type_error(env, nullptr, msg);
  return false;
}

bool get_array(napi_env env, napi_value v, Arr& out, bool allow_null) {
  if (allow_null) {
    napi_valuetype vt;
    napi_typeof(env, v, &vt);
    if (vt == napi_null || vt == napi_undefined) {
      out = Arr();
      return true;
    }
  }
  bool is_ta = false;
  napi_is_typedarray(env, v, &is_ta);
  if (!is_ta) return throw_type(env, "chainrule native: expected a typed array");
  napi_typedarray_type t;
  napi_value buf;
  size_t off;
  if (napi_get_typedarray_info(env, v, &t, &out.length, &out.data, &buf, &off) != napi_ok)
    return throw_type(env, "chainrule native: unreadable typed array");
  switch (t) {
    case napi_float32_array: out.type = cr::F32; break;
    case napi_float64_array: out.type = cr::F64; break;
    case napi_int32_array: out.type = cr::I32; break;
    case napi_uint8_array: out.type = cr::U8; break;
    default: return throw_type(env, "chainrule native: unsupported typed array type");
  }
  return true;
}

bool read(napi_env env, napi_value v, double& d) {
  d = 0;
  napi_get_value_double(env, v, &d);
  return true;
}

bool read(napi_env env, napi_value v, int64_t& i) {
  double d;
  read(env, v, d);
  i = int64_t(d);
  return true;
}

bool read(napi_env env, napi_value v, bool& b) {
  if (napi_get_value_bool(env, v, &b) == napi_ok) return true;
  double d;
  read(env, v, d);
  b = d != 0;
  return true;
}

bool read(napi_env env, napi_value v, Arr& a) { return get_array(env, v, a, false); }
bool read(napi_env env, napi_value v, OptArr& a) { return get_array(env, v, a, true); }

const char* dtype_error(DType d) {
  return d == cr::I32 ? "chainrule native: expected an Int32Array" : "chainrule native: expected a Uint8Array";
}

template <DType D>
bool read(napi_env env, napi_value v, ArrOf<D>& a) {
  return get_array(env, v, a, false) && (a.type == D || throw_type(env, dtype_error(D)));
}

template <DType D>
bool read(napi_env env, napi_value v, OptArrOf<D>& a) {
  return get_array(env, v, a, true) && (!a.data || a.type == D || throw_type(env, dtype_error(D)));
}

template <int N>
bool read(napi_env env, napi_value v, Spec<N>& s) {
  Arr a;
  if (!get_array(env, v, a, false)) return false;
  if (a.type != cr::F64 || a.length < size_t(N))
    return throw_type(env, "chainrule native: a spec or options block is a Float64Array too short for its call");
  s.v = a.as<const double>();
  return true;
}

template <int G>
bool read(napi_env env, napi_value v, Dims<G>& d) {
  Arr a;
  if (!get_array(env, v, a, false) || a.type != cr::F64) return throw_type(env, "chainrule native: dims must be a Float64Array");
  const double* p = a.as<const double>();
  if (a.length < 1) return throw_type(env, "chainrule native: empty dims");
  d.rank = int(p[0]);
  if (d.rank < 0 || d.rank > cr::kMaxRank || a.length < size_t(1 + G * d.rank))
    return throw_type(env, "chainrule native: bad dims");
  for (int g = 0; g < G; g++)
    for (int i = 0; i < d.rank; i++) d.v[g][i] = int64_t(p[1 + g * d.rank + i]);
  return true;
}

bool read(napi_env env, napi_value v, Name& n) {
  napi_valuetype vt;
  napi_typeof(env, v, &vt);
  n.given = vt == napi_string;
  size_t len = 0;
  if (n.given) napi_get_value_string_utf8(env, v, n.s, sizeof(n.s), &len);
  return true;
}

napi_value result(napi_env env, bool b) {
  napi_value r;
  napi_get_boolean(env, b, &r);
  return r;
}

napi_value result(napi_env env, Error e) {
  if (e.msg) throw_type(env, e.msg);
  return nullptr;
}

// ---- the trampoline ------------------------------------------------------------------------

template <auto F, typename R, typename... A, size_t... I>
napi_value call(napi_env env, napi_callback_info info, R (*)(A...), std::index_sequence<I...>) {
  constexpr size_t n = sizeof...(A);
  size_t argc = n;
  napi_value argv[n];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < n) {
    throw_type(env, "chainrule native: too few arguments");
    return nullptr;
  }
  std::tuple<std::decay_t<A>...> args;
  if (!(read(env, argv[I], std::get<I>(args)) && ...)) return nullptr;  // left to right, first error throws
  std::lock_guard<std::mutex> lock(g_mutex);
  if constexpr (std::is_void_v<R>) {
    F(std::get<I>(args)...);
    return nullptr;
  } else {
    return result(env, F(std::get<I>(args)...));
  }
}

template <typename F>
struct Arity;
template <typename R, typename... A>
struct Arity<R (*)(A...)> {
  static constexpr size_t value = sizeof...(A);
};

// The napi callback of binding F.
template <auto F>
napi_value Bind(napi_env env, napi_callback_info info) {
  return call<F>(env, info, F, std::make_index_sequence<Arity<decltype(F)>::value>());
}

// ---- the bindings: JS arguments (see src/backend/native/addon.ts) onto the kernels ------------

using I32 = ArrOf<cr::I32>;
using U8 = ArrOf<cr::U8>;

// unary(op, x, out, p0, p1) -> false when there is no C case for op
bool unary(int64_t op, const Arr& x, const Arr& out, double p0, double p1) {
  return op >= 0 && op < cr::U_COUNT && cr::unary(int(op), x.type, x.data, out.data, int64_t(x.length), p0, p1);
}

// binary(op, a, b, out, dims=[rank, shape, aStrides, bStrides]) -> as unary
bool binary(int64_t op, const Arr& a, const Arr& b, const Arr& out, const Dims<3>& d) {
  return op >= 0 && op < cr::B_COUNT && cr::binary(int(op), a.type, a.data, b.data, out.data, d.rank, d.v[0], d.v[1], d.v[2]);
}

// where(cond, a, b, out, dims=[rank, shape, cStrides, aStrides, bStrides])
void where(const U8& c, const Arr& a, const Arr& b, const Arr& out, const Dims<4>& d) {
  cr::where(a.type, c.as<const uint8_t>(), a.data, b.data, out.data, d.rank, d.v[0], d.v[1], d.v[2], d.v[3]);
}

void cast(const Arr& x, const Arr& out) { cr::cast(x.type, x.data, out.type, out.data, int64_t(x.length)); }

void reduce(int64_t op, const Arr& x, int64_t outer, int64_t n, int64_t inner, const Arr& out) {
  cr::reduce(int(op), x.type, x.data, outer, n, inner, out.data);
}

// extremumBackward(x, r, g, out, dims=[rank, shape, rStrides])
void extremum_backward(const Arr& x, const Arr& r, const Arr& g, const Arr& out, const Dims<2>& d) {
  cr::extremum_backward(x.type, x.data, r.data, g.data, out.data, d.rank, d.v[0], d.v[1]);
}

void arg_reduce(bool is_max, const Arr& x, int64_t outer, int64_t n, int64_t inner, const I32& out) {
  cr::arg_reduce(is_max, x.type, x.data, outer, n, inner, out.as<int32_t>());
}

void softmax(const Arr& x, int64_t outer, int64_t n, int64_t inner, const Arr& out, bool log) {
  cr::softmax(x.type, x.data, outer, n, inner, out.data, log);
}

// matmul(a, b, out, [batch, m, n, k, transA, transB, strideA, strideB])
void matmul(const Arr& a, const Arr& b, const Arr& out, const Spec<8>& p) {
  const double* s = p.v;
  cr::MatmulSpec spec{int64_t(s[0]), int64_t(s[1]), int64_t(s[2]), int64_t(s[3]), s[4] != 0, s[5] != 0,
                      int64_t(s[6]), int64_t(s[7])};
  cr::matmul(a.type, a.data, b.data, out.data, spec);
}

// gemm(a, b, c, [batch, m, n, k, accumulate, sumBatch, then offset, batch stride, row stride and
// column stride of A, of B and of C], aRows, aCols, bRows, bCols: offset tables or null)
Error gemm(const Arr& a, const Arr& b, const Arr& c, const Spec<18>& p, const OptArrOf<cr::I32>& a_rows,
           const OptArrOf<cr::I32>& a_cols, const OptArrOf<cr::I32>& b_rows, const OptArrOf<cr::I32>& b_cols) {
  if (a.type != c.type || b.type != c.type || (c.type != cr::F32 && c.type != cr::F64))
    return Error{"chainrule native: gemm needs three float arrays of one type"};
  const double* s = p.v;
  auto operand = [s](int i, const Arr& rows, const Arr& cols) {
    return cr::GemmOperand{int64_t(s[i]), int64_t(s[i + 1]), int64_t(s[i + 2]), int64_t(s[i + 3]),
                           rows.as<const int32_t>(), cols.as<const int32_t>()};
  };
  cr::GemmSpec spec{int64_t(s[0]), int64_t(s[1]), int64_t(s[2]), int64_t(s[3]), s[4] != 0, s[5] != 0,
                    operand(6, a_rows, a_cols), operand(10, b_rows, b_cols), operand(14, Arr(), Arr())};
  cr::gemm(c.type, a.data, b.data, c.data, spec);
  return Error();
}

// stridedCopy(src, offset, out, dims=[rank, shape, strides])
void strided_copy(const Arr& src, int64_t offset, const Arr& out, const Dims<2>& d) {
  cr::strided_copy(src.type, src.data, offset, d.rank, d.v[0], d.v[1], out.data);
}

// stridedAccumulate(src, dst, offset, dims=[rank, shape, strides])
void strided_accumulate(const Arr& src, const Arr& dst, int64_t offset, const Dims<2>& d) {
  cr::strided_accumulate(src.type, src.data, d.rank, d.v[0], dst.data, offset, d.v[1]);
}

void index_select(const Arr& x, const I32& idx, int64_t outer, int64_t n, int64_t inner, const Arr& out) {
  cr::index_select(x.type, x.data, idx.as<const int32_t>(), int64_t(idx.length), outer, n, inner, out.data);
}

// conv1dSparseGrad(input, gy, other, out, [N, Cin, L, Cout, K, Lout, stride, dilation], maxNonzeros) -> computed
bool conv1d_sparse_grad(bool input, const Arr& gy, const Arr& other, const Arr& out, const Spec<8>& s, int64_t max_nonzeros) {
  int64_t shape[8];
  for (int i = 0; i < 8; i++) shape[i] = int64_t(s.v[i]);
  return cr::conv1d_sparse_grad(gy.type, input, gy.data, other.data, out.data, shape, max_nonzeros);
}

void index_add(const Arr& g, const I32& idx, int64_t outer, int64_t n, int64_t inner, const Arr& out) {
  cr::index_add(g.type, g.data, idx.as<const int32_t>(), int64_t(idx.length), outer, n, inner, out.data);
}

void gather(const Arr& x, const I32& idx, int64_t outer, int64_t n, int64_t m, int64_t inner, const Arr& out) {
  cr::gather(x.type, x.data, idx.as<const int32_t>(), outer, n, m, inner, out.data);
}

void scatter_add(const Arr& src, const I32& idx, int64_t outer, int64_t n, int64_t m, int64_t inner, const Arr& out) {
  cr::scatter_add(src.type, src.data, idx.as<const int32_t>(), outer, n, m, inner, out.data);
}

// scatterReduce(op, src, idx, out, includeSelf)
void scatter_reduce(int64_t op, const Arr& src, const I32& idx, const Arr& out, bool include_self) {
  cr::scatter_reduce(int(op), out.type, src.data, idx.as<const int32_t>(), int64_t(idx.length), out.data, int64_t(out.length),
                     include_self);
}

// sgdStep(p, g, buf|null, [lr, momentum, dampening, weightDecay, nesterov, maximize, firstStep])
void sgd_step(const Arr& p, const Arr& g, const OptArr& buf, const Spec<7>& o) {
  const double* s = o.v;
  cr::SgdArgs a{s[0], s[1], s[2], s[3], s[4] != 0, s[5] != 0, s[6] != 0};
  cr::sgd_step(p.type, p.data, g.data, buf.data, int64_t(p.length), a);
}

// adamStep(p, g, m, v, vmax|null, [lr, beta1, beta2, eps, weightDecay, stepSize, bc2sqrt,
//          decoupled, amsgrad, maximize])
void adam_step(const Arr& p, const Arr& g, const Arr& m, const Arr& v, const OptArr& vmax, const Spec<10>& o) {
  const double* s = o.v;
  cr::AdamArgs a{s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7] != 0, s[8] != 0, s[9] != 0};
  cr::adam_step(p.type, p.data, g.data, m.data, v.data, vmax.data, int64_t(p.length), a);
}

cr::RnnArgs rnn_args(const Spec<5>& spec) {
  const double* p = spec.v;
  return cr::RnnArgs{int(p[0]), int64_t(p[1]), int64_t(p[2]), int64_t(p[3]), p[4] != 0};
}

// rnnForward([kind, T, B, H, reverse], gx, h0, c0|null, whh, bhh|null, mask|null, out, hN, cN|null,
//            hPrev, saved)
void rnn_forward(const Spec<5>& spec, const Arr& gx, const Arr& h0, const OptArr& c0, const Arr& whh,
                 const OptArr& bhh, const OptArrOf<cr::U8>& mask, const Arr& out, const Arr& hN, const OptArr& cN,
                 const Arr& hprev, const Arr& saved) {
  cr::rnn_forward(gx.type, rnn_args(spec), gx.data, h0.data, c0.data, whh.data, bhh.data, mask.as<const uint8_t>(),
                  out.data, hN.data, cN.data, hprev.data, saved.data);
}

// rnnBackward([kind, T, B, H, reverse], whh, mask|null, hPrev, saved, dOut|null, dhN|null, dcN|null,
//             dgx, dgh|null, dh0, dc0|null)
void rnn_backward(const Spec<5>& spec, const Arr& whh, const OptArrOf<cr::U8>& mask, const Arr& hprev,
                  const Arr& saved, const OptArr& dout, const OptArr& dhN, const OptArr& dcN, const Arr& dgx,
                  const OptArr& dgh, const Arr& dh0, const OptArr& dc0) {
  cr::rnn_backward(whh.type, rnn_args(spec), whh.data, mask.as<const uint8_t>(), hprev.data, saved.data, dout.data,
                   dhN.data, dcN.data, dgx.data, dgh.data, dh0.data, dc0.data);
}

cr::AttnArgs attn_args(const Spec<12>& spec) {
  const double* p = spec.v;
  return cr::AttnArgs{int64_t(p[0]), int64_t(p[1]), int64_t(p[2]), int64_t(p[3]), int64_t(p[4]), p[5], p[6] != 0,
                      int(p[7]), int64_t(p[8]), int64_t(p[9]), p[10], uint32_t(p[11])};
}

// attention([batch, L, S, E, Ev, scale, causal, mask kind, row stride, col stride, dropout p, seed], q, k, v,
//           mask|null, offsets|null, out, lse)
void attention(const Spec<12>& spec, const Arr& q, const Arr& k, const Arr& v, const OptArr& mask,
               const OptArrOf<cr::I32>& offsets, const Arr& out, const Arr& lse) {
  cr::attention_forward(q.type, attn_args(spec), q.data, k.data, v.data, mask.data, offsets.as<const int32_t>(),
                        out.data, lse.data);
}

// attentionBackward(spec, q, k, v, mask|null, offsets|null, out, lse, dOut, dq, dk, dv)
void attention_backward(const Spec<12>& spec, const Arr& q, const Arr& k, const Arr& v, const OptArr& mask,
                        const OptArrOf<cr::I32>& offsets, const Arr& out, const Arr& lse, const Arr& dout,
                        const Arr& dq, const Arr& dk, const Arr& dv) {
  cr::attention_backward(q.type, attn_args(spec), q.data, k.data, v.data, mask.data, offsets.as<const int32_t>(),
                         out.data, lse.data, dout.data, dq.data, dk.data, dv.data);
}

cr::PoolArgs pool_args(const Spec<7>& spec, const I32& rows, const I32& cols) {
  const double* p = spec.v;
  return cr::PoolArgs{int64_t(p[0]), int64_t(p[1]), int64_t(p[2]), int64_t(p[3]), int64_t(p[4]),
                      rows.as<const int32_t>(), cols.as<const int32_t>(), int64_t(p[5]), int64_t(p[6])};
}

// maxPool2d(x, out, indices, rows, cols, [planes, H, W, OH, OW, rowStep, colStep])
void max_pool2d(const Arr& x, const Arr& out, const I32& indices, const I32& rows, const I32& cols, const Spec<7>& s) {
  cr::max_pool2d(x.type, x.data, pool_args(s, rows, cols), out.data, indices.as<int32_t>());
}

// avgPool2d(x, out, rows, cols, rowDiv, colDiv, [planes, H, W, OH, OW, rowStep, colStep]); the
// divisors are Float64Arrays
void avg_pool2d(const Arr& x, const Arr& out, const I32& rows, const I32& cols, const Arr& row_div, const Arr& col_div,
                const Spec<7>& s) {
  cr::avg_pool2d(x.type, x.data, pool_args(s, rows, cols), row_div.as<const double>(), col_div.as<const double>(), out.data);
}

// avgPool2dBackward(gy, gx, rows, cols, rowDiv, colDiv, spec): gx += the adjoint of avgPool2d
void avg_pool2d_backward(const Arr& gy, const Arr& gx, const I32& rows, const I32& cols, const Arr& row_div,
                         const Arr& col_div, const Spec<7>& s) {
  cr::avg_pool2d_backward(gy.type, gy.data, pool_args(s, rows, cols), row_div.as<const double>(), col_div.as<const double>(),
                          gx.data);
}

cr::CtcArgs ctc_args(const Spec<6>& spec, const I32& targets, const I32& offsets, const I32& il, const I32& tl, const Arr& log_alpha) {
  const double* p = spec.v;
  return cr::CtcArgs{int64_t(p[0]), int64_t(p[1]), int64_t(p[2]), int64_t(p[3]), int64_t(p[4]), p[5] != 0,
                     targets.as<const int32_t>(), offsets.as<const int32_t>(), il.as<const int32_t>(), tl.as<const int32_t>(),
                     log_alpha.as<double>()};
}

// ctcLoss(logProbs, nll, logAlpha, targets, offsets, inputLengths, targetLengths, [T, N, C, maxTargetLength, blank, zeroInfinity])
void ctc_loss(const Arr& lp, const Arr& nll, const Arr& log_alpha, const I32& targets, const I32& offsets, const I32& il,
              const I32& tl, const Spec<6>& s) {
  cr::ctc_loss(lp.type, ctc_args(s, targets, offsets, il, tl, log_alpha), lp.data, nll.data);
}

// ctcLossBackward(logProbs, nll, logAlpha, targets, offsets, inputLengths, targetLengths, gradOut, grad, spec)
void ctc_loss_backward(const Arr& lp, const Arr& nll, const Arr& log_alpha, const I32& targets, const I32& offsets,
                       const I32& il, const I32& tl, const Arr& gout, const Arr& grad, const Spec<6>& s) {
  cr::ctc_loss_backward(lp.type, ctc_args(s, targets, offsets, il, tl, log_alpha), lp.data, nll.data, gout.data, grad.data);
}

// configure(isa: string | null, threads: number) -> false when the ISA is not available here
bool configure(const Name& isa, int64_t threads) {
  const bool ok = !isa.given || cr::gemm_set_isa(isa.s);
  if (threads > 0) cr::pool_set_size(int(threads));
  return ok;
}

// gemmRowTile(mr): forces that micro-tile row count where the ISA has two (0: each product chooses),
// for measuring and testing both
void gemm_row_tile(int64_t mr) { cr::gemm_set_forced_mr(int(mr)); }

// gemmReuseA(on): whether a batch that shares A packs it once per thread (the default) or once per
// product, for measuring
void gemm_reuse_a(bool on) { cr::gemm_set_reuse_a(on); }

// ---- functions that are not kernels --------------------------------------------------------

napi_value NameArray(napi_env env, const char* const* names, int n) {
  napi_value arr;
  napi_create_array_with_length(env, size_t(n), &arr);
  for (int i = 0; i < n; i++) {
    napi_value s;
    napi_create_string_utf8(env, names[i], NAPI_AUTO_LENGTH, &s);
    napi_set_element(env, arr, uint32_t(i), s);
  }
  return arr;
}

// kernelNames() -> { unary: string[], binary: string[] }: the op codes' names, in code order
napi_value KernelNames(napi_env env, napi_callback_info) {
  napi_value obj;
  napi_create_object(env, &obj);
  napi_set_named_property(env, obj, "unary", NameArray(env, cr::kUnaryNames, cr::U_COUNT));
  napi_set_named_property(env, obj, "binary", NameArray(env, cr::kBinaryNames, cr::B_COUNT));
  return obj;
}

napi_value SetNumber(napi_env env, napi_value obj, const char* name, double v) {
  napi_value n;
  napi_create_double(env, v, &n);
  napi_set_named_property(env, obj, name, n);
  return obj;
}

// info() -> { isa, threads, blockingF32, blockingF64, caches }
napi_value Info(napi_env env, napi_callback_info) {
  napi_value obj, isa, threads;
  napi_create_object(env, &obj);
  napi_create_string_utf8(env, cr::gemm_isa(), NAPI_AUTO_LENGTH, &isa);
  napi_create_int32(env, cr::pool_size(), &threads);
  napi_set_named_property(env, obj, "isa", isa);
  napi_set_named_property(env, obj, "threads", threads);
  // the GEMM cache blocking in use ([mc, kc, nc] for float32 and float64) and the cache sizes it was scaled to
  for (int f64 = 0; f64 < 2; f64++) {
    const cr::Blocking b = cr::gemm_blocking(f64 != 0);
    napi_value arr;
    napi_create_array_with_length(env, 3, &arr);
    const int64_t v[3] = {b.mc, b.kc, b.nc};
    for (uint32_t i = 0; i < 3; i++) {
      napi_value n;
      napi_create_double(env, double(v[i]), &n);
      napi_set_element(env, arr, i, n);
    }
    napi_set_named_property(env, obj, f64 ? "blockingF64" : "blockingF32", arr);
  }
  const cr::CacheSizes c = cr::gemm_caches();
  napi_value caches;
  napi_create_object(env, &caches);
  SetNumber(env, caches, "l1", double(c.l1));
  SetNumber(env, caches, "l2", double(c.l2));
  SetNumber(env, caches, "l3", double(c.l3));
  napi_set_named_property(env, obj, "caches", caches);
  return obj;
}

// storage(bytes, zero) -> ArrayBuffer of `bytes` over a pooled block (zero-filled when zero)
#ifdef CR_STORAGE_POOL
void GiveBack(void* data, size_t, void* cls) { cr::storage_give(data, reinterpret_cast<size_t>(cls)); }

napi_value Storage(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  double d = 0;
  bool zero = true;
  if (argc < 1 || napi_get_value_double(env, argv[0], &d) != napi_ok || !(d >= 1 && d <= 9007199254740991.0)) {
    napi_throw_range_error(env, nullptr, "chainrule native: storage(bytes) takes a positive byte count");
    return nullptr;
  }
  if (argc > 1) napi_get_value_bool(env, argv[1], &zero);
  size_t cls = 0;
  void* p = cr::storage_take(size_t(d), zero, &cls);
  if (!p) {
    napi_throw_range_error(env, nullptr, "chainrule native: out of memory for tensor storage");
    return nullptr;
  }
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  std::unique_ptr<v8::BackingStore> bs = v8::ArrayBuffer::NewBackingStore(p, size_t(d), GiveBack, reinterpret_cast<void*>(cls));
  v8::Local<v8::ArrayBuffer> ab = v8::ArrayBuffer::New(isolate, std::shared_ptr<v8::BackingStore>(std::move(bs)));
  // a napi_value is the address of a V8 handle (Node's JsValueFromV8LocalValue does this cast)
  return reinterpret_cast<napi_value>(*ab);
}
#endif


// storageStats() -> { liveBytes, cachedBytes, capBytes, reused, fresh }
napi_value StorageStatsFn(napi_env env, napi_callback_info) {
  const cr::StorageStats s = cr::storage_stats();
  napi_value obj;
  napi_create_object(env, &obj);
  SetNumber(env, obj, "liveBytes", double(s.live_bytes));
  SetNumber(env, obj, "cachedBytes", double(s.cached_bytes));
  SetNumber(env, obj, "capBytes", double(s.cap_bytes));
  SetNumber(env, obj, "reused", double(s.reused));
  return SetNumber(env, obj, "fresh", double(s.fresh));
}

// storageTrim(): frees the cached blocks
napi_value StorageTrim(napi_env env, napi_callback_info) {
  cr::storage_trim();
  return nullptr;
}

}  // namespace

NAPI_MODULE_INIT() {
#define CR_FN(name, fn) {name, nullptr, fn, nullptr, nullptr, nullptr, napi_default, nullptr}
  napi_property_descriptor props[] = {
      CR_FN("kernelNames", KernelNames),
      CR_FN("info", Info),
#ifdef CR_STORAGE_POOL
      CR_FN("storage", Storage),
#endif
      CR_FN("storageStats", StorageStatsFn),
      CR_FN("storageTrim", StorageTrim),
      CR_FN("configure", Bind<configure>),
      CR_FN("gemmRowTile", Bind<gemm_row_tile>),
      CR_FN("gemmReuseA", Bind<gemm_reuse_a>),
      CR_FN("unary", Bind<unary>),
      CR_FN("binary", Bind<binary>),
      CR_FN("where", Bind<where>),
      CR_FN("cast", Bind<cast>),
      CR_FN("reduce", Bind<reduce>),
      CR_FN("argReduce", Bind<arg_reduce>),
      CR_FN("extremumBackward", Bind<extremum_backward>),
      CR_FN("softmax", Bind<softmax>),
      CR_FN("matmul", Bind<matmul>),
      CR_FN("gemm", Bind<gemm>),
      CR_FN("stridedCopy", Bind<strided_copy>),
      CR_FN("stridedAccumulate", Bind<strided_accumulate>),
      CR_FN("indexSelect", Bind<index_select>),
      CR_FN("indexAdd", Bind<index_add>),
      CR_FN("conv1dSparseGrad", Bind<conv1d_sparse_grad>),
      CR_FN("gather", Bind<gather>),
      CR_FN("scatterAdd", Bind<scatter_add>),
      CR_FN("scatterReduce", Bind<scatter_reduce>),
      CR_FN("sgdStep", Bind<sgd_step>),
      CR_FN("adamStep", Bind<adam_step>),
      CR_FN("maxPool2d", Bind<max_pool2d>),
      CR_FN("avgPool2d", Bind<avg_pool2d>),
      CR_FN("avgPool2dBackward", Bind<avg_pool2d_backward>),
      CR_FN("rnnForward", Bind<rnn_forward>),
      CR_FN("rnnBackward", Bind<rnn_backward>),
      CR_FN("attention", Bind<attention>),
      CR_FN("attentionBackward", Bind<attention_backward>),
      CR_FN("ctcLoss", Bind<ctc_loss>),
      CR_FN("ctcLossBackward", Bind<ctc_loss_backward>),
  };
#undef CR_FN
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}
