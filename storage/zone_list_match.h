// Tests of a zone map's code lists made on their encoded bytes
// (ZoneLists::Encoded(), storage/zone_map.h), for Snapshot::Plan: a plan
// that tests a list reads it only as far as it needs (an event list up to
// the largest code wanted) and decodes nothing, so a process whose plans
// test lists never decodes a zone map either (a cold fcr_by_team decoded
// all 628 for its `has(resolved)`: 2.45M of its 15.1M instructions).
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace kpi::storage {

// Whether a segment whose encoded lists are `encoded` may hold a row with
// one of `events` (empty: any event), one of `agents` (empty: any agent),
// and, for each (column, codes) of `dims` whose column the lists hold a set
// of, one of those codes: Snapshot::Plan's rule on the decoded lists. Every
// `events`, `agents` and `dims` codes sorted ascending. True as well when
// the lists do not decode (such a zone map proves nothing).
bool EncodedListsMayMatch(std::string_view encoded, const std::vector<uint32_t>& events,
                          const std::vector<uint32_t>& agents,
                          const std::vector<std::pair<uint32_t, std::vector<uint32_t>>>& dims);

}  // namespace kpi::storage
