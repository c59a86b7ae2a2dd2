// Kill points of the crash tests. A child process reports each step it has
// reached (a batch made durable, a compaction begun, an upload acknowledged)
// as an int on a pipe; the parent SIGKILLs it once the step that makes the
// round meaningful has been reported, after a small delay of the test's
// choosing so kills land at varied points of the step that follows. Killing
// after a fixed time instead made the rounds depend on the machine: on a
// loaded one (CI's 2 cores, ctest -j) children were killed before they had
// done anything worth checking. Now load only slows a test down; the
// timeout is a guard against a hung child, not part of the plan.
//
// The child is a fresh process of the test binary (posix_spawn of
// /proc/self/exe), not a bare fork: RocksDB's background threads do not
// survive fork(), so a child forked from a test that had opened a store
// before never ran a flush or compaction (Store::Compact hung at its first
// flush, and every kill of the compaction crash test landed in that hang).
// A child body is registered by name in the test file (KPI_CRASH_CHILD) and
// started by a gtest environment hook before any test runs in the child.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace kpi::testing {

// A child's body: `args` as the parent passed them; writes one int per step
// to `report_fd` and never returns.
using ChildBody = void (*)(const std::vector<std::string>& args, int report_fd);

// Registers `body` under `name`, at static initialization (KPI_CRASH_CHILD).
bool RegisterCrashChild(const char* name, ChildBody body);

#define KPI_CRASH_CHILD_CONCAT2(a, b) a##b
#define KPI_CRASH_CHILD_CONCAT(a, b) KPI_CRASH_CHILD_CONCAT2(a, b)
// KPI_CRASH_CHILD(name, function): `function` is the body of child `name`.
#define KPI_CRASH_CHILD(name, function)                                              \
  [[maybe_unused]] static const bool KPI_CRASH_CHILD_CONCAT(kpi_crash_child_, __LINE__) = \
      ::kpi::testing::RegisterCrashChild(name, function)

struct KillOutcome {
  std::vector<int> reports;  // every int the child wrote, in order
  bool killed = false;       // SIGKILL ended the child (not an exit of its own)
  bool reached = false;      // the kill point was reported before the timeout
  std::string failure;       // why not, for the test's message
  int Last(int none) const { return reports.empty() ? none : reports.back(); }
};

// Starts child `name` with `args` in a fresh process of this binary.
// `kill_when` is asked with each report in order; once it answers true (at
// once when it is empty), the parent sleeps `delay_us` and kills the child
// with SIGKILL. A child that reports no kill point within `timeout`, or
// ends first, is killed and the outcome says why (reached == false).
// Returns every report, also those written during the delay.
KillOutcome RunAndKill(const std::string& name, const std::vector<std::string>& args,
                       const std::function<bool(int report)>& kill_when, unsigned delay_us,
                       std::chrono::milliseconds timeout = std::chrono::seconds(120));

}  // namespace kpi::testing
