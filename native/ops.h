// The op codes of the elementwise kernels: positions in the lists of native/generated/ops.h,
// which scripts/native-ops.mjs writes from the op table at build time. A kernel of the table is
// U_<name> / B_<name> here; a C case for a name the table lacks does not compile.
#pragma once
#include "generated/ops.h"

namespace cr {

enum UnaryCode {
#define CR_X(n) U_##n,
  CR_UNARY_KERNELS(CR_X)
#undef CR_X
  U_COUNT
};

enum BinaryCode {
#define CR_X(n) B_##n,
  CR_BINARY_KERNELS(CR_X)
#undef CR_X
  B_COUNT
};

// the names in code order, which the addon reports to TypeScript (kernelNames())
extern const char* const kUnaryNames[U_COUNT];
extern const char* const kBinaryNames[B_COUNT];

}  // namespace cr
