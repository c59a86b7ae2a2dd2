#include "query/functions/ticket_function_registry.h"

#include "query/functions/name_table.h"

namespace kpi::query {

namespace {
const TicketFunctionEntry kTicketFunctions[] = {
    {"duration", TicketArgs::kSpan, TicketFn::kDuration, ValueType::kDuration, 8,
     "duration() takes `A -> B` (two event names), optionally `A -> B in CALENDAR`"},
    {"count_of", TicketArgs::kEventOrBefore, TicketFn::kCountOf, ValueType::kNumber, 8,
     "count_of() takes `A` or `A before B`"},
    {"has", TicketArgs::kEvent, TicketFn::kHas, ValueType::kBool, 8, "has() takes one event name"},
    {"first", TicketArgs::kEvent, TicketFn::kFirst, ValueType::kTime, 8, "first() takes one event name"},
    {"last", TicketArgs::kEvent, TicketFn::kLast, ValueType::kTime, 8, "last() takes one event name"},
    {"agent_of", TicketArgs::kEvent, TicketFn::kAgentOf, ValueType::kString, 8, "agent_of() takes one event name"},
    {"total", TicketArgs::kMeasure, TicketFn::kTotal, ValueType::kNumber, 8, "total() takes a measure name"},
    {"repeat_within", TicketArgs::kWindowDims, TicketFn::kRepeatWithin, ValueType::kBool, 16,
     "repeat_within() takes a duration and one or more dimensions"},
};
}  // namespace

const TicketFunctionEntry* FindTicketFunction(std::string_view name) { return FindByName(kTicketFunctions, name); }

const std::vector<std::string>& TicketFunctionNames() {
  static const std::vector<std::string> names = NamesOf(kTicketFunctions);
  return names;
}

}  // namespace kpi::query
