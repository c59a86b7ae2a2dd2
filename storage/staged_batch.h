// The staged batch value (FORMAT: docs/storage-format.md, "Staged batch
// value"): every event of one Store::Stage call, ticket ids as strings, so a
// batch a crash left staged is sealed at the next open without the memory
// of the process that staged it.
#pragma once

#include <span>
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
// For a seal that reads staging back one partition group at a time
// (storage/sealer.h): the first pass decodes every event, leaving each
// event's ticket id (a view into `in`) in *ticket_ids and its byte offset in
// *offsets (CodedEvent::ticket unset); a group's pass then decodes just the
// events at `offsets`, each getting its id's index in `tickets` (Corruption
// for an id not in it).
Status ScanStagedBatch(std::string_view in, uint32_t batch, std::vector<std::string_view>* ticket_ids,
                       std::vector<uint32_t>* offsets, EventAttrs* attrs, std::vector<CodedEvent>* out);
Status DecodeStagedEvents(std::string_view in, uint32_t batch, std::span<const uint32_t> offsets,
                          const StringInterner& tickets, EventAttrs* attrs, std::vector<CodedEvent>* out);

}  // namespace kpi::storage
