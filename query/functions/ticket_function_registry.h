// The one table of per-ticket functions: name -> argument shape, the
// evaluator's function, result type and cost, as aggregates have theirs
// (query/aggregates/registry.cc). The binder reads the arguments by shape
// and fills a kTicketFn node from the entry; the evaluator
// (query/execution/ticket_functions.h) computes it. A new per-ticket function is a row
// here plus its case in the evaluator.
// Thread safety: immutable tables.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "query/binder/bound_expr.h"

namespace kpi::query {

enum class TicketArgs : uint8_t {
  kSpan,          // `A -> B [in CALENDAR]`
  kEventOrBefore, // `A` or `A before B`
  kEvent,         // `A`
  kMeasure,       // a measure name
  kWindowDims,    // a duration, then one or more dimensions
};

struct TicketFunctionEntry {
  const char* name;
  TicketArgs args;
  TicketFn fn;          // kCountOf is refined to kCountBefore by `A before B`
  ValueType type;
  int cost;             // relative evaluation cost (cheaper filters run first)
  const char* usage;    // for errors: "duration() takes `A -> B` ..."
};

const TicketFunctionEntry* FindTicketFunction(std::string_view name);
// Every per-ticket function name, in table order.
const std::vector<std::string>& TicketFunctionNames();

}  // namespace kpi::query
