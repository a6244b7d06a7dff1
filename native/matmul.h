// Batched matmul entry (gemm.cc) and the ISA switch used by tests and benchmarks.
#pragma once
#include <cstdint>

#include "common.h"

namespace cr {

struct MatmulSpec {
  int64_t batch, m, n, k;
  bool trans_a, trans_b;
  int64_t stride_a, stride_b;  // elements between batch matrices; 0 broadcasts
};

void matmul(DType t, const void* a, const void* b, void* c, const MatmulSpec& s);
const char* gemm_isa();
bool gemm_set_isa(const char* name);

}  // namespace cr
