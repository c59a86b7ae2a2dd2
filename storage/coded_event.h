// CodedEvent: an event after the catalog gave its strings dictionary codes;
// the form in which events are staged and merged into segments.
//
// Identity (idempotent ingest): an event that carried a source `id` is
// identified by XXH3-128 of that id (low 64 bits kept; ids are compared only
// among the events of one ticket), any other event by XXH3-128 of its
// canonical content (time, event, agent, carried dimensions and measures,
// all as stable codes). Two events of one ticket with equal identity are the
// same event: the first one ingested is kept.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/status.h"
#include "storage/string_interner.h"

namespace kpi::storage {

struct CodedEvent {
  int64_t ts_ms = 0;
  uint32_t ticket = 0;       // index into the ticket-id table of its batch list (StringInterner)
  uint32_t event_code = 0;
  uint32_t agent_code = 0;  // 0 = none
  uint64_t id_hash = 0;     // 0 = no source id
  uint32_t batch = 0;
  std::vector<std::pair<uint32_t, uint32_t>> dims;    // (column, code), sorted by column
  std::vector<std::pair<uint32_t, double>> measures;  // (column, value), sorted by column
};

struct EventIdentity {
  uint64_t lo = 0, hi = 0;  // hi == 0 && lo == id hash for id identities (tagged by by_id)
  bool by_id = false;
  bool operator==(const EventIdentity& o) const { return lo == o.lo && hi == o.hi && by_id == o.by_id; }
};

struct EventIdentityHash {
  size_t operator()(const EventIdentity& k) const { return static_cast<size_t>(k.lo ^ (k.hi * 0x9E3779B97F4A7C15ull)); }
};

// Low 64 bits of XXH3-128 of a source id; never 0.
uint64_t HashSourceId(std::string_view id);
EventIdentity IdentityOf(const CodedEvent& e);

// Staged batch value: all events of one Stage() call (ticket ids as strings).
void EncodeStagedBatch(const std::vector<CodedEvent>& events, const StringInterner& tickets, std::string* out);
Status DecodeStagedBatch(std::string_view in, uint32_t batch, StringInterner* tickets, std::vector<CodedEvent>* out);

}  // namespace kpi::storage
