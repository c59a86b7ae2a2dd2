#include "query/execution/segment_rows.h"

#include <algorithm>

namespace kpi::query {

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
  for (const storage::SparseCodes& d : in.dims) {
    storage::SparseCodes nd;
    nd.column = d.column;
    for (size_t k = 0; k < d.rows.size(); ++k) {
      if (d.rows[k] >= new_row.size() || new_row[d.rows[k]] == UINT32_MAX) continue;
      nd.rows.push_back(new_row[d.rows[k]]);
      nd.codes.push_back(d.codes[k]);
    }
    if (!nd.rows.empty()) out->dims.push_back(std::move(nd));
  }
  for (const storage::SparseNumbers& m : in.measures) {
    storage::SparseNumbers nm;
    nm.column = m.column;
    for (size_t k = 0; k < m.rows.size(); ++k) {
      if (m.rows[k] >= new_row.size() || new_row[m.rows[k]] == UINT32_MAX) continue;
      nm.rows.push_back(new_row[m.rows[k]]);
      nm.values.push_back(m.values[k]);
    }
    if (!nm.rows.empty()) out->measures.push_back(std::move(nm));
  }
}

void SegmentRows::Reset(const storage::Segment* segment, uint32_t ordinal, Source source, uint32_t created_code) {
  seg_ = segment;
  ordinal_ = ordinal;
  source_ = source;
  created_code_ = created_code;
  ++epoch_;
}

const int64_t* SegmentRows::Created() {
  if (created_epoch_ != epoch_) {
    created_epoch_ = epoch_;
    const storage::Segment& s = *seg_;
    const uint32_t nt = s.num_tickets();
    created_.resize(nt);
    for (uint32_t t = 0; t < nt; ++t) {
      const uint32_t b = s.event_begin[t], e = s.event_begin[t + 1];
      int64_t c = b < e ? s.time_ms[b] : 0;
      if (created_code_ != 0) {
        for (uint32_t i = b; i < e; ++i) {
          if (s.event_code[i] == created_code_) {
            c = s.time_ms[i];
            break;
          }
        }
      }
      created_[t] = c;
    }
  }
  return created_.data();
}

const uint32_t* SegmentRows::EventTicket() {
  if (event_ticket_epoch_ != epoch_) {
    event_ticket_epoch_ = epoch_;
    const storage::Segment& s = *seg_;
    event_ticket_.resize(s.num_events());
    const uint32_t nt = s.num_tickets();
    for (uint32_t t = 0; t < nt; ++t)
      std::fill(event_ticket_.begin() + s.event_begin[t], event_ticket_.begin() + s.event_begin[t + 1], t);
  }
  return event_ticket_.data();
}

SegmentRows::Cached* SegmentRows::Slot(uint32_t kind, uint32_t column, bool* fresh) {
  Cached* stale = nullptr;
  for (Cached& c : cache_) {
    if (c.kind == kind && c.column == column) {
      *fresh = c.epoch != epoch_;
      c.epoch = epoch_;
      return &c;
    }
    if (c.epoch != epoch_ && stale == nullptr) stale = &c;
  }
  if (stale == nullptr) {
    cache_.emplace_back();
    stale = &cache_.back();
  }
  stale->kind = kind;
  stale->column = column;
  stale->epoch = epoch_;
  *fresh = true;
  return stale;
}

const uint32_t* SegmentRows::Dim(uint32_t column) {
  bool fresh;
  Cached* c = Slot(1, column, &fresh);
  if (!fresh) return c->codes.data();
  const storage::Segment& s = *seg_;
  const storage::SparseCodes* d = s.FindDim(column);
  if (source_ == Source::kEvents) {
    // One pass, each row written once: walk every ticket's rows, switching
    // to a new value at each of its sparse entries (rows ascend), 0 (null)
    // before its first.
    const uint32_t ne = s.num_events();
    c->codes.resize(ne);
    uint32_t* out = c->codes.data();
    if (d == nullptr) {
      std::fill(out, out + ne, 0u);
    } else {
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
    }
  } else {
    c->codes.assign(s.num_tickets(), 0);
    if (d != nullptr) {
      const uint32_t* et = EventTicket();
      const size_t m = std::min(d->rows.size(), d->codes.size());
      for (size_t k = 0; k < m; ++k) {
        if (d->rows[k] >= s.num_events()) break;
        c->codes[et[d->rows[k]]] = d->codes[k];  // rows ascend: the latest wins
      }
    }
  }
  return c->codes.data();
}

const double* SegmentRows::Measure(uint32_t column, const uint8_t** valid) {
  bool fresh;
  Cached* c = Slot(2, column, &fresh);
  if (fresh) {
    const storage::Segment& s = *seg_;
    const storage::SparseNumbers* m = s.FindMeasure(column);
    const uint32_t n = num_rows();
    c->values.assign(n, 0);
    c->valid.assign(n, 0);
    if (m != nullptr) {
      const size_t k_end = std::min(m->rows.size(), m->values.size());
      if (source_ == Source::kEvents) {
        for (size_t k = 0; k < k_end; ++k) {
          const uint32_t r = m->rows[k];
          if (r >= n) break;
          c->values[r] = m->values[k];
          c->valid[r] = 1;
        }
      } else {
        const uint32_t* et = EventTicket();
        for (size_t k = 0; k < k_end; ++k) {
          if (m->rows[k] >= s.num_events()) break;
          const uint32_t t = et[m->rows[k]];
          c->values[t] = m->values[k];  // rows ascend: the last non-null value wins
          c->valid[t] = 1;
        }
      }
    }
  }
  *valid = c->valid.data();
  return c->values.data();
}

const double* SegmentRows::Total(uint32_t column, const uint8_t** valid) {
  bool fresh;
  Cached* c = Slot(3, column, &fresh);
  if (fresh) {
    const storage::Segment& s = *seg_;
    const storage::SparseNumbers* m = s.FindMeasure(column);
    c->values.assign(s.num_tickets(), 0);
    c->valid.assign(s.num_tickets(), 0);
    if (m != nullptr) {
      const uint32_t* et = EventTicket();
      const size_t k_end = std::min(m->rows.size(), m->values.size());
      for (size_t k = 0; k < k_end; ++k) {
        if (m->rows[k] >= s.num_events()) break;
        const uint32_t t = et[m->rows[k]];
        c->values[t] += m->values[k];
        c->valid[t] = 1;
      }
    }
  }
  *valid = c->valid.data();
  return c->values.data();
}

}  // namespace kpi::query
