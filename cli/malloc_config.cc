// jemalloc's start-up options for the kpi binary (linked only when CMake
// found jemalloc; see the top-level CMakeLists.txt for why), chosen per
// command before the first allocation.
//
// ingest, serve and compact: thp:always backs the allocator's extents with
// transparent huge pages (they allocate and free hundreds of MB per seal,
// and one fault per 2 MB instead of per 4 KB halved ingest's CPU time on
// the development VM); background_thread purges unused pages off the hot
// path. `kpi ingest` under a memory limit (its default) turns huge pages off
// again with prctl (cli/ingest_command.cc, ApplyMemoryLimit).
// Every other command (query, info, report, ...) is short and reads little:
// jemalloc's defaults. Huge pages there zeroed 2 MB per fault for the first
// few allocations of the process (0.3-0.6 ms of a ~3 ms `kpi --version`) and
// the background threads cost their start; docs/performance.md, "The process
// floor".
//
// MALLOC_CONF in the environment still overrides these (jemalloc reads it
// after this string).
#include <cstring>

extern "C" {
// NOLINTNEXTLINE: the name and type are jemalloc's contract.
const char* malloc_conf = "";
}

namespace {

constexpr const char* kHeavyCommands[] = {"ingest", "serve", "compact"};
constexpr const char* kHeavyConf = "thp:always,metadata_thp:auto,background_thread:true";

// Runs from the executable's .preinit_array: before any shared library's
// initialiser, so before jemalloc initialises (at the first allocation,
// which reads malloc_conf). argv[1] is the command (kpi has no options
// before it but --help and --version).
void ChooseMallocConf(int argc, char** argv, char** /*envp*/) {
  if (argc < 2) return;
  for (const char* heavy : kHeavyCommands) {
    if (std::strcmp(argv[1], heavy) == 0) malloc_conf = kHeavyConf;
  }
}

__attribute__((section(".preinit_array"), used)) void (*const kChooseMallocConf)(int, char**, char**) =
    ChooseMallocConf;

}  // namespace
