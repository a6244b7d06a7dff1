// Node-API bindings of the native backend. Every function takes typed arrays (their memory is
// used in place, never copied) and plain numbers; shapes and strides come in one Float64Array.
// The TypeScript wrapper (src/backend/native/) validates arguments before calling in here.
#include <node_api.h>

#include <cmath>
#include <mutex>

#include "common.h"
#include "ops.h"
#include "matmul.h"

namespace {

using cr::DType;

struct Arr {
  void* data = nullptr;
  size_t length = 0;
  DType type = cr::F32;
  bool ok = false;
};

std::mutex g_mutex;  // kernels share scratch buffers and the pool: one call at a time per process

bool throw_type(napi_env env, const char* msg) {
  napi_throw_type_error(env, nullptr, msg);
  return false;
}

bool get_array(napi_env env, napi_value v, Arr& out, bool allow_null = false) {
  napi_valuetype vt;
  napi_typeof(env, v, &vt);
  if (allow_null && (vt == napi_null || vt == napi_undefined)) {
    out = Arr();
    out.ok = true;
    return true;
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
  out.ok = true;
  return true;
}

double get_num(napi_env env, napi_value v) {
  double d = 0;
  napi_get_value_double(env, v, &d);
  return d;
}

int64_t get_int(napi_env env, napi_value v) { return int64_t(get_num(env, v)); }

bool get_bool(napi_env env, napi_value v) {
  bool b = false;
  if (napi_get_value_bool(env, v, &b) != napi_ok) return get_num(env, v) != 0;
  return b;
}

// Reads `rank` followed by `groups` vectors of `rank` integers from a Float64Array.
struct Dims {
  int rank = 0;
  int64_t v[5][cr::kMaxRank];
};

bool get_dims(napi_env env, napi_value val, int groups, Dims& d) {
  Arr a;
  if (!get_array(env, val, a) || a.type != cr::F64) return throw_type(env, "chainrule native: dims must be a Float64Array");
  const double* p = static_cast<const double*>(a.data);
  if (a.length < 1) return throw_type(env, "chainrule native: empty dims");
  d.rank = int(p[0]);
  if (d.rank < 0 || d.rank > cr::kMaxRank || a.length < size_t(1 + groups * d.rank))
    return throw_type(env, "chainrule native: bad dims");
  for (int g = 0; g < groups; g++)
    for (int i = 0; i < d.rank; i++) d.v[g][i] = int64_t(p[1 + g * d.rank + i]);
  return true;
}

#define ARGS(n)                                           \
  size_t argc = n;                                        \
  napi_value argv[n];                                     \
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr); \
  if (argc < n) {                                         \
    throw_type(env, "chainrule native: too few arguments"); \
    return nullptr;                                       \
  }
#define ARR(name, i)                            \
  Arr name;                                     \
  if (!get_array(env, argv[i], name)) return nullptr;
#define LOCK std::lock_guard<std::mutex> lock(g_mutex)

napi_value Unary(napi_env env, napi_callback_info info) {
  ARGS(5);
  int op = int(get_int(env, argv[0]));
  ARR(x, 1);
  ARR(out, 2);
  bool done;
  {
    LOCK;
    done = op >= 0 && op < cr::U_COUNT && cr::unary(op, x.type, x.data, out.data, int64_t(x.length), get_num(env, argv[3]), get_num(env, argv[4]));
  }
  napi_value r;
  napi_get_boolean(env, done, &r);
  return r;
}

napi_value Binary(napi_env env, napi_callback_info info) {
  ARGS(5);
  int op = int(get_int(env, argv[0]));
  ARR(a, 1);
  ARR(b, 2);
  ARR(out, 3);
  Dims d;
  if (!get_dims(env, argv[4], 3, d)) return nullptr;
  bool done;
  {
    LOCK;
    done = op >= 0 && op < cr::B_COUNT && cr::binary(op, a.type, a.data, b.data, out.data, d.rank, d.v[0], d.v[1], d.v[2]);
  }
  napi_value r;
  napi_get_boolean(env, done, &r);
  return r;
}

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

napi_value Where(napi_env env, napi_callback_info info) {
  ARGS(5);
  ARR(c, 0);
  ARR(a, 1);
  ARR(b, 2);
  ARR(out, 3);
  Dims d;
  if (!get_dims(env, argv[4], 4, d)) return nullptr;
  LOCK;
  cr::where(a.type, static_cast<const uint8_t*>(c.data), a.data, b.data, out.data, d.rank, d.v[0], d.v[1], d.v[2], d.v[3]);
  return nullptr;
}

napi_value Cast(napi_env env, napi_callback_info info) {
  ARGS(2);
  ARR(x, 0);
  ARR(out, 1);
  LOCK;
  cr::cast(x.type, x.data, out.type, out.data, int64_t(x.length));
  return nullptr;
}

// reduce(op, x, outer, n, inner, out)
napi_value Reduce(napi_env env, napi_callback_info info) {
  ARGS(6);
  int op = int(get_int(env, argv[0]));
  ARR(x, 1);
  ARR(out, 5);
  LOCK;
  cr::reduce(op, x.type, x.data, get_int(env, argv[2]), get_int(env, argv[3]), get_int(env, argv[4]), out.data);
  return nullptr;
}

// argReduce(isMax, x, outer, n, inner, out)
napi_value ArgReduce(napi_env env, napi_callback_info info) {
  ARGS(6);
  bool is_max = get_bool(env, argv[0]);
  ARR(x, 1);
  ARR(out, 5);
  LOCK;
  cr::arg_reduce(is_max, x.type, x.data, get_int(env, argv[2]), get_int(env, argv[3]), get_int(env, argv[4]),
                 static_cast<int32_t*>(out.data));
  return nullptr;
}

// softmax(x, outer, n, inner, out, log)
napi_value Softmax(napi_env env, napi_callback_info info) {
  ARGS(6);
  ARR(x, 0);
  ARR(out, 4);
  LOCK;
  cr::softmax(x.type, x.data, get_int(env, argv[1]), get_int(env, argv[2]), get_int(env, argv[3]), out.data,
              get_bool(env, argv[5]));
  return nullptr;
}

// matmul(a, b, out, dims=[batch, m, n, k, transA, transB, strideA, strideB])
napi_value Matmul(napi_env env, napi_callback_info info) {
  ARGS(4);
  ARR(a, 0);
  ARR(b, 1);
  ARR(out, 2);
  ARR(p, 3);
  if (p.type != cr::F64 || p.length < 8) {
    throw_type(env, "chainrule native: matmul spec must be a Float64Array(8)");
    return nullptr;
  }
  const double* s = static_cast<const double*>(p.data);
  cr::MatmulSpec spec{int64_t(s[0]), int64_t(s[1]), int64_t(s[2]), int64_t(s[3]), s[4] != 0, s[5] != 0,
                      int64_t(s[6]), int64_t(s[7])};
  LOCK;
  cr::matmul(a.type, a.data, b.data, out.data, spec);
  return nullptr;
}

// gemm(a, b, c, spec=[batch, m, n, k, accumulate, sumBatch, then offset, batch stride, row stride
// and column stride of A, of B and of C], aRows, aCols, bRows, bCols: Int32Array offset tables or null)
napi_value Gemm(napi_env env, napi_callback_info info) {
  ARGS(8);
  ARR(a, 0);
  ARR(b, 1);
  ARR(c, 2);
  ARR(p, 3);
  Arr tables[4];
  for (int i = 0; i < 4; i++) {
    if (!get_array(env, argv[4 + i], tables[i], true)) return nullptr;
    if (tables[i].data && tables[i].type != cr::I32) {
      throw_type(env, "chainrule native: gemm offset tables must be Int32Arrays");
      return nullptr;
    }
  }
  if (p.type != cr::F64 || p.length < 18) {
    throw_type(env, "chainrule native: gemm spec must be a Float64Array(18)");
    return nullptr;
  }
  if (a.type != c.type || b.type != c.type || (c.type != cr::F32 && c.type != cr::F64)) {
    throw_type(env, "chainrule native: gemm needs three float arrays of one type");
    return nullptr;
  }
  const double* s = static_cast<const double*>(p.data);
  auto operand = [s](int i) { return cr::GemmOperand{int64_t(s[i]), int64_t(s[i + 1]), int64_t(s[i + 2]), int64_t(s[i + 3])}; };
  cr::GemmSpec spec{int64_t(s[0]), int64_t(s[1]), int64_t(s[2]), int64_t(s[3]), s[4] != 0, s[5] != 0,
                    operand(6), operand(10), operand(14)};
  spec.a.rows = static_cast<const int32_t*>(tables[0].data);
  spec.a.cols = static_cast<const int32_t*>(tables[1].data);
  spec.b.rows = static_cast<const int32_t*>(tables[2].data);
  spec.b.cols = static_cast<const int32_t*>(tables[3].data);
  LOCK;
  cr::gemm(c.type, a.data, b.data, c.data, spec);
  return nullptr;
}

// stridedCopy(src, offset, out, dims=[rank, shape, strides])
napi_value StridedCopy(napi_env env, napi_callback_info info) {
  ARGS(4);
  ARR(src, 0);
  ARR(out, 2);
  Dims d;
  if (!get_dims(env, argv[3], 2, d)) return nullptr;
  LOCK;
  cr::strided_copy(src.type, src.data, get_int(env, argv[1]), d.rank, d.v[0], d.v[1], out.data);
  return nullptr;
}

// stridedAccumulate(src, dst, offset, dims=[rank, shape, strides])
napi_value StridedAccumulate(napi_env env, napi_callback_info info) {
  ARGS(4);
  ARR(src, 0);
  ARR(dst, 1);
  Dims d;
  if (!get_dims(env, argv[3], 2, d)) return nullptr;
  LOCK;
  cr::strided_accumulate(src.type, src.data, d.rank, d.v[0], dst.data, get_int(env, argv[2]), d.v[1]);
  return nullptr;
}

// indexSelect / indexAdd (x, idx, outer, n, inner, out)
napi_value IndexSelect(napi_env env, napi_callback_info info) {
  ARGS(6);
  ARR(x, 0);
  ARR(idx, 1);
  ARR(out, 5);
  LOCK;
  cr::index_select(x.type, x.data, static_cast<const int32_t*>(idx.data), int64_t(idx.length), get_int(env, argv[2]),
                   get_int(env, argv[3]), get_int(env, argv[4]), out.data);
  return nullptr;
}

napi_value IndexAdd(napi_env env, napi_callback_info info) {
  ARGS(6);
  ARR(g, 0);
  ARR(idx, 1);
  ARR(out, 5);
  LOCK;
  cr::index_add(g.type, g.data, static_cast<const int32_t*>(idx.data), int64_t(idx.length), get_int(env, argv[2]),
                get_int(env, argv[3]), get_int(env, argv[4]), out.data);
  return nullptr;
}

// gather / scatterAdd (x, idx, outer, n, m, inner, out)
napi_value Gather(napi_env env, napi_callback_info info) {
  ARGS(7);
  ARR(x, 0);
  ARR(idx, 1);
  ARR(out, 6);
  LOCK;
  cr::gather(x.type, x.data, static_cast<const int32_t*>(idx.data), get_int(env, argv[2]), get_int(env, argv[3]),
             get_int(env, argv[4]), get_int(env, argv[5]), out.data);
  return nullptr;
}

napi_value ScatterAdd(napi_env env, napi_callback_info info) {
  ARGS(7);
  ARR(src, 0);
  ARR(idx, 1);
  ARR(out, 6);
  LOCK;
  cr::scatter_add(src.type, src.data, static_cast<const int32_t*>(idx.data), get_int(env, argv[2]),
                  get_int(env, argv[3]), get_int(env, argv[4]), get_int(env, argv[5]), out.data);
  return nullptr;
}

// sgdStep(p, g, buf|null, [lr, momentum, dampening, weightDecay, nesterov, maximize, firstStep])
napi_value SgdStep(napi_env env, napi_callback_info info) {
  ARGS(4);
  ARR(p, 0);
  ARR(g, 1);
  Arr buf;
  if (!get_array(env, argv[2], buf, true)) return nullptr;
  ARR(o, 3);
  const double* s = static_cast<const double*>(o.data);
  cr::SgdArgs a{s[0], s[1], s[2], s[3], s[4] != 0, s[5] != 0, s[6] != 0};
  LOCK;
  cr::sgd_step(p.type, p.data, g.data, buf.data, int64_t(p.length), a);
  return nullptr;
}

// adamStep(p, g, m, v, vmax|null, [lr, beta1, beta2, eps, weightDecay, stepSize, bc2sqrt,
//          decoupled, amsgrad, maximize])
napi_value AdamStep(napi_env env, napi_callback_info info) {
  ARGS(6);
  ARR(p, 0);
  ARR(g, 1);
  ARR(m, 2);
  ARR(v, 3);
  Arr vmax;
  if (!get_array(env, argv[4], vmax, true)) return nullptr;
  ARR(o, 5);
  const double* s = static_cast<const double*>(o.data);
  cr::AdamArgs a{s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7] != 0, s[8] != 0, s[9] != 0};
  LOCK;
  cr::adam_step(p.type, p.data, g.data, m.data, v.data, vmax.data, int64_t(p.length), a);
  return nullptr;
}

