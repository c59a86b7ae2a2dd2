#include "storage/segment.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace kpi::storage {

namespace {
template <typename Sparse>
const Sparse* FindColumn(const std::vector<Sparse>& columns, uint32_t column) {
  auto it = std::lower_bound(columns.begin(), columns.end(), column,
                             [](const Sparse& s, uint32_t c) { return s.column < c; });
  return (it != columns.end() && it->column == column) ? &*it : nullptr;
}
[[noreturn]] void NotDecoded(const char* kind, uint32_t column) {
  std::fprintf(stderr, "internal error: %s column %u of a segment was read but not decoded\n", kind, column);
  std::abort();
}

bool Contains(const std::vector<uint32_t>& sorted, uint32_t column) {
  return std::binary_search(sorted.begin(), sorted.end(), column);
}

void Insert(std::vector<uint32_t>* sorted, uint32_t column) {
  auto it = std::lower_bound(sorted->begin(), sorted->end(), column);
  if (it == sorted->end() || *it != column) sorted->insert(it, column);
}

}  // namespace

SegmentColumns SegmentColumns::All() {
  SegmentColumns c;
  c.ticket_ids = c.times = c.events = c.agents = c.batches = c.ids = c.all_dims = c.all_measures = true;
  return c;
}

bool SegmentColumns::HasDim(uint32_t column) const { return all_dims || Contains(dims, column); }
bool SegmentColumns::HasMeasure(uint32_t column) const { return all_measures || Contains(measures, column); }

bool SegmentColumns::Covers(const SegmentColumns& o) const {
  auto covers = [](bool all, const std::vector<uint32_t>& mine, bool other_all, const std::vector<uint32_t>& other) {
    if (all) return true;
    if (other_all) return false;
    return std::includes(mine.begin(), mine.end(), other.begin(), other.end());
  };
  return (ticket_ids || !o.ticket_ids) && (times || !o.times) && (events || !o.events) && (agents || !o.agents) &&
         (batches || !o.batches) && (ids || !o.ids) && covers(all_dims, dims, o.all_dims, o.dims) &&
         covers(all_measures, measures, o.all_measures, o.measures);
}

void SegmentColumns::Add(const SegmentColumns& o) {
  ticket_ids |= o.ticket_ids;
  times |= o.times;
  events |= o.events;
  agents |= o.agents;
  batches |= o.batches;
  ids |= o.ids;
  all_dims |= o.all_dims;
  all_measures |= o.all_measures;
  for (uint32_t c : o.dims) Insert(&dims, c);
  for (uint32_t c : o.measures) Insert(&measures, c);
}

void SegmentColumns::AddDim(uint32_t column) { Insert(&dims, column); }
void SegmentColumns::AddMeasure(uint32_t column) { Insert(&measures, column); }

const SparseCodes* Segment::FindDim(uint32_t column) const {
  if (!columns.HasDim(column)) NotDecoded("dimension", column);
  return FindColumn(dims, column);
}

const SparseNumbers* Segment::FindMeasure(uint32_t column) const {
  if (!columns.HasMeasure(column)) NotDecoded("measure", column);
  return FindColumn(measures, column);
}

size_t Segment::MemoryBytes() const {
  size_t bytes = sizeof(Segment);
  for (const auto& t : ticket_ids) bytes += sizeof(std::string) + (t.size() > 15 ? t.size() : 0);
  bytes += event_begin.size() * 4 + time_ms.size() * 8 + event_code.size() * 4 + agent_code.size() * 4 +
           batch.size() * 4 + id_rows.size() * 4 + id_hashes.size() * 8 +
           (revision_rows.size() + dead_rows.size()) * 8;
  for (const auto& d : dims) bytes += d.rows.size() * 8;
  for (const auto& m : measures) bytes += m.rows.size() * 12;
  return bytes;
}

void Segment::TakeColumns(Segment&& from) {
  columns = std::move(from.columns);
  ticket_ids = std::move(from.ticket_ids);
  event_begin = std::move(from.event_begin);
  time_ms = std::move(from.time_ms);
  event_code = std::move(from.event_code);
  agent_code = std::move(from.agent_code);
  batch = std::move(from.batch);
  dims = std::move(from.dims);
  measures = std::move(from.measures);
  id_rows = std::move(from.id_rows);
  id_hashes = std::move(from.id_hashes);
  revision_rows = std::move(from.revision_rows);
  revisions = std::move(from.revisions);
  dead_rows = std::move(from.dead_rows);
  dead_since = std::move(from.dead_since);
}

}  // namespace kpi::storage
