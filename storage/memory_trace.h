// Memory trace (issue 13): where a process's memory is, for finding what
// grows with the store. Off unless KPI_MEMORY_TRACE is set in the
// environment: to a file path (appended to) or "-" (stderr). Then each
// TraceMemory call writes one line:
//   mem <s> cpu <s> rss <MB> alloc <MB> active <MB> resident <MB> meta <MB> retained <MB> hwm <MB> <label> <detail>
// mem <s>: seconds since the first line; cpu <s>: the process's CPU time
// (user + system, every thread) so far, for splitting a load's CPU by phase
// on a machine whose wall time drifts with other work; rss: /proc/self/statm; alloc ..
// retained: jemalloc's stats.allocated (bytes the program holds), .active
// (in pages it uses), .resident (pages it maps that are resident, its
// metadata included), .metadata and .retained (virtual memory kept for
// reuse, not resident), refreshed through "epoch"; "-" when the binary is
// not linked with jemalloc. RSS - resident is what is outside the
// allocator (code, thread stacks, RocksDB's own mmaps); hwm: the peak RSS
// so far (VmHWM, what /usr/bin/time reports at the end), so the line where
// it last rose places the process's peak. The callers' detail
// says what they hold (the sealer: storage/sealer.cc; kpi ingest's ticker:
// cli/ingest_command.cc). docs/performance.md ("Where ingest's memory is")
// reads a trace.
//
// Thread-safe; a call costs a /proc read and a few mallctl calls (the
// sealer calls it per partition group, the ticker once a second).
#pragma once

#include <cstddef>
#include <string_view>

namespace kpi::storage {

bool MemoryTraceEnabled();
// Bytes as MiB, the unit of trace lines.
inline double Mb(size_t bytes) { return static_cast<double>(bytes) / (1 << 20); }
void TraceMemory(std::string_view label, std::string_view detail = {});

// jemalloc's counters (bytes); false, all 0, without jemalloc.
struct AllocatorStats {
  size_t allocated = 0, active = 0, resident = 0, metadata = 0, retained = 0;
};
bool ReadAllocatorStats(AllocatorStats* out);

}  // namespace kpi::storage
