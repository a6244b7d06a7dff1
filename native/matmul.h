// Batched matmul and strided GEMM entries (gemm.cc) and the ISA switch used by tests and benchmarks.
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

// One operand of a strided batched GEMM: element (i, j) of matrix t is at
// off + t*batch + i*row + j*col (or rows[i] in place of i*row, cols[j] in place of j*col).
struct GemmOperand {
  int64_t off, batch, row, col;
  const int32_t* rows = nullptr;  // optional offset tables replacing row and col (A and B only)
  const int32_t* cols = nullptr;
};

// C_t (+)= A_t B_t for t < batch, or with sum_batch one C (its batch stride unused) receiving
// sum_t A_t B_t. Distinct elements of C must not alias, and C must not overlap A or B (the result
// would be unspecified; a batch that shares A packs it once per thread).
struct GemmSpec {
  int64_t batch, m, n, k;
  bool accumulate, sum_batch;
  GemmOperand a, b, c;
};

void gemm(DType t, const void* a, const void* b, void* c, const GemmSpec& s);
const char* gemm_isa();
bool gemm_set_isa(const char* name);

}  // namespace cr
