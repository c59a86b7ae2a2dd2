// The largest single allocation (operator new) a thread asks for while an
// AllocWatch lives: the hostile-input tests' check that bytes no writer
// made cannot make a decoder allocate beyond a bound. One source file of a
// test binary defines KPI_ALLOC_WATCH_DEFINE before including this, which
// replaces the global operator new / delete (plain malloc and free, the
// size noted when watched). Under ASan (KPI_SANITIZE) nothing is replaced
// (ASan's allocator stays: run with ASAN_OPTIONS=max_allocation_size_mb=N
// for the bound) and Largest() is 0.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define KPI_ALLOC_WATCH_ACTIVE 0
#else
#define KPI_ALLOC_WATCH_ACTIVE 1
#endif

namespace kpi::testing {

inline thread_local bool alloc_watching = false;
inline thread_local size_t alloc_largest = 0;

class AllocWatch {
 public:
  AllocWatch() {
    alloc_largest = 0;
    alloc_watching = true;
  }
  ~AllocWatch() { alloc_watching = false; }
  AllocWatch(const AllocWatch&) = delete;
  AllocWatch& operator=(const AllocWatch&) = delete;
  size_t Largest() const { return alloc_largest; }
};

}  // namespace kpi::testing

#if defined(KPI_ALLOC_WATCH_DEFINE) && KPI_ALLOC_WATCH_ACTIVE
namespace kpi::testing::alloc_watch_internal {
inline void* Allocate(size_t n) {
  if (alloc_watching && n > alloc_largest) alloc_largest = n;
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
}  // namespace kpi::testing::alloc_watch_internal
void* operator new(size_t n) { return kpi::testing::alloc_watch_internal::Allocate(n); }
void* operator new[](size_t n) { return kpi::testing::alloc_watch_internal::Allocate(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
#endif
