// GuardedBytes: a copy of some bytes placed so that they end exactly at an
// inaccessible page. A decoder that reads even one byte past the view it was
// given faults at once instead of silently reading heap memory, so the codec
// tests catch over-reads without a sanitizer build. Not thread-safe; one per
// test is fine (each costs two mmap'ed pages plus the data).
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string_view>

namespace kpi::codec::testing {

class GuardedBytes {
 public:
  explicit GuardedBytes(std::string_view bytes) {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    data_pages_ = (bytes.size() + page - 1) / page;
    if (data_pages_ == 0) data_pages_ = 1;
    size_ = (data_pages_ + 1) * page;
    void* m = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    base_ = static_cast<char*>(m);
    char* guard = base_ + data_pages_ * page;
    mprotect(guard, page, PROT_NONE);
    char* start = guard - bytes.size();
    if (!bytes.empty()) std::memcpy(start, bytes.data(), bytes.size());
    view_ = std::string_view(start, bytes.size());
  }
  ~GuardedBytes() { munmap(base_, size_); }
  GuardedBytes(const GuardedBytes&) = delete;
  GuardedBytes& operator=(const GuardedBytes&) = delete;

  std::string_view view() const { return view_; }

 private:
  char* base_ = nullptr;
  size_t size_ = 0;
  size_t data_pages_ = 0;
  std::string_view view_;
};

}  // namespace kpi::codec::testing
