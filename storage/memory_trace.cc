// TraceMemory / ReadAllocatorStats (storage/memory_trace.h).
#include "storage/memory_trace.h"

#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

#include "storage/process_memory.h"

// jemalloc's control interface; null when jemalloc is not linked.
extern "C" int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen)
    __attribute__((weak));

namespace kpi::storage {

namespace {

// The resident set size from /proc/self/statm through a descriptor kept
// open (a sample every few milliseconds must not allocate or reopen).
size_t SampleResident(int fd) {
  char buf[128];
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return 0;
  buf[n] = '\0';
  unsigned long size = 0, resident = 0;
  if (std::sscanf(buf, "%lu %lu", &size, &resident) != 2) return 0;
  return resident * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
}

// The highest RSS between two trace lines: a thread samples it every
// kPeakSampleMs. VmHWM only says that the process's peak rose since the
// line before; a phase that allocates and frees within a second (a seal
// group's transient) shows here with its height (docs/operations.md).
constexpr int kPeakSampleMs = 5;
struct PeakSampler {
  std::atomic<size_t> peak{0};
  int fd = -1;
};

struct TraceSink {
  std::FILE* file = nullptr;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::mutex mu;
  PeakSampler* sampler = nullptr;  // never freed: its thread runs until the process exits
  TraceSink() {
    const char* path = std::getenv("KPI_MEMORY_TRACE");
    if (path == nullptr || *path == '\0') return;
    file = std::strcmp(path, "-") == 0 ? stderr : std::fopen(path, "a");
    if (file == nullptr) return;
    const int fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    sampler = new PeakSampler;
    sampler->fd = fd;
    std::thread([s = sampler] {
      for (;;) {
        const size_t rss = SampleResident(s->fd);
        size_t seen = s->peak.load(std::memory_order_relaxed);
        while (rss > seen && !s->peak.compare_exchange_weak(seen, rss, std::memory_order_relaxed)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(kPeakSampleMs));
      }
    }).detach();
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
  const size_t rss = ResidentBytes();
  std::lock_guard lock(sink.mu);
  // The sampled peak since the line before; from now on, from this line's RSS.
  const size_t peak = std::max(rss, sink.sampler != nullptr ? sink.sampler->peak.exchange(rss) : rss);
  std::fprintf(sink.file, "mem %.1f cpu %.2f rss %.0f alloc %s hwm %.0f peak %.0f %.*s %.*s\n", s,
               static_cast<double>(cpu.tv_sec) + 1e-9 * static_cast<double>(cpu.tv_nsec), Mb(rss), je.c_str(),
               Mb(PeakResidentBytes()), Mb(peak),
               static_cast<int>(label.size()), label.data(), static_cast<int>(detail.size()), detail.data());
  std::fflush(sink.file);
}

}  // namespace kpi::storage
