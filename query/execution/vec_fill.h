// Vec fills the evaluator's operators share (query/execution/eval.cc,
// eval_operators.cc): an all-null result, and a constant's broadcast.
#pragma once

#include <cstdint>

#include "query/execution/vector.h"

namespace kpi::query {

// *out: m rows, all null, of type `t` (booleans kNullBool, dictionary
// strings code 0, others masked invalid).
void FillNull(ValueType t, uint32_t m, Vec* out);

// Turns an m-row result computed from constant inputs into a constant of n rows.
inline void Broadcast(uint32_t n, Vec* out) {
  out->n = n;
  out->stride = 0;
  out->vstride = 0;
}

}  // namespace kpi::query
