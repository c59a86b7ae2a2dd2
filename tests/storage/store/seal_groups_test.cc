// Partition-group seals (StoreOptions::seal_group_events, storage/sealer.h):
// however small the groups, a store holds exactly what one-group seals give
// it: every ticket in the same partition with the same events, batches,
// ids, revisions, correction marks, dimensions and measures, the same seal
// counts, and a ticket index that finds every ticket again. Tickets that
// move between groups (an earlier `created` arrives, a correction moves a
// ticket's day) are carried to the seal's last group. The same when the
// staged events were spilled (Store::SpillStaged) and each group reads its
// own back from disk, in one run or several (StoreOptions::spilled_seal_bytes).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <tuple>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "storage/memory_release.h"
#include "storage/sealer.h"
#include "storage/store.h"
#include "storage/store/store_test_util.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

using kpi::testing::CountTickets;
using kpi::testing::RandomEvents;
using kpi::testing::ScratchDir;

constexpr int64_t kDay = 86'400'000;
constexpr int64_t kStart = 1735689600000;  // 2025-01-01, as RandomEvents

StoreOptions Options(uint64_t group_events, uint32_t max_deltas, uint64_t spilled_seal_bytes = 0) {
  StoreOptions o = kpi::testing::TickingStoreOptions(24, max_deltas);
  o.spilled_seal_bytes = spilled_seal_bytes;
  o.seal_group_events = group_events;
  return o;
}

// Seals of several staged batches each, events shuffled (tickets are sealed
// before their `created` arrives, then move), with corrections (some moving a
// ticket's day), retractions, duplicates and late events.
std::vector<std::vector<std::vector<RawEvent>>> Seals(uint64_t seed) {
  std::vector<RawEvent> events = RandomEvents(seed, 400, 20);
  std::mt19937_64 rng(seed);
  std::shuffle(events.begin(), events.end(), rng);
  for (size_t i = 0; i < events.size(); i += 3) events[i].id = "e" + std::to_string(i);
  std::vector<std::vector<RawEvent>> batches = kpi::testing::Chunks(events, 37);
  std::vector<RawEvent> fixes;
  for (size_t i = 0; i < events.size(); i += 13) {
    if (events[i].id.empty()) continue;
    RawEvent fix = events[i];
    fix.revision = 2;
    if (i % 3 == 0) fix.retract = true;
    else if (i % 3 == 1) fix.ts_ms -= 3 * kDay;  // a corrected `created` moves its ticket
    else fix.dims = {{"channel", "corrected"}};
    fixes.push_back(fix);
  }
  for (auto& b : kpi::testing::Chunks(fixes, 11)) batches.push_back(std::move(b));
  batches.emplace_back(events.begin(), events.begin() + 60);  // duplicates
  // More events of the same tickets.
  for (auto& b : kpi::testing::Chunks(RandomEvents(seed + 100, 400, 20), 37)) batches.push_back(std::move(b));
  return kpi::testing::Chunks(batches, 4);
}

// With `spill`, the staged events are spilled from the second batch of each
// seal on: the seal reads every batch back from disk.
IngestStats StageAndSeal(Store* store, const std::vector<std::vector<std::vector<RawEvent>>>& seals,
                         bool spill = false) {
  IngestStats total;
  for (const auto& seal : seals) {
    for (const auto& batch : seal) {
      if (spill && &batch != &seal.front()) store->SpillStaged();
      std::vector<EventReject> rejects;
      EXPECT_TRUE(store->Stage(batch, &rejects, &total).ok());
      EXPECT_TRUE(rejects.empty());
    }
    Status s = store->Seal(&total);
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(store->staged_events(), 0u);
  }
  return total;
}

