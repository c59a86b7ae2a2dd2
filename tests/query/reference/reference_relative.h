// Relative `during` windows for the reference evaluator: rewrites `during
// last 1h | today | this P | previous P` of a parsed statement into the
// equivalent `during a .. b` with UTC instants, read against `now_ms` (or
// the statement's own `as of`, which is "now" under it), in the query's zone.
//
// Written apart from the engine's query/binder/relative_window.cc on purpose
// (bucket arithmetic through reference_time.h's BucketStart):
//   last D      [now - D, now)
//   this P      [start of the P holding now, start of the next P)
//   previous P  [start of the P before, start of the P holding now)
// Nested selects are rewritten at every level. Thread safety: pure.
#pragma once

#include <cstdint>
#include <string>

#include "query/parser/ast.h"

namespace kpi::reference {

// False with *error when the zone, the `as of` or the period is unknown.
bool ResolveRelativeDuring(query::ast::SelectQuery* query, int64_t now_ms, std::string* error);

}  // namespace kpi::reference
