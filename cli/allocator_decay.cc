// ReturnFreedMemorySooner (cli/allocator_decay.h).
#include "cli/allocator_decay.h"

#include <sys/types.h>

#include <cstddef>
#include <string>

// jemalloc's control interface; null when jemalloc is not linked.
extern "C" int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen)
    __attribute__((weak));

namespace kpi::cli {

void ReturnFreedMemorySooner() {
  if (mallctl == nullptr) return;
  ssize_t dirty_ms = 1000, muzzy_ms = 0;
  mallctl("arenas.dirty_decay_ms", nullptr, nullptr, &dirty_ms, sizeof dirty_ms);  // arenas made later
  mallctl("arenas.muzzy_decay_ms", nullptr, nullptr, &muzzy_ms, sizeof muzzy_ms);
  unsigned arenas = 0;
  size_t len = sizeof arenas;
  if (mallctl("arenas.narenas", &arenas, &len, nullptr, 0) != 0) return;
  for (unsigned i = 0; i < arenas; ++i) {
    const std::string arena = "arena." + std::to_string(i) + ".";
    mallctl((arena + "dirty_decay_ms").c_str(), nullptr, nullptr, &dirty_ms, sizeof dirty_ms);
    mallctl((arena + "muzzy_decay_ms").c_str(), nullptr, nullptr, &muzzy_ms, sizeof muzzy_ms);
  }
}

void ReleaseFreedMemoryNow() {
  if (mallctl == nullptr) return;
  // MALLCTL_ARENAS_ALL (jemalloc 5): every arena at once.
  mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);
}

}  // namespace kpi::cli
