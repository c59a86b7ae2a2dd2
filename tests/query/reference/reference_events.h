// Reading test events: one NDJSON line of the interchange format
// (event-format.md) -> RawEvent, with nlohmann::json. Independent of the
// product's readers (storage/ingest) so that the query tests do not inherit
// their bugs; only the subset the tests need: string or integer `ts`
// (RFC 3339, a missing zone read as UTC, or epoch ms), string or integer
// `ticket`, `revision` (an unsigned integer) and `op` ("upsert" or
// "retract") of corrections, strings as dimensions, numbers and booleans as measures, null as
// absent. Thread safety: pure function.
#pragma once

#include <string>
#include <string_view>

#include "storage/raw_event.h"

namespace kpi::reference {

// False (and *error set) on malformed JSON or a missing / bad required key.
bool ParseEventLine(std::string_view line, RawEvent* out, std::string* error);

}  // namespace kpi::reference
