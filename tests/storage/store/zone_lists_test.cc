// Zone lists (storage/zone_map.h) stay encoded until read: a zone map read
// from disk decodes its fixed fields only, checks its lists' framing, and
// decodes them when a reader first asks; copies share one decoding. Plans
// test lists in place (storage/zone_list_match.h), answering as the decoded
// lists do: a store open and its plans decode none. Lists whose framing is
// sound but whose codes overflow read as not ok, and their segment is
// planned (never skipped on a list that did not decode).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "storage/codec/codec.h"
#include "storage/live_counts_fixture.h"
#include "storage/store.h"
#include "storage/store/store_test_util.h"
#include "storage/zone_list_match.h"
#include "storage/zone_map.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

ZoneMap WithLists(const ZoneLists& lists) {
  ZoneMap z;
  z.min_time_ms = 10;
  z.max_time_ms = 20;
  z.num_tickets = 1;
  z.num_events = 2;
  z.min_batch = z.max_batch = 1;
  z.lists = lists;
  return z;
}

ZoneMap RoundTrip(const ZoneMap& z) {
  std::string bytes;
  z.Encode(&bytes);
  ZoneMap back;
  EXPECT_TRUE(ZoneMap::Decode(bytes, &back).ok());
  return back;
}

TEST(ZoneListsTest, ReadBackDecodedOnlyWhenAsked) {
  // Lists of every size around the eight-byte steps of the framing check,
  // with gaps of one to five varint bytes.
  std::mt19937 rng(7);
  for (size_t n : {0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 300}) {
    for (uint32_t max_gap : {1u, 200u, 40'000u, 1u << 24}) {
      ZoneLists::Codes events, agents;
      uint64_t c = 0;
      for (size_t i = 0; i < n && c + max_gap < UINT32_MAX; ++i) events.push_back(static_cast<uint32_t>(c += rng() % max_gap));
      for (size_t i = 0; i < n / 2; ++i) agents.push_back(static_cast<uint32_t>(i * 3));
      const ZoneLists::Dims dims = {{16, {1, 5}}, {900, events}};
      const ZoneMap back = RoundTrip(WithLists(ZoneLists(events, agents, dims)));
      EXPECT_EQ(back.num_events, 2u);
      EXPECT_FALSE(back.lists.decoded());
      const uint64_t before = ZoneLists::Decodings();
      const ZoneMap copy = back;  // made before the decoding: shares it
      ASSERT_TRUE(back.lists.ok());
      EXPECT_EQ(back.lists.events(), events);
      EXPECT_EQ(back.lists.agents(), agents);
      EXPECT_EQ(back.lists.dims(), dims);
      EXPECT_TRUE(copy.lists.decoded());
      EXPECT_EQ(copy.lists.events(), events);
      EXPECT_EQ(ZoneLists::Decodings(), before + 1) << "one decoding for the zone map and its copy";
      EXPECT_EQ(back.lists.Encoded(), ZoneLists(events, agents, dims).Encoded());
    }
  }
}

TEST(ZoneListsTest, FramingIsCheckedWhenRead) {
  std::string bytes;
  WithLists(ZoneLists({1, 2, 300}, {0}, {{17, {4}}})).Encode(&bytes);
  ZoneMap z;
  ASSERT_TRUE(ZoneMap::Decode(bytes, &z).ok());
  // Cut anywhere, or with a byte more, the value does not decode.
  for (size_t cut = 1; cut < bytes.size(); ++cut)
    EXPECT_FALSE(ZoneMap::Decode(std::string_view(bytes).substr(0, cut), &z).ok()) << cut;
  EXPECT_FALSE(ZoneMap::Decode(bytes + "x", &z).ok());
}

TEST(ZoneListsTest, ListsThatDoNotDecodeAreNotTrusted) {
  // Framing sound, codes past 32 bits: gaps of 2^31 three times.
  std::string lists;
  codec::PutVarint64(&lists, 3);
  for (int i = 0; i < 3; ++i) codec::PutVarint64(&lists, uint64_t{1} << 31);
  codec::PutVarint64(&lists, 0);  // agents
  codec::PutVarint64(&lists, 0);  // dimensions
  std::string bytes;
  WithLists(ZoneLists()).Encode(&bytes);
  // The empty lists are the three zero bytes after the seven fixed varints
  // and the version; put the bad ones in their place.
  std::string_view in(bytes);
  in.remove_prefix(1);
  for (int i = 0; i < 7; ++i) {
    uint64_t v;
    ASSERT_TRUE(codec::GetVarint64(&in, &v));
  }
  const size_t at = bytes.size() - in.size();
  ASSERT_EQ(bytes.substr(at, 3), std::string(3, '\0'));
  bytes.replace(at, 3, lists);
  ZoneMap z;
  ASSERT_TRUE(ZoneMap::Decode(bytes, &z).ok()) << "the framing is sound";
  EXPECT_FALSE(z.lists.ok());
  EXPECT_TRUE(z.lists.events().empty());
}

// The plan's rule on decoded lists (what Snapshot::Plan did before the
// lists were tested in place).
bool DecodedMayMatch(const ZoneLists& lists, const std::vector<uint32_t>& events,
                     const std::vector<uint32_t>& agents, const ZoneLists::Dims& dims) {
  auto holds = [](const std::vector<uint32_t>& have, const std::vector<uint32_t>& wanted) {
    for (uint32_t w : wanted)
      if (std::binary_search(have.begin(), have.end(), w)) return true;
    return false;
  };
  if (!lists.ok()) return true;
  if (!events.empty() && !holds(lists.events(), events)) return false;
  if (!agents.empty() && !holds(lists.agents(), agents)) return false;
  for (const auto& [column, wanted] : dims)
    for (const auto& [zcolumn, codes] : lists.dims())
      if (zcolumn == column && !holds(codes, wanted)) return false;
  return true;
}

TEST(ZoneListsTest, TestsInPlaceAnswerAsTheDecodedLists) {
  std::mt19937 rng(11);
  auto some = [&](size_t max_n, uint32_t max_gap) {
    std::vector<uint32_t> v;
    uint32_t c = rng() % 3;
    for (size_t i = 0, n = rng() % (max_n + 1); i < n; ++i) v.push_back(c += 1 + rng() % max_gap);
    return v;
  };
  for (int round = 0; round < 4000; ++round) {
    const uint32_t gap = round % 4 == 0 ? 100'000 : 1 + round % 5;
    ZoneLists::Dims dims;
    for (uint32_t column : {16u, 17u, 19u})
      if (rng() % 2) dims.emplace_back(column, some(12, gap));
    const ZoneLists lists(some(20, gap), some(300, gap), dims);
    const std::string encoded(lists.Encoded());
    std::vector<uint32_t> events = some(3, gap * 4), agents = round % 3 == 0 ? some(3, gap * 20) : std::vector<uint32_t>{};
    ZoneLists::Dims wanted;
    for (uint32_t column : {16u, 17u, 18u, 17u})
      if (rng() % 3 == 0) wanted.emplace_back(column, some(3, gap * 3));
    const bool in_place = EncodedListsMayMatch(encoded, events, agents, wanted);
    EXPECT_EQ(in_place, DecodedMayMatch(lists, events, agents, wanted)) << "round " << round;
  }
  // Lists that do not decode: may match.
  std::string overflow;
  codec::PutVarint64(&overflow, 2);
  codec::PutVarint64(&overflow, uint64_t{1} << 32);
  codec::PutVarint64(&overflow, 1);
  EXPECT_TRUE(EncodedListsMayMatch(overflow + std::string(2, '\0'), {7}, {}, {}));
}

// A store of many segments: opening it and planning, with or without codes
// wanted, decodes no list, and prunes as the decoded lists would.
TEST(ZoneListsTest, AStoreDecodesNoListToPlan) {
  kpi::testing::ScratchDir dir("kpi-zone-lists");
  StoreOptions o = kpi::testing::TickingStoreOptions(8, 0);
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(dir.path(), o, &store).ok());
  for (const auto& batch : kpi::testing::CorrectionHistory(31, 80)) {
    std::vector<EventReject> rejects;
    IngestStats stats;
    ASSERT_TRUE(store->Ingest(batch, &rejects, &stats).ok());
  }
  store.reset();

  o.create_if_missing = false;
  const uint64_t before = ZoneLists::Decodings();
  ASSERT_TRUE(Store::Open(dir.path(), o, &store).ok());
  auto snap = store->GetSnapshot();
  const std::vector<SegmentRef> all = snap->Plan(ScanSpec(), nullptr);
  ASSERT_GT(all.size(), 4u);
  ScanSpec time_and_batch;
  time_and_batch.min_time_ms = all[1].zone.min_time_ms;
  time_and_batch.max_batch = 3;
  snap->Plan(time_and_batch, nullptr);
  EXPECT_EQ(ZoneLists::Decodings(), before) << "an open and plans that test no list decode none";
  // Every event code some segment lacks: pruned in place as the decoded
  // lists (read from copies made apart) prune.
  std::vector<std::vector<uint32_t>> events;
  std::vector<ZoneLists::Dims> dims;
  for (const SegmentRef& ref : all) {
    ZoneLists copy;
    std::string_view in = ref.zone.lists.Encoded();
    ASSERT_TRUE(ZoneLists::Take(&in, &copy));
    events.push_back(copy.events());
    dims.push_back(copy.dims());
  }
  const uint64_t after_copies = ZoneLists::Decodings();
  size_t pruned_some = 0;
  for (uint32_t code = 0; code < 40; ++code) {
    ScanSpec one_event;
    one_event.event_codes = {code, 1000};
    size_t expected = 0;
    for (const auto& e : events) expected += std::binary_search(e.begin(), e.end(), code) ? 1 : 0;
    EXPECT_EQ(snap->Plan(one_event, nullptr).size(), expected) << code;
    pruned_some += expected > 0 && expected < all.size();
  }
  EXPECT_GT(pruned_some, 0u);
  for (const SegmentRef& ref : all) EXPECT_FALSE(ref.zone.lists.decoded());
  EXPECT_EQ(ZoneLists::Decodings(), after_copies) << "plans testing codes test them in place";
}

}  // namespace
}  // namespace kpi::storage
