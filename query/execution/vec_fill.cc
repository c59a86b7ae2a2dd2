#include "query/execution/vec_fill.h"

#include <algorithm>

namespace kpi::query {

void FillNull(ValueType t, uint32_t m, Vec* out) {
  out->ResetOwned(t, m);
  switch (t) {
    case ValueType::kBool:
      std::fill(out->mut_b8(), out->mut_b8() + m, kNullBool);
      break;
    case ValueType::kNull:
      break;
    case ValueType::kString:
      // Only dictionary strings can be null without a mask.
      std::fill(out->mut_u32(), out->mut_u32() + m, 0u);
      out->valid_buf.assign(m, 0);
      out->valid = out->valid_buf.data();
      out->vstride = 1;
      break;
    default:
      out->valid_buf.assign(m, 0);
      out->valid = out->valid_buf.data();
      out->vstride = 1;
      if (t == ValueType::kTime) std::fill(out->mut_i64(), out->mut_i64() + m, 0);
      else std::fill(out->mut_f64(), out->mut_f64() + m, 0.0);
      break;
  }
}

}  // namespace kpi::query
