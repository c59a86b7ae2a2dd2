// KPI_MEMORY_TRACE (storage/memory_trace.h, docs/operations.md): every line
// of an ingest's trace starts "mem <s> cpu <s> rss <MB> alloc", the CPU
// seconds never go down, nor the peak RSS so far ("hwm <MB>", at least the
// line's RSS), the seals' lines are there, and the once-a-second
// lines count the dictionaries' value index lookups; a spilled run writes
// into the buffer it reserved.
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>
#include <sstream>
#include <string>

#include "cli_test_util.h"
#include "test_util.h"

namespace kpi::testing {
namespace {

// The memory trace of `tickets` generated tickets streamed into a store in
// `dir` at --memory-limit 192M; empty when the ingest failed.
std::string TraceOfIngest(const ScratchDir& dir, int tickets, int seed) {
  const std::string script = "cd '" + dir.path() + "' && '" + std::string(KPI_BINARY) + "' gen --tickets " +
                             std::to_string(tickets) + " --seed " + std::to_string(seed) +
                             " -q --out - | KPI_MEMORY_TRACE=trace.txt '" + KPI_BINARY +
                             "' ingest -q --no-sync --db s --memory-limit 192M - >/dev/null";
  if (std::system(script.c_str()) != 0) return "";
  return ReadFile(dir.path() + "/trace.txt");
}

TEST(MemoryTraceCliTest, EveryLineCarriesTheProcessCpu) {
  ScratchDir dir;
  const std::string trace = TraceOfIngest(dir, 60000, 3);
  ASSERT_FALSE(trace.empty());
  const std::regex line_re(R"(^mem ([0-9.]+) cpu ([0-9.]+) rss ([0-9]+) alloc .* hwm ([0-9]+) peak ([0-9]+) .*)");
  const std::regex tick_re(R"( tick read [0-9]+ staged [0-9]+ values [0-9]+/[0-9]+ blocks [0-9]+\+[0-9]+$)");
  std::istringstream in(trace);
  std::string line;
  double last_cpu = 0, last_hwm = 0;
  int lines = 0, seals = 0, group_phases = 0;
  while (std::getline(in, line)) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, line_re)) << line;
    const double cpu = std::stod(m[2]);
    EXPECT_GE(cpu, last_cpu) << line;
    last_cpu = cpu;
    // The peak so far: never below the RSS read just before it, never down.
    const double hwm = std::stod(m[4]);
    EXPECT_GE(hwm, std::stod(m[3])) << line;
    // (1 MB of slack: the kernel's per-thread RSS counters catch up lazily,
    // so lines written by two threads may see the peak a page apart.)
    EXPECT_GE(hwm + 1, last_hwm) << line;
    last_hwm = hwm;
    // The highest RSS sampled since the line before: at least this line's,
    // never above the process's peak (MB rounded: 1 of slack).
    const double peak = std::stod(m[5]);
    EXPECT_GE(peak, std::stod(m[3])) << line;
    EXPECT_LE(peak, hwm + 1) << line;
    if (line.find(" seal-group-merged ") != std::string::npos) ++group_phases;
    ++lines;
    if (line.find(" seal-committed") != std::string::npos) ++seals;
    if (line.find(" tick ") != std::string::npos) EXPECT_TRUE(std::regex_search(line, tick_re)) << line;
  }
  EXPECT_GT(seals, 0) << trace;
  EXPECT_GT(group_phases, 0) << "a group's phases (merged, encoded) have no lines:\n" << trace;
  EXPECT_GT(last_cpu, 0.0) << trace;
  EXPECT_GT(lines, 1);
}

// A spilled run reserves its write up front (Sealer::WriteReserve): its
// seal-group lines ("wb SIZE/CAPACITY", MB) show one capacity from the
// run's first group to its last, never below the size; a write grown by
// doubling would show 1, 2, 4 (and hold two buffers at each copy).
TEST(MemoryTraceCliTest, ASpilledRunWritesIntoTheBufferItReserved) {
  ScratchDir dir;
  const std::string trace = TraceOfIngest(dir, 200000, 5);
  ASSERT_FALSE(trace.empty());
  const std::regex wb_re(R"( wb ([0-9]+)/([0-9]+) )");
  std::istringstream in(trace);
  std::string line;
  bool in_run = false;
  int run_capacity = -1, spilled_groups = 0;
  while (std::getline(in, line)) {
    if (line.find(" seal-planned-spilled ") != std::string::npos) {
      in_run = true;
      run_capacity = -1;
    } else if (line.find(" seal-group ") != std::string::npos && in_run) {
      std::smatch m;
      ASSERT_TRUE(std::regex_search(line, m, wb_re)) << line;
      const int size = std::stoi(m[1]), capacity = std::stoi(m[2]);
      if (run_capacity < 0) run_capacity = capacity;
      EXPECT_EQ(capacity, run_capacity) << "the run's write grew: " << line;
      EXPECT_GE(capacity, size) << line;
      EXPECT_GT(capacity, 0) << line;
      ++spilled_groups;
    } else if (line.find(" seal-") != std::string::npos && line.find(" seal-group") == std::string::npos) {
      in_run = false;
    }
  }
  EXPECT_GE(spilled_groups, 4) << "the load no longer spills in runs of several groups:\n" << trace;
}

// What a spilled run keeps per staged event while its groups are sealed
// ("staged B batches E events (MB)" on the seal-group lines): each event's
// offset in its batch, packed (a varint of the step from the group's event
// before it, ~2 bytes), beside a few words per ticket; 4 bytes an offset
// before (~11M of them in a full run at 20M tickets).
TEST(MemoryTraceCliTest, ASpilledRunPacksItsEventsOffsets) {
  ScratchDir dir;
  // Runs of ~350k events at 192M: MB with one decimal is fine enough.
  const std::string trace = TraceOfIngest(dir, 200000, 5);
  ASSERT_FALSE(trace.empty());
  const std::regex group_re(R"( seal-group tickets ([0-9]+) \([0-9]+\) staged [0-9]+ batches ([0-9]+) events \(([0-9.]+)\) )");
  std::istringstream in(trace);
  std::string line;
  int checked = 0;
  while (std::getline(in, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, group_re)) continue;
    const double tickets = std::stod(m[1]), events = std::stod(m[2]), mb = std::stod(m[3]);
    if (events < 3e5) continue;  // MB with one decimal: too coarse below that
    // Per ticket: its events' count (4 bytes) and placement (8); per event
    // the packed offset. Unpacked, the offsets alone were 4 bytes.
    const double per_event = (mb * (1 << 20) - 12 * tickets) / events;
    EXPECT_LT(per_event, 3.3) << line;
    ++checked;
  }
  EXPECT_GT(checked, 0) << "no spilled run of 300k+ events:\n" << trace;
}

}  // namespace
}  // namespace kpi::testing
