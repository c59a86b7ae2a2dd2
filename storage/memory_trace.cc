// TraceMemory / ReadAllocatorStats (storage/memory_trace.h).
#include "storage/memory_trace.h"

#include <sys/types.h>

#include <chrono>
#include <ctime>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#include "storage/process_memory.h"

// jemalloc's control interface; null when jemalloc is not linked.
extern "C" int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen)
    __attribute__((weak));

namespace kpi::storage {

namespace {

struct TraceSink {
  std::FILE* file = nullptr;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::mutex mu;
  TraceSink() {
    const char* path = std::getenv("KPI_MEMORY_TRACE");
    if (path == nullptr || *path == '\0') return;
    file = std::strcmp(path, "-") == 0 ? stderr : std::fopen(path, "a");
  }
};

TraceSink& Sink() {
  static TraceSink sink;
  return sink;
}

}  // namespace

bool ReadAllocatorStats(AllocatorStats* out) {
  *out = {};
  if (mallctl == nullptr) return false;
  uint64_t epoch = 1;
  size_t len = sizeof epoch;
  if (mallctl("epoch", &epoch, &len, &epoch, len) != 0) return false;
  const auto read = [](const char* name, size_t* value) {
    size_t n = sizeof *value;
    return mallctl(name, value, &n, nullptr, 0) == 0;
  };
  return read("stats.allocated", &out->allocated) && read("stats.active", &out->active) &&
         read("stats.resident", &out->resident) && read("stats.metadata", &out->metadata) &&
         read("stats.retained", &out->retained);
}

bool MemoryTraceEnabled() { return Sink().file != nullptr; }

void TraceMemory(std::string_view label, std::string_view detail) {
  TraceSink& sink = Sink();
  if (sink.file == nullptr) return;
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - sink.start).count();
  AllocatorStats a;
  std::string je = "- active - resident - meta - retained -";
  if (ReadAllocatorStats(&a)) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%.0f active %.0f resident %.0f meta %.0f retained %.0f", Mb(a.allocated),
                  Mb(a.active), Mb(a.resident), Mb(a.metadata), Mb(a.retained));
    je = buf;
  }
  timespec cpu{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
  std::lock_guard lock(sink.mu);
  std::fprintf(sink.file, "mem %.1f cpu %.2f rss %.0f alloc %s hwm %.0f %.*s %.*s\n", s,
               static_cast<double>(cpu.tv_sec) + 1e-9 * static_cast<double>(cpu.tv_nsec), Mb(ResidentBytes()), je.c_str(),
               Mb(PeakResidentBytes()),
               static_cast<int>(label.size()), label.data(), static_cast<int>(detail.size()), detail.data());
  std::fflush(sink.file);
}

}  // namespace kpi::storage
