#include "query/execution/segment_rows.h"

#include <algorithm>

#include "query/execution/memo_fits.h"
#include "query/execution/ticket_memo.h"

namespace kpi::query {

namespace {

// The entries of sparse columns (dimensions: codes, measures: values) whose
// rows stay visible, renumbered by new_row (UINT32_MAX: the row is gone);
// a column left without rows is dropped.
template <typename Sparse, typename Values>
void KeepVisibleRows(const std::vector<Sparse>& in, const std::vector<uint32_t>& new_row, Values Sparse::*values,
                     std::vector<Sparse>* out) {
  for (const Sparse& column : in) {
    Sparse kept;
    kept.column = column.column;
    for (size_t k = 0; k < column.rows.size(); ++k) {
      const uint32_t row = column.rows[k];
      if (row >= new_row.size() || new_row[row] == UINT32_MAX) continue;
      kept.rows.push_back(new_row[row]);
      (kept.*values).push_back((column.*values)[k]);
    }
    if (!kept.rows.empty()) out->push_back(std::move(kept));
  }
}

}  // namespace

void FilterSegmentAsOf(const storage::Segment& in, uint32_t max_batch, storage::Segment* out) {
  *out = storage::Segment{};
  // The same columns, those decoded (batches always are, when filtering),
  // but the identities, which a query never reads.
  out->columns = in.columns;
  out->columns.ids = false;
  const storage::SegmentColumns& c = in.columns;
  const uint32_t nt = in.num_tickets();
  std::vector<uint32_t> new_row(in.num_events(), UINT32_MAX);
  // Corrections: rows replaced or retracted at or before max_batch are gone.
  std::vector<uint8_t> dead(in.dead_rows.empty() ? 0 : in.num_events(), 0);
  for (size_t k = 0; k < in.dead_rows.size() && k < in.dead_since.size(); ++k)
    if (in.dead_rows[k] < dead.size() && in.dead_since[k] <= max_batch) dead[in.dead_rows[k]] = 1;
  out->event_begin.push_back(0);
  uint32_t next = 0;
  for (uint32_t t = 0; t < nt; ++t) {
    const uint32_t begin = next;
    for (uint32_t e = in.event_begin[t]; e < in.event_begin[t + 1]; ++e) {
      if (in.batch[e] > max_batch || (!dead.empty() && dead[e])) continue;
      new_row[e] = next++;
      if (c.times) out->time_ms.push_back(in.time_ms[e]);
      if (c.events) out->event_code.push_back(in.event_code[e]);
      if (c.agents) out->agent_code.push_back(in.agent_code[e]);
      out->batch.push_back(in.batch[e]);
    }
    if (next == begin) continue;  // no visible event: the ticket did not exist yet
    if (c.ticket_ids) out->ticket_ids.push_back(in.ticket_ids[t]);
    out->event_begin.push_back(next);
  }
  KeepVisibleRows(in.dims, new_row, &storage::SparseCodes::codes, &out->dims);
  KeepVisibleRows(in.measures, new_row, &storage::SparseNumbers::values, &out->measures);
}

void SegmentRows::Reset(const storage::Segment* segment, uint32_t ordinal, Source source, uint32_t created_code) {
  seg_ = segment;
  ordinal_ = ordinal;
  source_ = source;
  created_code_ = created_code;
  ++epoch_;
}

namespace {

// Calls f(k, at) for the first m entries of a sparse column (rows
// ascending), `at` being the entry's row, or its ticket when by_ticket.
template <typename F>
void ForEachSparse(const storage::Segment& s, const std::vector<uint32_t>& rows, size_t m, bool by_ticket, F&& f) {
  uint32_t t = 0;
  for (size_t k = 0; k < m; ++k) {
    const uint32_t r = rows[k];
    if (r >= s.num_events()) break;
    if (!by_ticket) {
      f(k, r);
      continue;
    }
    while (s.event_begin[t + 1] <= r) ++t;
    f(k, t);
  }
}

}  // namespace

template <typename Fill>
const RowColumn& SegmentRows::Derived(uint32_t kind, uint32_t column, size_t bytes, uint8_t fields, size_t rows,
                                      uint64_t code_bound, Fill&& fill) {
  Cached* stale = nullptr;
  for (Cached& c : cache_) {
    if (c.kind == kind && c.column == column && c.epoch == epoch_) return *c.view;
    if (c.epoch != epoch_ && stale == nullptr) stale = &c;
  }
  if (stale == nullptr) stale = &cache_.emplace_back();
  Cached& c = *stale;
  c.kind = kind;
  c.column = column;
  c.epoch = epoch_;
  // The key names what the column depends on besides the segment: its
  // kind, column, whether rows are tickets or events, and the code of `created`.
  const std::string key = MemoKey('r', kind, column, static_cast<uint32_t>(source_), created_code_);
  c.view = Memoized<RowColumn>(*seg_, key, bytes, fill, [&](const RowColumn& read) {
    return RowColumnFits(read, fields, rows, code_bound);
  });
  if (c.view == nullptr) {
    fill(&c.own);
    c.view = &c.own;
  }
  return *c.view;
}

const int64_t* SegmentRows::Created() {
  const storage::Segment& s = *seg_;
  const uint32_t nt = s.num_tickets();
  const uint32_t code = created_code_;
  return Derived(4, 0, size_t{nt} * 8, kTimes, nt, 0, [&](RowColumn* out) {
           out->times.resize(nt);
           for (uint32_t t = 0; t < nt; ++t) {
             const uint32_t b = s.event_begin[t], e = s.event_begin[t + 1];
             int64_t c = b < e ? s.time_ms[b] : 0;
             if (code != 0) {
               for (uint32_t i = b; i < e; ++i) {
                 if (s.event_code[i] == code) {
                   c = s.time_ms[i];
                   break;
                 }
               }
             }
             out->times[t] = c;
           }
         })
      .times.data();
}

const uint32_t* SegmentRows::EventTicket() {
  const storage::Segment& s = *seg_;
  return Derived(5, 0, size_t{s.num_events()} * 4, kCodes, s.num_events(), s.num_tickets(), [&](RowColumn* out) {
           out->codes.resize(s.num_events());
           const uint32_t nt = s.num_tickets();
           for (uint32_t t = 0; t < nt; ++t)
             std::fill(out->codes.begin() + s.event_begin[t], out->codes.begin() + s.event_begin[t + 1], t);
         })
      .codes.data();
}

const uint64_t* SegmentRows::CodeMask() {
  const storage::Segment& s = *seg_;
  const uint32_t nt = s.num_tickets();
  return Derived(6, 0, size_t{nt} * 8, kMasks, nt, 0, [&](RowColumn* out) {
           out->masks.resize(nt);
           const uint32_t* code = s.event_code.data();
           for (uint32_t t = 0; t < nt; ++t) {
             uint64_t m = 0;
             for (uint32_t e = s.event_begin[t]; e < s.event_begin[t + 1]; ++e) m |= CodeBit(code[e]);
             out->masks[t] = m;
           }
         })
      .masks.data();
}

const uint32_t* SegmentRows::Dim(uint32_t column) {
  const storage::Segment& s = *seg_;
  // The sparse columns are looked up in the fills only: a hollow segment
  // has them once a memo miss decoded it (ticket_memo.h).
  if (source_ == Source::kEvents) {
    const uint32_t ne = s.num_events();
    return Derived(1, column, size_t{ne} * 4, kCodes, ne, 0, [&](RowColumn* col) {
             const storage::SparseCodes* d = s.FindDim(column);
             // One pass, each row written once: walk every ticket's rows,
             // switching to a new value at each of its sparse entries (rows
             // ascend), 0 (null) before its first.
             col->codes.resize(ne);
             uint32_t* out = col->codes.data();
             if (d == nullptr) {
               std::fill(out, out + ne, 0u);
               return;
             }
             const size_t m = std::min(d->rows.size(), d->codes.size());
             const uint32_t* rows = d->rows.data();
             const uint32_t* codes = d->codes.data();
             size_t k = 0;
             const uint32_t nt = s.num_tickets();
             for (uint32_t t = 0; t < nt; ++t) {
               const uint32_t end = std::min(s.event_begin[t + 1], ne);
               uint32_t r = std::min(s.event_begin[t], end), current = 0;
               while (k < m && rows[k] < end) {
                 const uint32_t at = std::max(rows[k], r);
                 std::fill(out + r, out + at, current);
                 current = codes[k++];
                 r = at;
               }
               std::fill(out + r, out + end, current);
             }
           })
        .codes.data();
  }
  const uint32_t nt = s.num_tickets();
  return Derived(1, column, size_t{nt} * 4, kCodes, nt, 0, [&](RowColumn* col) {
           col->codes.assign(nt, 0);
           const storage::SparseCodes* d = s.FindDim(column);
           if (d == nullptr) return;
           // Rows ascend: the latest carried value of a ticket wins.
           ForEachSparse(s, d->rows, std::min(d->rows.size(), d->codes.size()), true,
                         [&](size_t k, uint32_t t) { col->codes[t] = d->codes[k]; });
         })
      .codes.data();
}

const double* SegmentRows::Measure(uint32_t column, const uint8_t** valid) {
  const storage::Segment& s = *seg_;
  const uint32_t n = num_rows();
  const bool events = source_ == Source::kEvents;
  const RowColumn& col = Derived(2, column, size_t{n} * 9, kValues | kValid, n, 0, [&](RowColumn* c) {
    const storage::SparseNumbers* m = s.FindMeasure(column);
    c->values.assign(n, 0);
    c->valid.assign(n, 0);
    if (m == nullptr) return;
    // Over tickets rows ascend: the ticket's last non-null value wins.
    ForEachSparse(s, m->rows, std::min(m->rows.size(), m->values.size()), !events, [&](size_t k, uint32_t at) {
      c->values[at] = m->values[k];
      c->valid[at] = 1;
    });
  });
  *valid = col.valid.data();
  return col.values.data();
}

const double* SegmentRows::Total(uint32_t column, const uint8_t** valid) {
  const storage::Segment& s = *seg_;
  const uint32_t nt = s.num_tickets();
  const RowColumn& col = Derived(3, column, size_t{nt} * 9, kValues | kValid, nt, 0, [&](RowColumn* c) {
    const storage::SparseNumbers* m = s.FindMeasure(column);
    c->values.assign(nt, 0);
    c->valid.assign(nt, 0);
    if (m == nullptr) return;
    ForEachSparse(s, m->rows, std::min(m->rows.size(), m->values.size()), true, [&](size_t k, uint32_t t) {
      c->values[t] += m->values[k];
      c->valid[t] = 1;
    });
  });
  *valid = col.valid.data();
  return col.values.data();
}

}  // namespace kpi::query
