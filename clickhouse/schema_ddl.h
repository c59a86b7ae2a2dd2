// The ClickHouse backend's tables (docs/scale-out.md, "Schema"), created on
// first use, idempotently (CREATE ... IF NOT EXISTS):
//
//   D.events_local   on every node: MergeTree ORDER BY (ticket, ts), one row
//                    per ingested line copy: ts (epoch ms, Int64), ticket,
//                    event, agent ('' = none), dim_keys/dim_values,
//                    measure_keys/measure_values (the values the line
//                    carried), identity (UInt64: the id's hash, or the
//                    content's), revision, retract, batch_ms (the ingest
//                    batch's time: `as of`), seq (the line's place in its
//                    batch: first copy wins)
//   D.events         with a cluster, on every node: Distributed(cluster, D,
//                    events_local, cityHash64(ticket)): a ticket's events
//                    all live on one shard
//   D.kpi_names      on the first node: the dimension, measure and event
//                    names seen, with their kind (the binder's schema)
//   D.kpi_meta       on the first node: named definitions and their
//                    history (clickhouse/meta_table.h)
// Duplicates are stored; queries keep, per (ticket, identity), the copy in
// force (clickhouse/sql_events.h), so answers are right before and after
// background merges.
// Thread safety: pure functions / one call at a time.
#pragma once

#include <string>

#include "clickhouse/config.h"
#include "storage/status.h"

namespace kpi::clickhouse {

// The table statements read and inserts write: D.events with a cluster, else D.events_local.
std::string EventsTable(const Config& config);
// The names table (on the first node).
std::string NamesTable(const Config& config);

// Creates the database and tables where missing, on every node of `config`.
Status EnsureSchema(const Config& config);

}  // namespace kpi::clickhouse