// Optional typed array argument: null or undefined give a null pointer.
#define OPT(name, i)                                  \
  Arr name;                                           \
  if (!get_array(env, argv[i], name, true)) return nullptr;

// rnnForward([kind, T, B, H, reverse], gx, h0, c0|null, whh, bhh|null, mask|null, out, hN, cN|null,
//            hPrev, saved)
napi_value RnnForward(napi_env env, napi_callback_info info) {
  ARGS(12);
  ARR(spec, 0);
  ARR(gx, 1);
  ARR(h0, 2);
  OPT(c0, 3);
  ARR(whh, 4);
  OPT(bhh, 5);
  OPT(mask, 6);
  ARR(out, 7);
  ARR(hN, 8);
  OPT(cN, 9);
  ARR(hprev, 10);
  ARR(saved, 11);
  const double* p = static_cast<const double*>(spec.data);
  cr::RnnArgs a{int(p[0]), int64_t(p[1]), int64_t(p[2]), int64_t(p[3]), p[4] != 0};
  LOCK;
  cr::rnn_forward(gx.type, a, gx.data, h0.data, c0.data, whh.data, bhh.data, static_cast<const uint8_t*>(mask.data),
                  out.data, hN.data, cN.data, hprev.data, saved.data);
  return nullptr;
}

