// The staged batch value (FORMAT: docs/storage-format.md, "Staged batch
// value"): every event of one Store::Stage call, ticket ids as strings, so a
// batch a crash left staged is sealed at the next open without the memory
// of the process that staged it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "storage/coded_event.h"
#include "storage/status.h"
#include "storage/string_interner.h"

namespace kpi::storage {

// Staged batch value: all events of one Stage() call (ticket ids as strings).
// Events' dimensions and measures come from (and are decoded into) `attrs`.
void EncodeStagedBatch(const std::vector<CodedEvent>& events, const StringInterner& tickets, const EventAttrs& attrs,
                       std::string* out);
Status DecodeStagedBatch(std::string_view in, uint32_t batch, StringInterner* tickets, EventAttrs* attrs,
                         std::vector<CodedEvent>* out);

}  // namespace kpi::storage
