// Event rows for the ClickHouse events table (clickhouse/schema_ddl.h):
// a RawEvent as one TabSeparated line, and its identity.
//
// Identity (docs/event-format.md): an event with an id is identified by
// (ticket, id), whatever its content; one without by its whole content
// (time, event, agent, the dimensions and measures it carried, -0 = 0, keys
// in any order). Two hash domains (different seeds) keep the two kinds apart.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "storage/raw_event.h"

namespace kpi::clickhouse {

uint64_t EventIdentity(const RawEvent& e);

// Appends the TabSeparated row (columns in the table's order) with the
// batch's time and the event's place in the batch, ending in '\n'.
void AppendEventRow(const RawEvent& e, int64_t batch_ms, uint32_t seq, std::string* out);

// A string as a TabSeparated field / as a quoted literal inside an array or SQL.
void AppendTsvString(const std::string& s, std::string* out);
std::string SqlQuote(const std::string& s);

}  // namespace kpi::clickhouse
