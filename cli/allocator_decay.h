// Under a memory limit, freed memory must leave the process soon: jemalloc
// (cli/malloc_config.cc) keeps freed pages for 10 s and then only marks them
// MADV_FREE, which the kernel reclaims when it likes, so resident memory
// stays at the last seal's peak long after the seal. ReturnFreedMemorySooner
// sets every arena's dirty decay to 1 s and muzzy decay to 0 (pages are
// returned with MADV_DONTNEED). A no-op when the binary is not linked with
// jemalloc.
#pragma once

namespace kpi::cli {

void ReturnFreedMemorySooner();

// Returns every arena's freed pages to the system now (jemalloc's
// "arena.<all>.purge": dirty and muzzy pages, MADV_DONTNEED), whatever the
// decay. For the points where a load has just freed a large part of its
// peak and a new peak follows (a spilled seal's partition groups and runs:
// storage/memory_release.h): jemalloc would reuse what it can
// and return the rest within the decay, so without this the pages it could
// not reuse at once (other arenas', other size classes') were still resident at
// the next peak. A no-op without jemalloc.
void ReleaseFreedMemoryNow();

}  // namespace kpi::cli
