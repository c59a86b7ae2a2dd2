// Generator: determinism, stream semantics, line validity and the orders
// (default, shuffle, late arrivals).
#include "cli/gen/generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "cli/gen/event_order.h"
#include "gen_test_util.h"
#include "test_util.h"

namespace kpi::gen {
namespace {

using testing::ByTicket;
using testing::GenerateAll;
using testing::ParseMillisUtc;
using testing::SplitLines;
using testing::ToNdjson;

GenOptions Small(uint64_t tickets = 2000) {
  GenOptions o;
  o.tickets = tickets;
  o.days = 30;
  return o;
}

std::string WriteToString(const GenOptions& o) {
  kpi::testing::ScratchDir dir("gen");
  const std::string path = dir / "out.ndjson";
  Status s = WriteNdjson(o, path, nullptr);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return kpi::testing::ReadFile(path);
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(GeneratorTest, SameSeedGivesIdenticalBytes) {
  const std::string a = WriteToString(Small());
  const std::string b = WriteToString(Small());
  ASSERT_GT(a.size(), 100000u);
  EXPECT_EQ(a, b);
}

TEST(GeneratorTest, DifferentSeedGivesDifferentData) {
  GenOptions other = Small();
  other.seed = 43;
  const std::string a = WriteToString(Small());
  const std::string b = WriteToString(other);
  EXPECT_NE(a, b);
  // Not merely shifted: most lines differ.
  auto la = SplitLines(a), lb = SplitLines(b);
  std::set<std::string> sa(la.begin(), la.end());
  size_t shared = 0;
  for (const auto& l : lb) shared += sa.count(l);
  EXPECT_LT(shared, lb.size() / 100);
}

TEST(GeneratorTest, WriteNdjsonMatchesNextWhateverTheBatchSize) {
  const std::string written = WriteToString(Small(300));
  EXPECT_EQ(written, ToNdjson(GenerateAll(Small(300), 1)));
  EXPECT_EQ(written, ToNdjson(GenerateAll(Small(300), 7)));
  EXPECT_EQ(written, ToNdjson(GenerateAll(Small(300), 100000)));
}

TEST(GeneratorTest, NextClearsOutputNumbersLinesAndEndsCleanly) {
  Generator g(Small(50));
  std::vector<RawEvent> out(3);
  out[0].ticket = "stale";
  ASSERT_TRUE(g.Next(0, &out));  // events remain; nothing consumed
  EXPECT_TRUE(out.empty());
  uint64_t expected_line = 1;
  size_t batches = 0;
  while (g.Next(64, &out)) {
    ASSERT_FALSE(out.empty());
    ASSERT_LE(out.size(), 64u);
    for (const RawEvent& e : out) EXPECT_EQ(e.line, expected_line++);
    ++batches;
  }
  EXPECT_TRUE(out.empty());
  EXPECT_GT(batches, 2u);
  EXPECT_FALSE(g.Next(64, &out));
  EXPECT_FALSE(g.Next(0, &out));
  EXPECT_FALSE(g.Next(64, nullptr));
  // The peek did not lose an event: same count as an unpeeked run.
  EXPECT_EQ(expected_line - 1, GenerateAll(Small(50)).size());
}

TEST(GeneratorTest, InvalidOptionsGiveAnEmptyStream) {
  GenOptions o = Small();
  o.tickets = 0;
  Generator g(o);
  EXPECT_EQ(g.status().code(), Status::Code::kInvalidArgument);
  std::vector<RawEvent> out;
  EXPECT_FALSE(g.Next(10, &out));
  EXPECT_TRUE(out.empty());
}

TEST(GeneratorTest, EveryLineIsValidAndTimeOrdered) {
  const GenOptions o = Small(3000);
  const std::vector<std::string> lines = SplitLines(WriteToString(o));
  ASSERT_GT(lines.size(), 3000u * 5);
  const std::set<std::string> kEvents = {
      "created",  "assigned", "agent_reply", "customer_reply", "escalated",  "transferred",
      "resolved", "reopened", "closed",      "rated",          "qa_reviewed"};
  const std::regex ticket_re("T[0-9]{6}"), agent_re("a[0-9]{3}"), customer_re("C[0-9]{4}");
  int64_t previous = INT64_MIN;
  std::set<std::string> tickets;
  for (const std::string& line : lines) {
    SCOPED_TRACE(line);
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(j.is_object());
    ASSERT_TRUE(j.contains("ts") && j["ts"].is_string());
    ASSERT_TRUE(j.contains("ticket") && j["ticket"].is_string());
    ASSERT_TRUE(j.contains("event") && j["event"].is_string());
    EXPECT_FALSE(j.contains("id"));
    int64_t ts = 0;
    ASSERT_TRUE(ParseMillisUtc(j["ts"], &ts));
    EXPECT_GE(ts, previous);
    previous = ts;
    EXPECT_GE(ts, o.start_ms);
    EXPECT_LT(ts, o.start_ms + int64_t{o.days} * 86400000 + kMaxTicketSpanMs);
    EXPECT_TRUE(std::regex_match(j["ticket"].get<std::string>(), ticket_re));
    const std::string event = j["event"];
    EXPECT_TRUE(kEvents.count(event));
    if (j.contains("agent")) {
      EXPECT_TRUE(std::regex_match(j["agent"].get<std::string>(), agent_re));
    }
    for (const auto& [key, value] : j.items()) {
      if (key == "handle_seconds" || key == "cost" || key == "csat" || key == "accurate") {
        EXPECT_TRUE(value.is_number()) << key;
      } else {
        EXPECT_TRUE(value.is_string()) << key;
      }
    }
    if (event == "created") {
      for (const char* dim :
           {"customer", "channel", "team", "category", "priority", "region", "business_type"}) {
        EXPECT_TRUE(j.contains(dim)) << dim;
      }
      EXPECT_TRUE(std::regex_match(j["customer"].get<std::string>(), customer_re));
      EXPECT_FALSE(j.contains("agent"));
    }
    if (event == "agent_reply") {
      EXPECT_TRUE(j.contains("agent"));
      EXPECT_TRUE(j["handle_seconds"].is_number_integer());
      const double cost = j["cost"];
      EXPECT_GE(cost, 2.0);
      EXPECT_LE(cost, 6.0);
    }
    tickets.insert(j["ticket"].get<std::string>());
  }
  EXPECT_EQ(tickets.size(), 3000u);
  EXPECT_TRUE(tickets.count("T000001"));
  EXPECT_TRUE(tickets.count("T003000"));
}

TEST(GeneratorTest, EachTicketIsTimeConsistent) {
  const std::vector<RawEvent> events = GenerateAll(Small(5000));
  const auto tickets = ByTicket(events);
  ASSERT_EQ(tickets.size(), 5000u);
  for (const auto& [id, list] : tickets) {
    SCOPED_TRACE(id);
    ASSERT_EQ(list.front()->event, "created");
    const int64_t created = list.front()->ts_ms;
    bool resolved = false, replied = false;
    int64_t last_resolved = 0;
    for (size_t i = 1; i < list.size(); ++i) {
      const RawEvent& e = *list[i];
      EXPECT_NE(e.event, "created");
      EXPECT_GT(e.ts_ms, created);
      EXPECT_LE(e.ts_ms - created, kMaxTicketSpanMs);
      if (e.event == "agent_reply") replied = true;
      if (e.event == "resolved") {
        EXPECT_TRUE(replied) << "resolved before any agent reply";
        resolved = true;
        last_resolved = e.ts_ms;
      }
      if (e.event == "reopened") {
        EXPECT_TRUE(resolved);
      }
      if (e.event == "rated") {
        EXPECT_TRUE(resolved);
      }
      if (e.event == "escalated") {
        EXPECT_TRUE(replied);
      }
      if (e.event == "closed") {
        EXPECT_TRUE(resolved);
        EXPECT_GT(e.ts_ms, last_resolved);
      }
    }
  }
}

TEST(GeneratorTest, ShufflePreservesTheMultisetButNotTheOrder) {
  GenOptions shuffled = Small();
  shuffled.shuffle = true;
  const auto ordered_lines = SplitLines(WriteToString(Small()));
  const auto shuffled_lines = SplitLines(WriteToString(shuffled));
  EXPECT_NE(ordered_lines, shuffled_lines);
  EXPECT_EQ(Sorted(ordered_lines), Sorted(shuffled_lines));
  // Far from time order: about half of the neighbours are descending.
  const auto events = GenerateAll(shuffled);
  size_t descents = 0;
  for (size_t i = 1; i < events.size(); ++i) descents += events[i].ts_ms < events[i - 1].ts_ms;
  EXPECT_GT(descents, events.size() / 3);
  EXPECT_EQ(WriteToString(shuffled), WriteToString(shuffled));  // deterministic too
}

TEST(GeneratorTest, LateFractionHoldsBackThatShareAndKeepsTheMultiset) {
  GenOptions late = Small(5000);
  late.late_fraction = 0.2;
  const auto ordered = GenerateAll(Small(5000));
  const auto events = GenerateAll(late);
  EXPECT_EQ(Sorted(SplitLines(ToNdjson(ordered))), Sorted(SplitLines(ToNdjson(events))));
  // Two time-ordered runs: the on-time events, then the late ones.
  std::vector<size_t> descents;
  for (size_t i = 1; i < events.size(); ++i) {
    if (events[i].ts_ms < events[i - 1].ts_ms) descents.push_back(i);
  }
  ASSERT_EQ(descents.size(), 1u);
  const double late_share =
      1.0 - static_cast<double>(descents[0]) / static_cast<double>(events.size());
  EXPECT_NEAR(late_share, 0.2, 0.01);
  // The late run begins near the start of the time range.
  EXPECT_LT(events[descents[0]].ts_ms, late.start_ms + 86400000);
}

TEST(GeneratorTest, AllLateIsTheDefaultOrder) {
  GenOptions all_late = Small(500);
  all_late.late_fraction = 1.0;
  EXPECT_EQ(WriteToString(all_late), WriteToString(Small(500)));
}

TEST(GeneratorTest, ShuffleWithLateKeepsLateEventsAtTheEnd) {
  GenOptions o = Small(1000);
  o.shuffle = true;
  o.late_fraction = 0.3;
  const auto events = GenerateAll(o);
  const auto ordered = GenerateAll(Small(1000));
  EXPECT_EQ(Sorted(SplitLines(ToNdjson(ordered))), Sorted(SplitLines(ToNdjson(events))));
  // The same events are late as in the unshuffled late mode.
  GenOptions unshuffled = o;
  unshuffled.shuffle = false;
  const auto reference = GenerateAll(unshuffled);
  size_t split = 1;
  while (split < reference.size() && reference[split].ts_ms >= reference[split - 1].ts_ms) ++split;
  auto lines = SplitLines(ToNdjson(events));
  auto ref_lines = SplitLines(ToNdjson(reference));
  ASSERT_EQ(lines.size(), ref_lines.size());
  const std::vector<std::string> tail(lines.begin() + static_cast<std::ptrdiff_t>(split),
                                      lines.end());
  const std::vector<std::string> ref_tail(ref_lines.begin() + static_cast<std::ptrdiff_t>(split),
                                          ref_lines.end());
  EXPECT_EQ(Sorted(tail), Sorted(ref_tail));
}

TEST(GeneratorTest, DefaultOrderHoldsOnlyOpenTickets) {
  GenOptions o;
  o.tickets = 100000;
  TimeOrderedStream stream(o, Lateness::kAll);
  CompactEvent e;
  uint64_t n = 0;
  while (stream.Next(&e)) ++n;
  EXPECT_GT(n, 600000u);
  // A year of tickets, a few weeks of tails: a small window of pending events.
  EXPECT_LT(stream.peak_pending(), n / 20);
}

}  // namespace
}  // namespace kpi::gen