// ticket -> its partition and every column of its events (segment layout
// left out: moved tickets may land in other segments of the same partition).
std::map<std::string, std::string> Tickets(const Store& store) {
  std::map<std::string, std::string> out;
  auto snap = store.GetSnapshot();
  for (const SegmentRef& ref : snap->Plan(ScanSpec(), nullptr)) {
    std::shared_ptr<const Segment> s;
    EXPECT_TRUE(snap->Load(ref, &s).ok());
    std::vector<std::string> rows(s->num_events());
    for (uint32_t e = 0; e < s->num_events(); ++e)
      rows[e] = std::to_string(s->time_ms[e]) + "/" + std::to_string(s->event_code[e]) + "/" +
                std::to_string(s->agent_code[e]) + "/b" + std::to_string(s->batch[e]);
    auto add = [&](const std::string& name, const auto& r, const auto& values) {
      for (size_t i = 0; i < r.size(); ++i) rows[r[i]] += " " + name + "=" + std::to_string(values[i]);
    };
    add("id", s->id_rows, s->id_hashes);
    add("rev", s->revision_rows, s->revisions);
    add("dead", s->dead_rows, s->dead_since);
    for (const SparseCodes& d : s->dims) add("d" + std::to_string(d.column), d.rows, d.codes);
    for (const SparseNumbers& m : s->measures) add("m" + std::to_string(m.column), m.rows, m.values);
    for (uint32_t t = 0; t < s->num_tickets(); ++t) {
      std::string text = "p" + std::to_string(ref.partition) + ":";
      for (uint32_t e = s->event_begin[t]; e < s->event_begin[t + 1]; ++e) text += " [" + rows[e] + "]";
      EXPECT_TRUE(out.emplace(s->ticket_ids[t], text).second) << s->ticket_ids[t] << " is in two segments";
    }
  }
  return out;
}

std::map<uint32_t, uint32_t> SegmentsPerPartition(const Store& store) {
  std::map<uint32_t, uint32_t> out;
  for (const SegmentRef& ref : store.GetSnapshot()->Plan(ScanSpec(), nullptr)) out[ref.partition]++;
  return out;
}

using SealList = std::vector<std::vector<std::vector<RawEvent>>>;

// The store one-group seals make of `seals`: its tickets, and the seals' counts.
std::map<std::string, std::string> OneGroup(const SealList& seals, IngestStats* stats) {
  ScratchDir dir;
  std::unique_ptr<Store> store;
  EXPECT_TRUE(Store::Open(dir.path(), Options(0, 0), &store).ok());
  *stats = StageAndSeal(store.get(), seals);
  return Tickets(*store);
}

// Seals `seals` into a new store opened with `o` (spilling as StageAndSeal
// does with `spill`): the tickets and counts of one-group seals; reopened,
// the ticket index finds every ticket in its segment, so everything again is
// all duplicates and changes nothing.
void ExpectSameAsOneGroup(const SealList& seals, const StoreOptions& o, bool spill,
                          const std::map<std::string, std::string>& want, const IngestStats& want_stats) {
  ScratchDir dir;
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(dir.path(), o, &store).ok());
  const IngestStats got = StageAndSeal(store.get(), seals, spill);
  EXPECT_EQ(got.accepted, want_stats.accepted);
  EXPECT_EQ(got.duplicates, want_stats.duplicates);
  EXPECT_EQ(got.corrections, want_stats.corrections);
  EXPECT_EQ(Tickets(*store), want);
  store.reset();
  ASSERT_TRUE(Store::Open(dir.path(), o, &store).ok());
  const IngestStats again = StageAndSeal(store.get(), seals, spill);
  EXPECT_EQ(again.accepted, 0u);
  EXPECT_EQ(Tickets(*store), want);
  EXPECT_EQ(CountTickets(*store), want.size());
}

TEST(SealGroupsTest, AnyGroupSizeHoldsWhatOneGroupHolds) {
  for (uint64_t seed : {5, 6}) {
    const auto seals = Seals(seed);
    IngestStats want_stats;
    const auto want = OneGroup(seals, &want_stats);
    ASSERT_EQ(want.size(), 400u);
    for (uint64_t group : {0, 1, 40, 300}) {
      for (uint32_t max_deltas : {0u, 16u}) {
        SCOPED_TRACE("seed " + std::to_string(seed) + ", groups of " + std::to_string(group) + " events, deltas " +
                     std::to_string(max_deltas));
        ExpectSameAsOneGroup(seals, Options(group, max_deltas), false, want, want_stats);
      }
    }
  }
}

