// Result rendering for HTTP: query::Result -> the JSON and CSV bodies of
// /v1/query and /v1/kpis.
//
// JSON (RenderResultJson):
//   {"columns":[{"name":"channel","type":"string"},...],
//    "rows":[["chat",0.91,"2025-03-03T00:00:00+08:00",12.5,null],...],
//    "warnings":[...],
//    "stats":{"rows_read":N,"partitions_scanned":N,"partitions_skipped":N,
//             "segments_scanned":N,"segments_skipped":N,"elapsed_ms":X}}
// plus "message" when the statement produced one ("kpi frt defined") and
// "provenance" when the result has one (select / evaluate; the object of
// query/evaluation/provenance.h: as_of, definitions, statement, result_hash).
// Cells: the JSON rendering of query/value_json.h: numbers as JSON numbers
// (NaN/inf as null), durations as seconds, times as RFC 3339 strings in
// Result::tz with its offset ("Z" in UTC; milliseconds shown only when
// non-zero), bools, strings, null.
// CSV (RenderResultCsv): a header row of column names, then one line per row
// (RFC 4180 quoting, CRLF-free "\n" line ends); nulls are empty cells.
// Any Result is accepted: ragged rows render missing cells as null, an
// unknown time zone renders as UTC.
// Thread safety: pure functions (time zones are loaded through cctz's cache).
#pragma once

#include <cstdint>
#include <string>

#include "query/result.h"

namespace kpi::server {

std::string RenderResultJson(const query::Result& result);
std::string RenderResultCsv(const query::Result& result);
// The same, stopping as soon as the text passes `max_bytes` (checked after
// each row): then `*complete` is false and the text is cut short (not to be
// sent). The whole text is never built only to be refused.
std::string RenderResultJson(const query::Result& result, uint64_t max_bytes, bool* complete);
std::string RenderResultCsv(const query::Result& result, uint64_t max_bytes, bool* complete);

// Rows as objects keyed by column name: [{"name":"frt","expression":"..."},...].
std::string RenderRowsAsObjects(const query::Result& result);

// RFC 3339 text of `epoch_ms` in zone `tz` (UTC when the zone is unknown).
std::string FormatTimeInZone(int64_t epoch_ms, const std::string& tz);

}  // namespace kpi::server
