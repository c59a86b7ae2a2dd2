// Provenance of an answer: the canonical text of a result, its hash, and the
// JSON form of query::Provenance that the CLI and the server print.
//
// Canonical text (docs/provenance.md has the rule and a Python check):
//   line 1       the column names as one JSON array of strings;
//   then         one line per row, in result order: the row's cells as a
//                JSON array in the JSON rendering of query/value_json.h
//                (times in the result's zone; missing cells null);
//   lines joined by "\n" (no trailing newline), UTF-8, no spaces.
//   e.g.  ["channel","tickets","aht"]
//         ["chat",120,45.5]
//         ["email",80,null]
// result_hash = XXH3-128 (seed 0) of those bytes as 32 lower-case hex
// digits, high 64 bits first: the canonical big-endian form of
// XXH128_canonicalFromHash, equal to Python's xxhash.xxh3_128_hexdigest.
// Column types, warnings, stats and the message are not part of it.
//
// JSON form (AppendProvenanceJson):
//   {"as_of":"2025-06-01T00:00:00Z","as_of_ms":1748736000000,
//    "definitions":[{"kind":"kpi","name":"frt","version":"...Z","version_ms":N},...],
//    ["now":"...Z","now_ms":N,"windows":[{"during":"last 1w","start":"...Z","end":"...Z"}],]
//    "statement":"select ...","result_hash":"<32 hex>"}
// (now and windows only for statements with a relative `during`)
// Instants are RFC 3339 in UTC (milliseconds when non-zero) and epoch ms.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "query/result.h"

namespace kpi::query {

// The canonical lines: the header line, then one line per row.
std::vector<std::string> CanonicalLines(const Result& result);
// CanonicalLines joined by "\n".
std::string CanonicalResultText(const Result& result);

// XXH3-128 of `bytes` as 32 lower-case hex digits, high 64 bits first.
std::string Xxh3Hex128(std::string_view bytes);

// Sets result->provenance.result_hash from CanonicalResultText(*result).
void StampResultHash(Result* result);

// Stamps an answer (every backend's): present, the instant `as_of_ms`, the
// definitions `used` ("kind:name" -> version instant, as
// BoundQuery::used_definitions), `now_ms` and the windows when relative
// windows were resolved, the statement text and the result hash.
void StampProvenance(const std::map<std::string, int64_t>& used, int64_t as_of_ms, int64_t now_ms,
                     const std::vector<ResolvedWindow>& windows, std::string_view statement, Result* result);

// Appends the provenance object (see above).
void AppendProvenanceJson(std::string* out, const Provenance& provenance);

}  // namespace kpi::query
