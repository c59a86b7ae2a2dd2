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

}  // namespace kpi::cli