// rnnBackward([kind, T, B, H, reverse], whh, mask|null, hPrev, saved, dOut|null, dhN|null, dcN|null,
//             dgx, dgh|null, dh0, dc0|null)
napi_value RnnBackward(napi_env env, napi_callback_info info) {
  ARGS(12);
  ARR(spec, 0);
  ARR(whh, 1);
  OPT(mask, 2);
  ARR(hprev, 3);
  ARR(saved, 4);
  OPT(dout, 5);
  OPT(dhN, 6);
  OPT(dcN, 7);
  ARR(dgx, 8);
  OPT(dgh, 9);
  ARR(dh0, 10);
  OPT(dc0, 11);
  const double* p = static_cast<const double*>(spec.data);
  cr::RnnArgs a{int(p[0]), int64_t(p[1]), int64_t(p[2]), int64_t(p[3]), p[4] != 0};
  LOCK;
  cr::rnn_backward(whh.type, a, whh.data, static_cast<const uint8_t*>(mask.data), hprev.data, saved.data, dout.data,
                   dhN.data, dcN.data, dgx.data, dgh.data, dh0.data, dc0.data);
  return nullptr;
}

// info() -> { isa, threads }
napi_value Info(napi_env env, napi_callback_info) {
  napi_value obj, isa, threads;
  napi_create_object(env, &obj);
  napi_create_string_utf8(env, cr::gemm_isa(), NAPI_AUTO_LENGTH, &isa);
  napi_create_int32(env, cr::pool_size(), &threads);
  napi_set_named_property(env, obj, "isa", isa);
  napi_set_named_property(env, obj, "threads", threads);
  return obj;
}

