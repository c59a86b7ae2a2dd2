#include "storage/empty_columns.h"

namespace kpi::storage {

Segment EmptyValuedColumns(const std::vector<uint32_t>& event_begin, const SegmentColumns& columns) {
  Segment out;
  out.columns = columns;
  out.event_begin = event_begin;
  const uint32_t nt = out.num_tickets(), ne = out.num_events();
  out.ticket_ids.resize(nt);
  out.time_ms.assign(ne, 0);
  out.event_code.assign(ne, 0);
  out.agent_code.assign(ne, 0);
  out.batch.assign(ne, 0);
  return out;
}

}  // namespace kpi::storage
