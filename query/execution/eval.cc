#include "query/execution/eval.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "query/execution/memo_keys.h"
#include "query/execution/ticket_functions.h"
#include "query/execution/memo_fits.h"
#include "query/execution/ticket_memo.h"
#include "query/execution/vec_fill.h"
#include "query/execution/vec_select.h"

namespace kpi::query {

Evaluator::Evaluator(const BoundQuery& query)
    : q_(query), memo_(static_cast<size_t>(std::max(query.num_row_nodes, 0))) {}

void Evaluator::StartBatch(SegmentRows* rows) {
  rows_ = rows;
  repeat_answers_ = nullptr;
  Iota(rows->num_rows());  // sized once per batch: views into it stay valid
  main_ = Selection{};
  ++epoch_;
  pool_top_ = 0;
}

void Evaluator::SetMain(const Selection& main) {
  main_ = main;
  main_.main = true;
  ++epoch_;
}

const Vec& Evaluator::EvalMain(const BoundExpr& e) { return *Eval(e, main_); }

Vec* Evaluator::Acquire() {
  if (pool_top_ == pool_.size()) pool_.push_back(std::make_unique<Vec>());
  return pool_[pool_top_++].get();
}

const uint32_t* Evaluator::Iota(uint32_t n) {
  if (iota_.size() < n) {
    const uint32_t old = static_cast<uint32_t>(iota_.size());
    iota_.resize(n);
    for (uint32_t i = old; i < n; ++i) iota_[i] = i;
  }
  return iota_.data();
}

const Vec* Evaluator::Eval(const BoundExpr& e, const Selection& sel) {
  if (sel.main && e.id >= 0 && static_cast<size_t>(e.id) < memo_.size()) {
    Memo& m = memo_[e.id];
    if (m.epoch != epoch_) {
      Compute(e, sel, &m.vec);
      m.epoch = epoch_;
    }
    return &m.vec;
  }
  Vec* out = Acquire();
  Compute(e, sel, out);
  return out;
}

const std::vector<uint32_t>* Evaluator::KeptFilter(const BoundExpr& pred, const Selection& in) {
  if (in.rows != nullptr || in.n != rows_->num_rows() || building_memo_) return nullptr;
  const std::string& key = RowKey(pred);
  if (key.empty()) return nullptr;
  return Memoized<std::vector<uint32_t>>(
      rows_->seg(), "f" + key, size_t{in.n} * 4,
      [&](std::vector<uint32_t>* rows) {
        building_memo_ = true;
        FilterRows(pred, in, rows);
        building_memo_ = false;
        rows->shrink_to_fit();
      },
      [&](const std::vector<uint32_t>& rows) { return RowsFit(rows, in.n); },
      [](const std::vector<uint32_t>& rows) { return rows.size() * 4; });
}

void Evaluator::Filter(const BoundExpr& pred, const Selection& in, std::vector<uint32_t>* out) {
  if (const std::vector<uint32_t>* kept = KeptFilter(pred, in)) {
    out->insert(out->end(), kept->begin(), kept->end());
    return;
  }
  FilterRows(pred, in, out);
}

Selection Evaluator::FilterSelection(const BoundExpr& pred, const Selection& in, std::vector<uint32_t>* scratch) {
  if (const std::vector<uint32_t>* kept = KeptFilter(pred, in))
    return Selection{kept->data(), static_cast<uint32_t>(kept->size()), false};
  scratch->clear();
  FilterRows(pred, in, scratch);
  return Selection{scratch->data(), static_cast<uint32_t>(scratch->size()), false};
}

namespace {

// Appends in.row(i) for each i with b[i] == kTrue. By 64 rows: a mask of
// the true ones (a loop without branches), then its set bits. A filter
// often keeps one row in several (`event = "agent_reply"`: one in four),
// where a branch per row mispredicts.
void AppendTrueRows(const uint8_t* b, const Selection& in, std::vector<uint32_t>* out) {
  for (uint32_t base = 0; base < in.n; base += 64) {
    const uint32_t len = std::min<uint32_t>(64, in.n - base);
    uint64_t mask = 0;
    for (uint32_t j = 0; j < len; ++j) mask |= static_cast<uint64_t>(b[base + j] == kTrue) << j;
    for (; mask != 0; mask &= mask - 1) out->push_back(in.row(base + static_cast<uint32_t>(__builtin_ctzll(mask))));
  }
}

}  // namespace

void Evaluator::FilterRows(const BoundExpr& pred, const Selection& in, std::vector<uint32_t>* out) {
  const size_t mark = pool_top_;
  if (pred.kind == BoundKind::kBinary && pred.op == Op::kAnd) {
    const BoundExpr* first = pred.args[0];
    const BoundExpr* second = pred.args[1];
    if (second->cost < first->cost) std::swap(first, second);
    Vec* tmp = Acquire();
    tmp->u32_buf.clear();
    Filter(*first, in, &tmp->u32_buf);
    if (!tmp->u32_buf.empty()) {
      Selection narrowed{tmp->u32_buf.data(), static_cast<uint32_t>(tmp->u32_buf.size()), false};
      Filter(*second, narrowed, out);
    }
    pool_top_ = mark;
    return;
  }
  const Vec* v = Eval(pred, in);
  if (v->type == ValueType::kBool) {
    if (v->is_const()) {
      if (v->b8[0] == kTrue)
        for (uint32_t i = 0; i < in.n; ++i) out->push_back(in.row(i));
    } else {
      AppendTrueRows(v->b8, in, out);
    }
  }
  pool_top_ = mark;
}

void Evaluator::Compute(const BoundExpr& e, const Selection& sel, Vec* out) {
  // Over tickets, an operator node with a memo key (memo_keys.h) is
  // computed over every ticket of the segment once and kept with it
  // (ticket_memo.h); its operands are not kept while it is built.
  const bool composite = e.kind == BoundKind::kUnary || e.kind == BoundKind::kBinary || e.kind == BoundKind::kIn;
  if (composite && !building_memo_ && rows_->source() == Source::kTickets && e.id >= 0) {
    const std::string& key = RowKey(e);
    if (!key.empty()) {
      const uint32_t nt = rows_->num_rows();
      const Vec* all = Memoized<Vec>(rows_->seg(), key, size_t{nt} * 9, [&](Vec* v) {
        building_memo_ = true;
        ComputeNode(e, Selection{nullptr, nt, false}, v);
        building_memo_ = false;
        OwnData(v);
      }, [&](const Vec& v) { return VecFits(v, e.type, nt); });
      if (all != nullptr) {
        SelectRows(*all, sel.rows, sel.n, out);
        return;
      }
    }
  }
  ComputeNode(e, sel, out);
}

const std::string& Evaluator::RowKey(const BoundExpr& e) {
  static const std::string kNone;
  if (e.id < 0) return kNone;
  const size_t id = static_cast<size_t>(e.id);
  if (id >= memo_keys_.size()) memo_keys_.resize(id + 1);
  auto& [known, key] = memo_keys_[id];
  if (!known) {
    key = RowMemoKey(e, rows_->source(), rows_->created_code());
    known = true;
  }
  return key;
}

void Evaluator::ComputeNode(const BoundExpr& e, const Selection& sel, Vec* out) {
  const size_t mark = pool_top_;
  switch (e.kind) {
    case BoundKind::kConst:
      ComputeConst(e, sel.n, out);
      break;
    case BoundKind::kColumn:
      ComputeColumn(e, sel, out);
      break;
    case BoundKind::kTicketFn:
      EvalTicketFunction(e, *rows_, sel.rows, sel.n, repeat_answers_, out);
      break;
    case BoundKind::kUnary:
      ComputeUnary(e, *Eval(*e.args[0], sel), out);
      break;
    case BoundKind::kBinary:
      if (e.op == Op::kAnd || e.op == Op::kOr) {
        ComputeLogic(e, sel, out);
      } else {
        const Vec* a = Eval(*e.args[0], sel);
        const Vec* b = Eval(*e.args[1], sel);
        if (IsComparison(e.op)) ComputeComparison(e, *a, *b, out);
        else ComputeArithmetic(e, *a, *b, out);
      }
      break;
    case BoundKind::kIn:
      ComputeIn(e, sel, out);
      break;
    case BoundKind::kJoinColumn:
      ComputeJoinColumn(e, *Eval(*e.args[0], sel), out);
      break;
    case BoundKind::kScalar:
      ComputeScalar(e, sel, out);
      break;
    default:  // group-context nodes never reach the row evaluator
      FillNull(e.type, sel.n, out);
      break;
  }
  pool_top_ = mark;
}

void Evaluator::ComputeConst(const BoundExpr& e, uint32_t n, Vec* out) {
  const Value& v = e.value;
  out->ResetOwned(v.type, 1);
  switch (v.type) {
    case ValueType::kNull:
      break;
    case ValueType::kBool:
      out->mut_b8()[0] = v.boolean ? kTrue : kFalse;
      break;
    case ValueType::kNumber:
      out->mut_f64()[0] = v.number;
      break;
    case ValueType::kDuration:
      out->mut_f64()[0] = v.number * 1000.0;
      break;
    case ValueType::kTime:
      out->mut_i64()[0] = v.time_ms;
      break;
    case ValueType::kString:
      out->mut_u32()[0] = 0;
      out->str.kind = StrKind::kLiteral;
      out->text = &e.value.text;
      break;
  }
  Broadcast(n, out);
}

void Evaluator::ComputeColumn(const BoundExpr& e, const Selection& sel, Vec* out) {
  const storage::Segment& seg = rows_->seg();
  const uint32_t n = sel.n;
  auto gather_u32 = [&](const uint32_t* src) {
    if (sel.rows == nullptr) {
      out->u32 = src;
      return;
    }
    out->u32_buf.resize(n);
    for (uint32_t i = 0; i < n; ++i) out->u32_buf[i] = src[sel.rows[i]];
    out->u32 = out->u32_buf.data();
  };
  auto gather_i64 = [&](const int64_t* src) {
    if (sel.rows == nullptr) {
      out->i64 = src;
      return;
    }
    out->i64_buf.resize(n);
    for (uint32_t i = 0; i < n; ++i) out->i64_buf[i] = src[sel.rows[i]];
    out->i64 = out->i64_buf.data();
  };
  out->ResetOwned(ValueType::kNull, n);
  out->type = e.type;
  out->str = e.str;
  switch (e.column) {
    case ColumnRef::kTime:
      gather_i64(seg.time_ms.data());
      break;
    case ColumnRef::kCreated:
      gather_i64(rows_->Created());
      break;
    case ColumnRef::kTicket:
      if (rows_->source() == Source::kTickets) {
        gather_u32(Iota(rows_->num_rows()));  // rows are ticket indices
      } else {
        gather_u32(rows_->EventTicket());
      }
      break;
    case ColumnRef::kEvent:
      gather_u32(seg.event_code.data());
      break;
    case ColumnRef::kAgent:
      gather_u32(seg.agent_code.data());
      break;
    case ColumnRef::kDim:
      gather_u32(rows_->Dim(e.column_id));
      break;
    case ColumnRef::kMeasure: {
      if (rows_->source() == Source::kEvents && sel.rows != nullptr) {
        // The selected events' own values, read from the sparse column by
        // a merge walk (both ascend): no dense column of every event.
        out->f64_buf.assign(n, 0);
        out->valid_buf.assign(n, 0);
        if (const storage::SparseNumbers* m = seg.FindMeasure(e.column_id)) {
          const size_t k_end = std::min(m->rows.size(), m->values.size());
          size_t k = 0;
          for (uint32_t i = 0; i < n && k < k_end; ++i) {
            const uint32_t r = sel.rows[i];
            while (k < k_end && m->rows[k] < r) ++k;
            if (k < k_end && m->rows[k] == r) {
              out->f64_buf[i] = m->values[k];
              out->valid_buf[i] = 1;
            }
          }
        }
        out->f64 = out->f64_buf.data();
        out->valid = out->valid_buf.data();
        out->vstride = 1;
        break;
      }
      const uint8_t* valid;
      const double* values = rows_->Measure(e.column_id, &valid);
      if (sel.rows == nullptr) {
        out->f64 = values;
        out->valid = valid;
      } else {
        out->f64_buf.resize(n);
        out->valid_buf.resize(n);
        for (uint32_t i = 0; i < n; ++i) {
          out->f64_buf[i] = values[sel.rows[i]];
          out->valid_buf[i] = valid[sel.rows[i]];
        }
        out->f64 = out->f64_buf.data();
        out->valid = out->valid_buf.data();
      }
      out->vstride = 1;
      break;
    }
  }
}

}  // namespace kpi::query
