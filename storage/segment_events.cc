#include "storage/segment_events.h"

namespace kpi::storage {

void AppendSegmentEvents(const Segment& s, std::vector<CodedEvent>* out, EventAttrs* attrs) {
  const size_t base = out->size();
  out->resize(base + s.num_events());
  CodedEvent* events = out->data() + base;
  for (uint32_t t = 0; t < s.num_tickets(); ++t)
    for (uint32_t e = s.event_begin[t]; e < s.event_begin[t + 1]; ++e) events[e].ticket = t;
  for (uint32_t e = 0; e < s.num_events(); ++e) {
    events[e].ts_ms = s.time_ms[e];
    events[e].event_code = s.event_code[e];
    events[e].agent_code = s.agent_code[e];
    events[e].batch = s.batch[e];
  }
  for (size_t i = 0; i < s.id_rows.size(); ++i) events[s.id_rows[i]].id_hash = s.id_hashes[i];
  for (size_t i = 0; i < s.revision_rows.size(); ++i) events[s.revision_rows[i]].revision = s.revisions[i];
  for (size_t i = 0; i < s.dead_rows.size(); ++i) events[s.dead_rows[i]].dead_since = s.dead_since[i];
  // Sparse columns back into per-event slices of *attrs: count, place, fill
  // (columns ascend, so each event's slice comes out sorted by column).
  for (const SparseCodes& d : s.dims)
    for (uint32_t r : d.rows) events[r].num_dims++;
  for (const SparseNumbers& m : s.measures)
    for (uint32_t r : m.rows) events[r].num_measures++;
  size_t dim_at = attrs->dims.size(), measure_at = attrs->measures.size();
  for (uint32_t e = 0; e < s.num_events(); ++e) {
    events[e].dims_begin = static_cast<uint32_t>(dim_at);
    events[e].measures_begin = static_cast<uint32_t>(measure_at);
    dim_at += events[e].num_dims;
    measure_at += events[e].num_measures;
  }
  attrs->dims.resize(dim_at);
  attrs->measures.resize(measure_at);
  std::vector<uint32_t> filled(s.num_events(), 0);
  for (const SparseCodes& d : s.dims)
    for (size_t i = 0; i < d.rows.size(); ++i) {
      CodedEvent& e = events[d.rows[i]];
      attrs->dims[e.dims_begin + filled[d.rows[i]]++] = {d.column, d.codes[i]};
    }
  std::fill(filled.begin(), filled.end(), 0);
  for (const SparseNumbers& m : s.measures)
    for (size_t i = 0; i < m.rows.size(); ++i) {
      CodedEvent& e = events[m.rows[i]];
      attrs->measures[e.measures_begin + filled[m.rows[i]]++] = {m.column, m.values[i]};
    }
}

void SegmentBuilder::AddTicket(std::string_view id) {
  s_->ticket_ids.emplace_back(id);
  s_->event_begin.push_back(n_);
}

void SegmentBuilder::AddEvent(const CodedEvent& e, const EventAttrs& attrs) {
  s_->time_ms.push_back(e.ts_ms);
  s_->event_code.push_back(e.event_code);
  s_->agent_code.push_back(e.agent_code);
  s_->batch.push_back(e.batch);
  if (e.id_hash != 0) {
    s_->id_rows.push_back(n_);
    s_->id_hashes.push_back(e.id_hash);
  }
  if (e.revision != 0) {
    s_->revision_rows.push_back(n_);
    s_->revisions.push_back(e.revision);
  }
  if (e.dead_since != 0) {
    s_->dead_rows.push_back(n_);
    s_->dead_since.push_back(e.dead_since);
  }
  for (const auto& [column, code] : DimsOf(e, attrs)) {
    SparseCodes& d = dims_[column];
    d.rows.push_back(n_);
    d.codes.push_back(code);
  }
  for (const auto& [column, value] : MeasuresOf(e, attrs)) {
    SparseNumbers& m = measures_[column];
    m.rows.push_back(n_);
    m.values.push_back(value);
  }
  ++n_;
}

void SegmentBuilder::Finish() {
  s_->event_begin.push_back(n_);
  for (auto& [column, d] : dims_) {
    d.column = column;
    s_->dims.push_back(std::move(d));
  }
  for (auto& [column, m] : measures_) {
    m.column = column;
    s_->measures.push_back(std::move(m));
  }
  dims_.clear();
  measures_.clear();
}

}  // namespace kpi::storage
