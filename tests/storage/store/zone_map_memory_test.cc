// Zone maps (storage/segment_codec.h: ComputeZoneMap, ExtendZoneMap) live as
// long as their segment in every process that seals (Store::Impl::refs), so
// each holds its distinct codes only: never a copy of a column. They were
// cut from a sorted copy of the whole column, kept as capacity: 4 bytes per
// event per column, ~13 bytes per stored event in an ingest process (310 MB
// of a 4M-ticket load's peak; docs/performance.md "Where ingest's memory
// is"). This checks the heap a zone map holds against its codes.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "storage/segment_codec.h"
#include "storage/zone_map.h"

namespace kpi::storage {
namespace {

// 2,000 tickets of 10 events: 8 event codes, 40 agents, a dimension of 5
// codes on every event and one of 30,000 (too many for the zone map).
Segment LargeSegment(uint32_t first_batch) {
  Segment s;
  s.event_begin.push_back(0);
  s.dims.resize(2);
  s.dims[0].column = 16;
  s.dims[1].column = 17;
  for (uint32_t t = 0; t < 2000; ++t) {
    s.ticket_ids.push_back("T" + std::to_string(t));
    for (uint32_t e = 0; e < 10; ++e) {
      const uint32_t row = static_cast<uint32_t>(s.time_ms.size());
      s.time_ms.push_back(1'700'000'000'000 + int64_t{row} * 1000);
      s.event_code.push_back(1 + e % 8);
      s.agent_code.push_back(row % 41);
      s.batch.push_back(first_batch + t / 500);
      s.dims[0].rows.push_back(row);
      s.dims[0].codes.push_back(1 + row % 5);
      s.dims[1].rows.push_back(row);
      s.dims[1].codes.push_back(1 + row % 30000);
    }
    s.event_begin.push_back(static_cast<uint32_t>(s.time_ms.size()));
  }
  return s;
}

// The heap bytes of the zone map's code lists (storage/zone_map.h: kept
// encoded, ~1 byte a code, until read; then decoded too).
size_t HeldBytes(const ZoneMap& z) { return z.lists.MemoryBytes(); }

TEST(ZoneMapMemoryTest, AZoneMapHoldsItsDistinctCodesOnly) {
  const Segment s = LargeSegment(1);
  const ZoneMap z = ComputeZoneMap(s, 12345);
  // 54 codes: a few hundred bytes, against 80 KB per column of 20,000 events;
  // held encoded (a byte or two a code) until read.
  EXPECT_LE(HeldBytes(z), 2 * 54 * sizeof(uint32_t));
  EXPECT_LE(HeldBytes(z), 200u);
  ASSERT_EQ(z.lists.events().size(), 8u);
  ASSERT_EQ(z.lists.agents().size(), 41u);
  ASSERT_EQ(z.lists.dims().size(), 1u) << "the 30,000-code dimension is left out";
  EXPECT_EQ(z.lists.dims()[0].second.size(), 5u);
  EXPECT_LE(HeldBytes(z), 3 * 54 * sizeof(uint32_t)) << "read: the encoded and the decoded lists";

  // A delta part's zone map, merged with the base's, likewise.
  const Segment delta = LargeSegment(9);
  const ZoneMap extended = ExtendZoneMap(z, delta, 999, 2000);
  EXPECT_LE(HeldBytes(extended), 200u);
  EXPECT_EQ(extended.lists.events().size(), 8u);
}

}  // namespace
}  // namespace kpi::storage
