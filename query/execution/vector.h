// Vec: one column of values for the rows of a selection, the unit the
// vectorized evaluator, the group-by and the aggregates exchange.
//
// Layout by type (`n` rows; a constant has stride 0 and one stored value):
//   kBool      b8[i * stride]: 0 false, 1 true, 2 null
//   kNumber    f64[i * stride], valid[i * vstride]
//   kDuration  f64 in MILLISECONDS (exact sums of integral ms), valid
//   kTime      i64 epoch ms, valid
//   kString    u32 ids per StrDomain (kDict: code, 0 = null; kTicket: the
//              ticket's index in the segment; kLiteral: `text` holds it)
//   kNull      every row null
// The data pointers either view a segment-derived column (valid until the
// batch ends) or the Vec's own buffers.
// Thread safety: a Vec belongs to one worker thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "query/binder/bound_expr.h"

namespace kpi::query {

inline constexpr uint8_t kFalse = 0, kTrue = 1, kNullBool = 2;

// A byte 1 with stride 0: "every row valid".
inline const uint8_t kAllValid[1] = {1};

struct Vec {
  ValueType type = ValueType::kNull;
  StrDomain str;
  uint32_t n = 0;
  uint32_t stride = 1;   // 0: a constant broadcast to all rows
  uint32_t vstride = 0;  // stride of `valid`
  const double* f64 = nullptr;
  const int64_t* i64 = nullptr;
  const uint32_t* u32 = nullptr;
  const uint8_t* b8 = nullptr;
  const uint8_t* valid = kAllValid;
  const std::string* text = nullptr;  // kLiteral strings

  std::vector<double> f64_buf;
  std::vector<int64_t> i64_buf;
  std::vector<uint32_t> u32_buf;
  std::vector<uint8_t> b8_buf;
  std::vector<uint8_t> valid_buf;

  bool is_const() const { return stride == 0; }
  bool IsNull(uint32_t i) const {
    switch (type) {
      case ValueType::kNull:
        return true;
      case ValueType::kBool:
        return b8[i * stride] == kNullBool;
      case ValueType::kString:
        return str.kind == StrKind::kDict ? u32[i * stride] == 0 : valid[i * vstride] == 0;
      default:
        return valid[i * vstride] == 0;
    }
  }

  // Resets to an empty owned vector of `type` with `rows` rows (buffers sized, contents unset).
  void ResetOwned(ValueType t, uint32_t rows) {
    type = t;
    str = StrDomain{};
    n = rows;
    stride = 1;
    vstride = 0;
    valid = kAllValid;
    f64 = nullptr;
    i64 = nullptr;
    u32 = nullptr;
    b8 = nullptr;
    text = nullptr;
    switch (t) {
      case ValueType::kBool:
        b8_buf.resize(rows);
        b8 = b8_buf.data();
        break;
      case ValueType::kNumber:
      case ValueType::kDuration:
        f64_buf.resize(rows);
        f64 = f64_buf.data();
        break;
      case ValueType::kTime:
        i64_buf.resize(rows);
        i64 = i64_buf.data();
        break;
      case ValueType::kString:
        u32_buf.resize(rows);
        u32 = u32_buf.data();
        break;
      case ValueType::kNull:
        break;
    }
  }
  // Gives the vector an owned validity mask (all valid) and returns it.
  uint8_t* OwnValid() {
    valid_buf.assign(n, 1);
    valid = valid_buf.data();
    vstride = 1;
    return valid_buf.data();
  }
  double* mut_f64() { return f64_buf.data(); }
  int64_t* mut_i64() { return i64_buf.data(); }
  uint32_t* mut_u32() { return u32_buf.data(); }
  uint8_t* mut_b8() { return b8_buf.data(); }
};

}  // namespace kpi::query
