#include "query/execution/value_rows.h"

#include <cstring>
#include <functional>

namespace kpi::query {

uint32_t ValuePacker::Code(const std::string& text) {
  auto [it, inserted] = codes_.emplace(text, 0);
  if (inserted) {
    texts_->push_back(text);
    it->second = static_cast<uint32_t>(texts_->size());
  }
  return it->second;
}

void ValuePacker::Pack(const std::vector<const Value*>& values, ValueType type, Vec* out) {
  const uint32_t n = static_cast<uint32_t>(values.size());
  out->ResetOwned(type, n);
  switch (type) {
    case ValueType::kNull:
      return;
    case ValueType::kBool: {
      uint8_t* b = out->mut_b8();
      for (uint32_t i = 0; i < n; ++i)
        b[i] = values[i]->type == ValueType::kBool ? (values[i]->boolean ? kTrue : kFalse) : kNullBool;
      return;
    }
    case ValueType::kNumber:
    case ValueType::kDuration: {
      // Durations travel as milliseconds; a plain number next to a duration means seconds.
      const double scale = type == ValueType::kDuration ? 1000.0 : 1.0;
      double* f = out->mut_f64();
      uint8_t* ok = out->OwnValid();
      for (uint32_t i = 0; i < n; ++i) {
        const Value& v = *values[i];
        const bool num = v.type == ValueType::kNumber || v.type == ValueType::kDuration;
        ok[i] = num;
        f[i] = num ? v.number * scale : 0;
      }
      return;
    }
    case ValueType::kTime: {
      int64_t* t = out->mut_i64();
      uint8_t* ok = out->OwnValid();
      for (uint32_t i = 0; i < n; ++i) {
        ok[i] = values[i]->type == ValueType::kTime;
        t[i] = ok[i] ? values[i]->time_ms : 0;
      }
      return;
    }
    case ValueType::kString: {
      out->str = StrDomain{StrKind::kDict, kValueRowDictColumn};
      uint32_t* c = out->mut_u32();
      for (uint32_t i = 0; i < n; ++i) c[i] = values[i]->type == ValueType::kString ? Code(values[i]->text) : 0;
      return;
    }
  }
}

uint64_t HashValue(const Value& v) {
  uint64_t h = static_cast<uint64_t>(v.type) * 0x9E3779B97F4A7C15ULL;
  uint64_t x = 0;
  switch (v.type) {
    case ValueType::kNull:
      break;
    case ValueType::kBool:
      x = v.boolean;
      break;
    case ValueType::kNumber:
    case ValueType::kDuration: {
      const double d = v.number == 0 ? 0.0 : v.number;
      std::memcpy(&x, &d, sizeof x);
      break;
    }
    case ValueType::kTime:
      x = static_cast<uint64_t>(v.time_ms);
      break;
    case ValueType::kString:
      x = std::hash<std::string>()(v.text);
      break;
  }
  x ^= h;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return x;
}

}  // namespace kpi::query