// Spilled staged events, read back from disk per group: one run, or runs of
// a few batches each (a tiny spilled_seal_bytes: one batch per run).
TEST(SealGroupsTest, SpilledSealsHoldWhatInMemorySealsHold) {
  const auto seals = Seals(5);
  IngestStats want_stats;
  const auto want = OneGroup(seals, &want_stats);
  for (uint64_t group : {0, 40}) {
    for (uint64_t bound : {0, 1, 20'000}) {
      for (uint32_t max_deltas : {0u, 16u}) {
        SCOPED_TRACE("groups of " + std::to_string(group) + " events, bound " + std::to_string(bound) + ", deltas " +
                     std::to_string(max_deltas));
        ExpectSameAsOneGroup(seals, Options(group, max_deltas, bound), true, want, want_stats);
      }
    }
  }
}

// Batches staged while spilled stay spilled until the seal; batches staged
// after it are held in memory again; a reopen with staged batches left (as a
// crash leaves them) reads them back the same way.
TEST(SealGroupsTest, SpillingLastsUntilTheNextSeal) {
  const auto seals = Seals(7);
  IngestStats want_stats;
  const auto want = OneGroup(seals, &want_stats);
  ScratchDir dir;
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(dir.path(), Options(40, 0, 20'000), &store).ok());
  IngestStats stats;
  for (size_t i = 0; i < seals.size(); ++i) {
    if (i % 2 == 0) store->SpillStaged();
    for (const auto& batch : seals[i]) ASSERT_TRUE(store->Stage(batch, nullptr, &stats).ok());
    if (i + 1 == seals.size()) break;  // the last seal's batches are left staged
    ASSERT_TRUE(store->Seal(&stats).ok());
  }
  EXPECT_GT(store->staged_events(), 0u);
  store.reset();
  ASSERT_TRUE(Store::Open(dir.path(), Options(40, 0, 20'000), &store).ok());
  EXPECT_EQ(store->staged_events(), 0u);
  EXPECT_EQ(Tickets(*store), want);
}

RawEvent Event(const std::string& ticket, int64_t day, const char* name) {
  RawEvent e;
  e.ticket = ticket;
  e.ts_ms = kStart + day * kDay + 3'600'000;
  e.event = name;
  e.dims = {{"channel", "chat"}};
  return e;
}

// Ticket t of day d: created, a reply an hour later, resolved the next day.
std::tuple<RawEvent, RawEvent, RawEvent> DayTicket(int d, int t) {
  RawEvent created = Event("T" + std::to_string(1000 + d * 30 + t), d, "created");
  created.ts_ms += t * 60'000;
  RawEvent reply = created;
  reply.event = "agent_reply";
  reply.ts_ms += 3'600'000;
  RawEvent resolved = created;
  resolved.event = "resolved";
  resolved.ts_ms += (t % 3 == 0 ? 40 : 25) * 3'600'000LL;  // the next day
  return {created, reply, resolved};
}

// 20 days of 30 tickets (DayTicket), one staged batch a day in time order
// (and a 21st with the last resolutions).
std::vector<std::vector<RawEvent>> TimeOrderDays() {
  std::vector<std::vector<RawEvent>> days(21);
  for (int d = 0; d < 20; ++d) {
    for (int t = 0; t < 30; ++t) {
      const auto [created, reply, resolved] = DayTicket(d, t);
      days[d].push_back(created);
      days[d].push_back(reply);
      days[(resolved.ts_ms - kStart) / kDay].push_back(resolved);
    }
  }
  return days;
}

// Arrival in time order, one staged batch a day, every ticket open into the
// next day (so into the next run), all spilled and sealed in runs of a few
// batches: each run seals its tickets whole, looking ahead into the next
// run's batches (storage/sealer_staged.cc), so no run decodes and rewrites a
// segment an earlier run wrote: every segment is written once, and the store
// is what one in-memory seal makes.
TEST(SealGroupsTest, SpilledRunsWriteEachSegmentOnce) {
  std::vector<std::vector<RawEvent>> days = TimeOrderDays();
  days[4].push_back(days[4].front());  // a duplicate, of an event a run seals looking ahead
  IngestStats want_stats;
  const auto want = OneGroup({days}, &want_stats);
  ASSERT_EQ(want.size(), 600u);
  for (uint32_t max_deltas : {0u, 16u}) {
    SCOPED_TRACE("deltas " + std::to_string(max_deltas));
    ScratchDir dir;
    std::unique_ptr<Store> store;
    // ~6 KB a day (30 new tickets, ~90 events): runs of ~3 days.
    ASSERT_TRUE(Store::Open(dir.path(), Options(40, max_deltas, 25'000), &store).ok());
    store->SpillStaged();
    IngestStats stats;
    for (const auto& day : days) ASSERT_TRUE(store->Stage(day, nullptr, &stats).ok());
    std::map<uint32_t, IngestStats> per_batch;
    ASSERT_TRUE(store->Seal(&stats, &per_batch).ok());
    EXPECT_EQ(store->staged_events(), 0u);
    EXPECT_EQ(Tickets(*store), want);
    EXPECT_EQ(stats.accepted, want_stats.accepted);
    EXPECT_EQ(stats.duplicates, 1u);
    EXPECT_EQ(stats.events_rewritten, 0u) << "a run decoded and rewrote segments an earlier run wrote";
    uint64_t segments = 0;
    for (const auto& [partition, n] : SegmentsPerPartition(*store)) segments += n;
    EXPECT_EQ(stats.segments_written, segments) << "a segment was written more than once";
    uint64_t per_batch_accepted = 0;
    for (const auto& [batch, counts] : per_batch) per_batch_accepted += counts.accepted;
    EXPECT_EQ(per_batch_accepted, want_stats.accepted);
  }
}

// ReleaseFreedMemory (storage/memory_release.h; `kpi ingest` sets jemalloc's purge): a
// spilled seal calls it after each partition group and after each run's
// commit, an in-memory seal never; the store is the same either way.
int g_release_calls = 0;

TEST(SealGroupsTest, ASpilledSealReleasesFreedMemoryAfterEachGroupAndRun) {
  const std::vector<std::vector<RawEvent>> days = TimeOrderDays();
  IngestStats want_stats;
  const auto want = OneGroup({days}, &want_stats);
  // group_events, spilled_seal_bytes, spill -> the calls expected (at least)
  struct Case {
    uint64_t group_events, bound;
    bool spill;
    int min_calls, max_calls;
  };
  // One group in one run: once after the group, once after the run. Groups
  // of 40 events (a day holds ~90: a group per day) in runs of ~3 days: at
  // least one call per day's group and one per run. In memory: none.
  for (const Case c : {Case{0, 0, true, 2, 2}, Case{40, 25'000, true, 20 + 2, 1000}, Case{40, 25'000, false, 0, 0}}) {
    SCOPED_TRACE("groups " + std::to_string(c.group_events) + " bound " + std::to_string(c.bound) + " spill " +
                 std::to_string(c.spill));
    ScratchDir dir;
    g_release_calls = 0;
    SetReleaseFreedMemoryHook([] { ++g_release_calls; });
    const StoreOptions o = Options(c.group_events, 0, c.bound);
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(dir.path(), o, &store).ok());
    if (c.spill) store->SpillStaged();
    IngestStats stats;
    for (const auto& day : days) ASSERT_TRUE(store->Stage(day, nullptr, &stats).ok());
    const bool sealed = store->Seal(&stats, nullptr).ok();
    SetReleaseFreedMemoryHook(nullptr);
    ASSERT_TRUE(sealed);
    EXPECT_GE(g_release_calls, c.min_calls);
    EXPECT_LE(g_release_calls, c.max_calls);
    EXPECT_EQ(Tickets(*store), want);
    EXPECT_EQ(stats.accepted, want_stats.accepted);
  }
}

// A spilled seal's group sizes its arena (ReadGroupIncoming) for the sealed
// events it will load: its tickets' segments, and the open segments of its
// partitions, which new tickets join (Assign). Sized for the first only, the
// arena grew by doubling when an open segment was loaded: a copy of every
// sealed event at the group's peak (at 20M generated tickets the peak of the
// whole load, docs/performance.md). The store is what one-group seals make.
TEST(SealGroupsTest, ASpilledGroupsArenaHoldsThePartitionsOpenSegments) {
  std::vector<std::vector<RawEvent>> days = TimeOrderDays();
  days.resize(10);
  // Then, spilled: five new tickets on each of those days, joining each
  // partition's open segment (30 tickets a day in segments of 24: 6 in it).
  std::vector<std::vector<RawEvent>> later(2);
  for (int d = 0; d < 10; ++d)
    for (int t = 0; t < 5; ++t) {
      RawEvent created = Event("N" + std::to_string(d * 5 + t), d, "created");
      RawEvent reply = created;
      reply.event = "agent_reply";
      reply.ts_ms += 60'000;
      later[d % 2].push_back(created);
      later[d % 2].push_back(reply);
    }
  const SealList seals = {days, later};
  IngestStats want_stats;
  const auto want = OneGroup(seals, &want_stats);
  ScratchDir dir;
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(dir.path(), Options(40, 0, 0), &store).ok());
  IngestStats first;
  for (const auto& day : days) ASSERT_TRUE(store->Stage(day, nullptr, &first).ok());
  ASSERT_TRUE(store->Seal(&first).ok());
  store->SpillStaged();
  IngestStats stats;
  for (const auto& batch : later) ASSERT_TRUE(store->Stage(batch, nullptr, &stats).ok());
  const uint64_t regrowths = Sealer::ArenaRegrowths();
  ASSERT_TRUE(store->Seal(&stats).ok());
  EXPECT_GT(stats.events_rewritten, 0u) << "no group loaded an open segment";
  EXPECT_EQ(Sealer::ArenaRegrowths(), regrowths) << "a group's sealed events outgrew the arena it sized";
  EXPECT_EQ(Tickets(*store), want);
}

// Arrival in time order as above, one staged batch a day, with what a
// look-ahead must get right: ids, corrections (two revisions, a day apart),
// a retraction and a re-add, re-sent copies without an id and with one.
std::vector<std::vector<RawEvent>> DaysWithCorrections() {
  std::vector<std::vector<RawEvent>> days(23);
  for (int d = 0; d < 20; ++d) {
    for (int t = 0; t < 30; ++t) {
      auto [created, reply, resolved] = DayTicket(d, t);
      reply.agent = "a" + std::to_string(t % 4);
      reply.dims.clear();
      reply.measures = {{"handle_seconds", double(t)}};
      if (t % 5 != 2) reply.id = "r" + created.ticket;
      resolved.dims.clear();
      if (t % 5 == 4) resolved.id = "s" + created.ticket;
      days[d].push_back(created);
      days[d].push_back(reply);
      days[(resolved.ts_ms - kStart) / kDay].push_back(resolved);
      RawEvent fix = reply;
      switch (t % 5) {
        case 0:  // a correction the next day
          fix.revision = 1;
          fix.measures = {{"handle_seconds", 999.0}};
          days[d + 1].push_back(fix);
          break;
        case 1:  // retracted the next day
          fix.revision = 1;
          fix.retract = true;
          days[d + 1].push_back(fix);
          break;
        case 2:  // re-sent the next day, without an id
          days[d + 1].push_back(created);
          days[d + 1].push_back(reply);
          break;
        case 3:  // corrected twice, the second copy first; re-sent with its id
          fix.revision = 2;
          fix.measures = {{"handle_seconds", 7.0}};
          days[d + 1].push_back(fix);
          fix.revision = 1;
          fix.measures = {{"handle_seconds", 8.0}};
          days[d + 2].push_back(fix);
          days[d + 2].push_back(reply);
          break;
        default: {  // resolved retracted, then back with a higher revision
          RawEvent back = resolved;
          back.revision = 1;
          back.retract = true;
          days[d + 2].push_back(back);
          back.revision = 2;
          back.retract = false;
          back.ts_ms += 60'000;
          days[d + 3].push_back(back);
        }
      }
    }
  }
  return days;
}

// A spilled seal killed between two runs: the first run committed, with
// its tickets' events it sealed looking ahead in the batches it left staged
// (storage/sealer_staged.cc); Store::Impl::sealed_ahead, in memory only, is
// lost. The open (writable, or read-only until its first write, as `kpi
// query` opens) seals those batches whole: the events sealed ahead are
// duplicates of their sealed copies (same id and revision, or same content)
// and are dropped; nothing is doubled, no correction or retraction is lost
// or applied twice, and every event keeps its batch (so `as of` answers
// too): the store is what one in-memory seal makes. Re-sending everything
// then changes nothing.
TEST(SealGroupsTest, ASpilledSealKilledBetweenRunsLosesAndDoublesNothing) {
  const auto days = DaysWithCorrections();
  IngestStats want_stats;
  const auto want = OneGroup({days}, &want_stats);
  ASSERT_EQ(want.size(), 600u);
  for (bool read_only_until_write : {false, true}) {
    SCOPED_TRACE(read_only_until_write ? "reopened read-only until written" : "reopened writable");
    ScratchDir dir;
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // The child stages every day spilled and seals in runs of ~3 days
      // (~7 KB a day); the second run's stamp (its write is built, the first
      // run's committed) reports how far the sealed events reach past the
      // sealed batches, and kills the child.
      ::close(fds[0]);
      StoreOptions o = Options(40, 0, 40'000);
      const auto tick = o.clock;
      int stamps = -1;  // from the seal on: clock readings
      std::unique_ptr<Store> store;
      o.clock = [&, tick] {
        if (stamps >= 0 && ++stamps == 2) {
          auto snap = store->GetSnapshot();
          int past = 0;
          for (const SegmentRef& ref : snap->Plan(ScanSpec(), nullptr))
            past = std::max(past, static_cast<int>(ref.zone.max_batch) - static_cast<int>(snap->last_batch()));
          if (::write(fds[1], &past, sizeof past) != sizeof past) ::_exit(3);
          ::kill(::getpid(), SIGKILL);
        }
        return tick();
      };
      if (!Store::Open(dir.path(), o, &store).ok()) ::_exit(4);
      store->SpillStaged();
      for (const auto& day : days)
        if (!store->Stage(day, nullptr, nullptr).ok()) ::_exit(5);
      stamps = 0;
      store->Seal(nullptr).ok();
      ::_exit(6);  // sealed in one run: not killed
    }
    ::close(fds[1]);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    int past = 0;
    const bool reported = ::read(fds[0], &past, sizeof past) == sizeof past;
    ::close(fds[0]);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the child was not killed between two runs: exit "
                                     << (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    ASSERT_TRUE(reported);
    ASSERT_GT(past, 0) << "the first run sealed no event ahead: the test proves nothing";

    StoreOptions o = Options(40, 0, 40'000);
    o.create_if_missing = false;
    o.read_only_until_write = read_only_until_write;
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(dir.path(), o, &store).ok());
    EXPECT_EQ(store->staged_events(), 0u);
    EXPECT_EQ(Tickets(*store), want);
    IngestStats again;
    for (const auto& day : days) ASSERT_TRUE(store->Stage(day, nullptr, &again).ok());
    ASSERT_TRUE(store->Seal(&again).ok());
    EXPECT_EQ(again.accepted, 0u);
    EXPECT_EQ(again.corrections, 0u);
    EXPECT_EQ(Tickets(*store), want);
  }
}

// Seals `seals` with one group and with one partition per group: the same
// tickets; returns the second store's segments per partition.
std::map<uint32_t, uint32_t> SealBothWays(const std::vector<std::vector<std::vector<RawEvent>>>& seals,
                                          std::map<std::string, std::string>* tickets) {
  ScratchDir ref_dir, dir;
  std::unique_ptr<Store> ref, store;
  EXPECT_TRUE(Store::Open(ref_dir.path(), Options(0, 0), &ref).ok());
  EXPECT_TRUE(Store::Open(dir.path(), Options(1, 0), &store).ok());
  StageAndSeal(ref.get(), seals);
  StageAndSeal(store.get(), seals);
  *tickets = Tickets(*ref);
  EXPECT_EQ(Tickets(*store), *tickets);
  store.reset();
  EXPECT_TRUE(Store::Open(dir.path(), Options(1, 0), &store).ok());
  EXPECT_EQ(StageAndSeal(store.get(), seals).accepted, 0u);
  EXPECT_EQ(Tickets(*store), *tickets);
  return SegmentsPerPartition(*store);
}

const uint32_t kDay2 = static_cast<uint32_t>((kStart + 2 * kDay) / kDay);
const uint32_t kDay10 = kDay2 + 8;

// T1 sealed on day 10 before its `created`, which arrives (day 2) in a seal
// that also brings new tickets of day 2: groups run from day 10 to day 2, so
// T1 joins day 2's group and its open segment.
TEST(SealGroupsTest, ATicketMovingToAnEarlierGroupJoinsIt) {
  std::map<std::string, std::string> tickets;
  const auto segments = SealBothWays({{{Event("T1", 10, "agent_reply"), Event("T9", 10, "created")}},
                                      {{Event("T1", 2, "created"), Event("T2", 2, "created")}}},
                                     &tickets);
  EXPECT_EQ(tickets.at("T1").substr(0, 7), "p" + std::to_string(kDay2) + ":");
  EXPECT_EQ(segments.at(kDay2), 1u);
}

// T1 created on day 2, then a correction moves its `created` to day 10 in a
// seal that also brings new tickets of day 10: day 10's group ran first, so
// T1 goes to the last group and a fresh segment of day 10.
TEST(SealGroupsTest, ATicketMovingToAWrittenPartitionGetsAFreshSegment) {
  RawEvent created = Event("T1", 2, "created");
  created.id = "c1";
  RawEvent moved = Event("T1", 10, "created");
  moved.id = "c1";
  moved.revision = 1;
  std::map<std::string, std::string> tickets;
  const auto segments = SealBothWays({{{created, Event("T9", 10, "created")}},
                                      {{moved, Event("T2", 10, "created"), Event("T3", 2, "created")}}},
                                     &tickets);
  EXPECT_EQ(tickets.at("T1").substr(0, 7), "p" + std::to_string(kDay10) + ":");
  EXPECT_EQ(segments.at(kDay10), 2u) << "T1 was carried to a fresh segment";
}

}  // namespace
}  // namespace kpi::storage
