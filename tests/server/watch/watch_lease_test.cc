// The watch lease (server/watch_lease.h) between front ends sharing one
// metadata store, here a real local store: a claim leads only once read
// back, a live lease of another front end keeps the others standing by,
// an expired or released one is taken over, and of two claims the later
// write leads. Instants are given, not read from a clock.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/server_test_util.h"
#include "server/watch_lease.h"

namespace kpi::server::testing {
namespace {

constexpr std::chrono::milliseconds kLease{3000};  // checks every 1000 ms

std::string StoredHolder(const query::MetaReader& meta) {
  std::string value;
  if (!meta.GetMeta(kWatchLeaseNamespace, kWatchLeaseKey, &value).ok()) return "";
  return nlohmann::json::parse(value).at("holder").get<std::string>();
}

TEST(WatchLease, OneFrontEndLeadsAndAnotherTakesOverWhenItStops) {
  ScratchStore scratch;
  const query::MetaWriter meta(scratch.store.get());
  WatchLease a(meta, kLease, "a"), b(meta, kLease, "b");
  EXPECT_FALSE(a.Check(0));  // claimed, not read back yet
  EXPECT_TRUE(a.claiming());
  EXPECT_FALSE(b.Check(10));  // a's claim is live
  EXPECT_FALSE(b.claiming());
  EXPECT_FALSE(a.Check(500));  // between checks: the last answer, unread
  EXPECT_TRUE(a.Check(1000));  // read back: leads, renewed to 4000
  EXPECT_FALSE(b.Check(1010));
  EXPECT_TRUE(a.Check(2000));  // renewed to 5000
  EXPECT_EQ(StoredHolder(meta), "a");
  // a stops checking (stalled, or gone without releasing): b waits out the lease.
  EXPECT_FALSE(b.Check(4990));
  EXPECT_FALSE(b.claiming());
  EXPECT_FALSE(b.Check(6000));  // expired at 5000: b claims
  EXPECT_TRUE(b.claiming());
  EXPECT_TRUE(b.Check(7000));
  EXPECT_EQ(StoredHolder(meta), "b");
  EXPECT_FALSE(a.Check(7100));  // a comes back: b's lease is live, a stands by
  EXPECT_FALSE(a.claiming());
}

TEST(WatchLease, ReleaseHandsOverAtTheNextCheck) {
  ScratchStore scratch;
  const query::MetaWriter meta(scratch.store.get());
  WatchLease a(meta, kLease, "a"), b(meta, kLease, "b");
  a.Check(0);
  ASSERT_TRUE(a.Check(1000));
  EXPECT_FALSE(b.Check(1100));
  a.Release();
  EXPECT_EQ(StoredHolder(meta), "");
  EXPECT_FALSE(b.Check(2100));  // free: claims
  EXPECT_TRUE(b.Check(3100));   // long before a's lease would have run out (4000)
  b.Release();
  a.Release();  // not the holder: leaves b's release alone (and writes nothing)
  EXPECT_EQ(StoredHolder(meta), "");
}

TEST(WatchLease, OfTwoClaimsTheLaterWriteLeads) {
  ScratchStore scratch;
  const query::MetaWriter meta(scratch.store.get());
  WatchLease a(meta, kLease, "a"), b(meta, kLease, "b");
  EXPECT_FALSE(a.Check(0));
  // b read the lease before a's claim landed, and writes its own after it.
  ASSERT_TRUE(meta.WriteMeta({query::MetaWrite{kWatchLeaseNamespace, kWatchLeaseKey,
                                               nlohmann::json{{"holder", "b"}, {"until_ms", 3010}}.dump()}})
                  .ok());
  EXPECT_FALSE(a.Check(1000));  // reads b's claim back, not its own: stands by
  EXPECT_FALSE(a.claiming());
  EXPECT_TRUE(b.Check(1010));   // b's claim read back (as the holder it renews)
  EXPECT_EQ(StoredHolder(meta), "b");
}

TEST(WatchLease, AnEntryThatDoesNotReadIsFree) {
  ScratchStore scratch;
  const query::MetaWriter meta(scratch.store.get());
  ASSERT_TRUE(meta.WriteMeta({query::MetaWrite{kWatchLeaseNamespace, kWatchLeaseKey, "not json"}}).ok());
  WatchLease a(meta, kLease, "a");
  EXPECT_FALSE(a.Check(0));
  EXPECT_TRUE(a.claiming());
  EXPECT_TRUE(a.Check(1000));
  EXPECT_TRUE(a.error().empty()) << a.error();
}

TEST(WatchLease, DefaultHolderNamesHostAndProcess) {
  const std::string h = WatchLease::DefaultHolder();
  EXPECT_NE(h.find(":" + std::to_string(getpid()) + ":"), std::string::npos) << h;
  EXPECT_NE(h, WatchLease::DefaultHolder());  // a fresh nonce each time
}

}  // namespace
}  // namespace kpi::server::testing