// configure(isa: string | null, threads: number) -> boolean (false: ISA not available here)
napi_value Configure(napi_env env, napi_callback_info info) {
  ARGS(2);
  bool ok = true;
  LOCK;
  napi_valuetype vt;
  napi_typeof(env, argv[0], &vt);
  if (vt == napi_string) {
    char name[32];
    size_t len = 0;
    napi_get_value_string_utf8(env, argv[0], name, sizeof(name), &len);
    ok = cr::gemm_set_isa(name);
  }
  int64_t t = get_int(env, argv[1]);
  if (t > 0) cr::pool_set_size(int(t));
  napi_value r;
  napi_get_boolean(env, ok, &r);
  return r;
}

}  // namespace

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"kernelNames", nullptr, KernelNames, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"where", nullptr, Where, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"cast", nullptr, Cast, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reduce", nullptr, Reduce, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"argReduce", nullptr, ArgReduce, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmax", nullptr, Softmax, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matmul", nullptr, Matmul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gemm", nullptr, Gemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"stridedCopy", nullptr, StridedCopy, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"stridedAccumulate", nullptr, StridedAccumulate, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"indexSelect", nullptr, IndexSelect, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"indexAdd", nullptr, IndexAdd, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gather", nullptr, Gather, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"scatterAdd", nullptr, ScatterAdd, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sgdStep", nullptr, SgdStep, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamStep", nullptr, AdamStep, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"rnnForward", nullptr, RnnForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"rnnBackward", nullptr, RnnBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"configure", nullptr, Configure, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}
