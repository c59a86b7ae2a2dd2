#include "storage/segment.h"

#include <algorithm>

namespace kpi::storage {

namespace {
template <typename Sparse>
const Sparse* FindColumn(const std::vector<Sparse>& columns, uint32_t column) {
  auto it = std::lower_bound(columns.begin(), columns.end(), column,
                             [](const Sparse& s, uint32_t c) { return s.column < c; });
  return (it != columns.end() && it->column == column) ? &*it : nullptr;
}
}  // namespace

const SparseCodes* Segment::FindDim(uint32_t column) const { return FindColumn(dims, column); }
const SparseNumbers* Segment::FindMeasure(uint32_t column) const { return FindColumn(measures, column); }

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

}  // namespace kpi::storage
