// The calling process's resident memory, from /proc/self (Linux): what a
// memory limit (storage/memory_budget.h) is checked against. 0 when /proc
// cannot be read.
#pragma once

#include <cstddef>

namespace kpi::storage {

// Resident set size now (/proc/self/statm; cheap enough to call per batch).
size_t ResidentBytes();
// Peak resident set size so far (VmHWM in /proc/self/status).
size_t PeakResidentBytes();

}  // namespace kpi::storage
