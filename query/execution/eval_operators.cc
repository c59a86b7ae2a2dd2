// Evaluator's operators (see query/execution/eval.h): and/or/not with
// three-valued logic, arithmetic on numbers, durations and times,
// comparisons (null compares as unknown), and `in` lists. Kept apart from
// eval.cc, which holds dispatch, columns, constants and filtering.
#include <algorithm>
#include <cmath>
#include <utility>

#include "query/execution/eval.h"
#include "query/execution/vec_fill.h"

namespace kpi::query {

namespace {

constexpr int kNullCmp = -2;

inline uint8_t BoolAt(const Vec& v, uint32_t i) {
  return v.type == ValueType::kBool ? v.b8[i * v.stride] : kNullBool;
}

inline uint8_t And3(uint8_t a, uint8_t b) {
  if (a == kFalse || b == kFalse) return kFalse;
  return (a == kNullBool || b == kNullBool) ? kNullBool : kTrue;
}
inline uint8_t Or3(uint8_t a, uint8_t b) {
  if (a == kTrue || b == kTrue) return kTrue;
  return (a == kNullBool || b == kNullBool) ? kNullBool : kFalse;
}

inline double Seconds(const Vec& v, uint32_t i) {
  const double x = v.f64[i * v.stride];
  return v.type == ValueType::kDuration ? x / 1000.0 : x;
}

// Maps a three-way comparison (kNullCmp for null) through `op` into out[0..m).
template <typename F>
void FillComparison(Op op, uint32_t m, uint8_t* out, F&& cmp) {
  switch (op) {
    case Op::kEq:
      for (uint32_t i = 0; i < m; ++i) {
        const int c = cmp(i);
        out[i] = c == kNullCmp ? kNullBool : c == 0;
      }
      break;
    case Op::kNe:
      for (uint32_t i = 0; i < m; ++i) {
        const int c = cmp(i);
        out[i] = c == kNullCmp ? kNullBool : c != 0;
      }
      break;
    case Op::kLt:
      for (uint32_t i = 0; i < m; ++i) {
        const int c = cmp(i);
        out[i] = c == kNullCmp ? kNullBool : c < 0;
      }
      break;
    case Op::kLe:
      for (uint32_t i = 0; i < m; ++i) {
        const int c = cmp(i);
        out[i] = c == kNullCmp ? kNullBool : c <= 0;
      }
      break;
    case Op::kGt:
      for (uint32_t i = 0; i < m; ++i) {
        const int c = cmp(i);
        out[i] = c == kNullCmp ? kNullBool : c > 0;
      }
      break;
    default:
      for (uint32_t i = 0; i < m; ++i) {
        const int c = cmp(i);
        out[i] = c == kNullCmp ? kNullBool : c >= 0;
      }
      break;
  }
}

template <typename T>
inline int Three(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

}  // namespace

void Evaluator::ComputeLogic(const BoundExpr& e, const Selection& sel, Vec* out) {
  const BoundExpr* first = e.args[0];
  const BoundExpr* second = e.args[1];
  if (second->cost < first->cost) std::swap(first, second);
  const bool is_and = e.op == Op::kAnd;
  const uint8_t decisive = is_and ? kFalse : kTrue;
  const Vec* a = Eval(*first, sel);
  const uint32_t n = sel.n;
  if (a->is_const() || a->type != ValueType::kBool) {
    const uint8_t av = BoolAt(*a, 0);
    if (av == decisive) {
      out->ResetOwned(ValueType::kBool, 1);
      out->mut_b8()[0] = decisive;
      Broadcast(n, out);
      return;
    }
    const Vec* b = Eval(*second, sel);
    const uint32_t m = b->is_const() ? 1 : n;
    out->ResetOwned(ValueType::kBool, m);
    for (uint32_t i = 0; i < m; ++i) out->mut_b8()[i] = is_and ? And3(av, BoolAt(*b, i)) : Or3(av, BoolAt(*b, i));
    if (b->is_const()) Broadcast(n, out);
    return;
  }
  Vec* rows = Acquire();
  rows->u32_buf.clear();
  for (uint32_t i = 0; i < n; ++i)
    if (a->b8[i] != decisive) rows->u32_buf.push_back(sel.row(i));
  const uint32_t k = static_cast<uint32_t>(rows->u32_buf.size());
  out->ResetOwned(ValueType::kBool, n);
  uint8_t* o = out->mut_b8();
  if (k == 0) {
    std::fill(o, o + n, decisive);
    return;
  }
  const Vec* b = k == n ? Eval(*second, sel) : Eval(*second, Selection{rows->u32_buf.data(), k, false});
  uint32_t j = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const uint8_t av = a->b8[i];
    if (av == decisive) {
      o[i] = decisive;
      if (k == n) ++j;
      continue;
    }
    const uint8_t bv = BoolAt(*b, j++);
    o[i] = is_and ? And3(av, bv) : Or3(av, bv);
  }
}

void Evaluator::ComputeUnary(const BoundExpr& e, const Vec& a, Vec* out) {
  const uint32_t m = a.is_const() ? 1 : a.n;
  if (a.type == ValueType::kNull) {
    FillNull(e.type, m, out);
  } else if (e.op == Op::kNot) {
    out->ResetOwned(ValueType::kBool, m);
    for (uint32_t i = 0; i < m; ++i) {
      const uint8_t v = BoolAt(a, i);
      out->mut_b8()[i] = v == kNullBool ? kNullBool : (v == kTrue ? kFalse : kTrue);
    }
  } else {
    out->ResetOwned(a.type, m);
    uint8_t* ok = out->OwnValid();
    for (uint32_t i = 0; i < m; ++i) {
      out->mut_f64()[i] = -a.f64[i * a.stride];
      ok[i] = a.valid[i * a.vstride];
    }
  }
  if (a.is_const()) Broadcast(a.n, out);
}

void Evaluator::ComputeArithmetic(const BoundExpr& e, const Vec& a, const Vec& b, Vec* out) {
  const bool both_const = a.is_const() && b.is_const();
  const uint32_t n = std::max(a.n, b.n);
  const uint32_t m = both_const ? 1 : n;
  if (a.type == ValueType::kNull || b.type == ValueType::kNull || e.type == ValueType::kNull) {
    FillNull(e.type, m, out);
    if (both_const) Broadcast(n, out);
    return;
  }
  out->ResetOwned(e.type, m);
  uint8_t* ok = out->OwnValid();
  const Op op = e.op;
  if (e.type == ValueType::kTime) {
    int64_t* o = out->mut_i64();
    for (uint32_t i = 0; i < m; ++i) {
      ok[i] = a.valid[i * a.vstride] & b.valid[i * b.vstride];
      const bool a_time = a.type == ValueType::kTime;
      const Vec& t = a_time ? a : b;
      const Vec& d = a_time ? b : a;
      const double delta_ms = std::round(Seconds(d, i) * 1000.0);
      if (!ok[i] || !std::isfinite(delta_ms) || std::fabs(delta_ms) > 1e15) {
        ok[i] = 0;
        o[i] = 0;
        continue;
      }
      const int64_t delta = static_cast<int64_t>(delta_ms);
      o[i] = op == Op::kSub ? t.i64[i * t.stride] - delta : t.i64[i * t.stride] + delta;
    }
  } else if (a.type == ValueType::kTime && b.type == ValueType::kTime) {  // time - time
    double* o = out->mut_f64();
    for (uint32_t i = 0; i < m; ++i) {
      ok[i] = a.valid[i * a.vstride] & b.valid[i * b.vstride];
      o[i] = static_cast<double>(a.i64[i * a.stride] - b.i64[i * b.stride]);
    }
  } else {
    double* o = out->mut_f64();
    const double out_scale = e.type == ValueType::kDuration ? 1000.0 : 1.0;
    const bool plain = a.type == ValueType::kNumber && b.type == ValueType::kNumber;
    for (uint32_t i = 0; i < m; ++i) {
      const double x = plain ? a.f64[i * a.stride] : Seconds(a, i);
      const double y = plain ? b.f64[i * b.stride] : Seconds(b, i);
      double r;
      bool valid = a.valid[i * a.vstride] & b.valid[i * b.vstride];
      switch (op) {
        case Op::kAdd:
          r = x + y;
          break;
        case Op::kSub:
          r = x - y;
          break;
        case Op::kMul:
          r = x * y;
          break;
        default:
          valid = valid && y != 0;
          r = y != 0 ? x / y : 0;
          break;
      }
      r *= out_scale;
      valid = valid && std::isfinite(r);
      ok[i] = valid;
      o[i] = valid ? r : 0;
    }
  }
  if (both_const) Broadcast(n, out);
}

int Evaluator::CompareAt(const Vec& a, uint32_t i, const Vec& b, uint32_t j) const {
  if (IsNumericType(a.type) && IsNumericType(b.type)) {
    if (a.type == b.type) return Three(a.f64[i * a.stride], b.f64[j * b.stride]);
    return Three(Seconds(a, i), Seconds(b, j));
  }
  switch (a.type) {
    case ValueType::kTime:
      return Three(a.i64[i * a.stride], b.i64[j * b.stride]);
    case ValueType::kBool:
      return Three(a.b8[i * a.stride], b.b8[j * b.stride]);
    case ValueType::kString: {
      if (a.str.kind == StrKind::kDict && a.str == b.str) {
        const uint32_t x = a.u32[i * a.stride], y = b.u32[j * b.stride];
        if (x == y) return 0;
      }
      const std::string_view x = TextAt(a, i), y = TextAt(b, j);
      return x < y ? -1 : (y < x ? 1 : 0);
    }
    default:
      return 0;
  }
}

std::string_view Evaluator::TextAt(const Vec& v, uint32_t i) const {
  const uint32_t id = v.u32 ? v.u32[i * v.stride] : 0;
  switch (v.str.kind) {
    case StrKind::kDict: {
      const std::string* text = DictText(q_, v.str.column, id);
      return text ? std::string_view(*text) : std::string_view();
    }
    case StrKind::kTicket: {
      const auto& ids = rows_->seg().ticket_ids;
      return id < ids.size() ? std::string_view(ids[id]) : std::string_view();
    }
    case StrKind::kLiteral:
      return v.text ? std::string_view(*v.text) : std::string_view();
    case StrKind::kNone:
      return {};
  }
  return {};
}

void Evaluator::ComputeComparison(const BoundExpr& e, const Vec& a, const Vec& b, Vec* out) {
  const bool both_const = a.is_const() && b.is_const();
  const uint32_t n = std::max(a.n, b.n);
  const uint32_t m = both_const ? 1 : n;
  if (a.type == ValueType::kNull || b.type == ValueType::kNull) {
    FillNull(ValueType::kBool, m, out);
    if (both_const) Broadcast(n, out);
    return;
  }
  out->ResetOwned(ValueType::kBool, m);
  uint8_t* o = out->mut_b8();
  const Op op = e.op;
  if (e.codes_resolved) {  // dictionary column vs a string constant
    const Vec& col = a.str.kind == StrKind::kDict ? a : b;
    const uint32_t want = e.codes.empty() ? kNoCode : e.codes[0];
    const uint32_t* c = col.u32;
    const uint32_t s = col.stride;
    const uint8_t eq = op == Op::kEq ? kTrue : kFalse, ne = op == Op::kEq ? kFalse : kTrue;
    auto at = [&](uint32_t code) -> uint8_t { return code == 0 ? kNullBool : (code == want ? eq : ne); };
    if (s == 1) {  // a column read in place (the common case): a loop the compiler vectorises
      for (uint32_t i = 0; i < m; ++i) o[i] = at(c[i]);
    } else {
      for (uint32_t i = 0; i < m; ++i) o[i] = at(c[i * s]);
    }
  } else if (IsNumericType(a.type) && IsNumericType(b.type)) {
    if (a.type == b.type) {
      FillComparison(op, m, o, [&](uint32_t i) {
        if (!(a.valid[i * a.vstride] & b.valid[i * b.vstride])) return kNullCmp;
        return Three(a.f64[i * a.stride], b.f64[i * b.stride]);
      });
    } else {
      FillComparison(op, m, o, [&](uint32_t i) {
        if (!(a.valid[i * a.vstride] & b.valid[i * b.vstride])) return kNullCmp;
        return Three(Seconds(a, i), Seconds(b, i));
      });
    }
  } else if (a.type == ValueType::kTime && b.type == ValueType::kTime) {
    FillComparison(op, m, o, [&](uint32_t i) {
      if (!(a.valid[i * a.vstride] & b.valid[i * b.vstride])) return kNullCmp;
      return Three(a.i64[i * a.stride], b.i64[i * b.stride]);
    });
  } else if (a.type == ValueType::kString && b.type == ValueType::kString && a.str.kind == StrKind::kDict &&
             a.str == b.str && (op == Op::kEq || op == Op::kNe)) {
    FillComparison(op, m, o, [&](uint32_t i) {
      const uint32_t x = a.u32[i * a.stride], y = b.u32[i * b.stride];
      if (x == 0 || y == 0) return kNullCmp;
      return x == y ? 0 : 1;
    });
  } else if (a.type == b.type) {
    FillComparison(op, m, o, [&](uint32_t i) {
      if (a.IsNull(i) || b.IsNull(i)) return kNullCmp;
      return CompareAt(a, i, b, i);
    });
  } else {
    std::fill(o, o + m, kNullBool);
  }
  if (both_const) Broadcast(n, out);
}

void Evaluator::ComputeIn(const BoundExpr& e, const Selection& sel, Vec* out) {
  const Vec* a = Eval(*e.args[0], sel);
  const uint32_t n = sel.n;
  const uint8_t hit = e.negated ? kFalse : kTrue;
  const uint8_t miss = e.list_has_null ? kNullBool : (e.negated ? kTrue : kFalse);
  if (a->type == ValueType::kNull) {
    FillNull(ValueType::kBool, 1, out);
    Broadcast(n, out);
    return;
  }
  if (e.codes_resolved && a->type == ValueType::kString && a->str.kind == StrKind::kDict) {
    const uint32_t m = a->is_const() ? 1 : n;
    out->ResetOwned(ValueType::kBool, m);
    uint8_t* o = out->mut_b8();
    const std::vector<uint32_t>& codes = e.codes;
    for (uint32_t i = 0; i < m; ++i) {
      const uint32_t c = a->u32[i * a->stride];
      if (c == 0) {
        o[i] = kNullBool;
        continue;
      }
      bool found = false;
      if (codes.size() <= 8) {
        for (uint32_t x : codes) found |= x == c;
      } else {
        found = std::binary_search(codes.begin(), codes.end(), c);
      }
      o[i] = found ? hit : miss;
    }
    if (a->is_const()) Broadcast(n, out);
    return;
  }
  std::vector<const Vec*> items;
  for (size_t k = 1; k < e.args.size(); ++k) items.push_back(Eval(*e.args[k], sel));
  out->ResetOwned(ValueType::kBool, n);
  uint8_t* o = out->mut_b8();
  for (uint32_t i = 0; i < n; ++i) {
    if (a->IsNull(i)) {
      o[i] = kNullBool;
      continue;
    }
    bool found = false, any_null = false;
    for (const Vec* w : items) {
      if (w->IsNull(i)) {
        any_null = true;
      } else if (ComparableTypes(a->type, w->type) && a->type != ValueType::kNull &&
                 (a->type == w->type || (IsNumericType(a->type) && IsNumericType(w->type))) &&
                 CompareAt(*a, i, *w, i) == 0) {
        found = true;
        break;
      }
    }
    o[i] = found ? hit : (any_null ? kNullBool : (e.negated ? kTrue : kFalse));
  }
}

}  // namespace kpi::query
