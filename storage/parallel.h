// ForEachParallel: runs fn(0..n-1) on up to hardware_concurrency threads (the
// caller's one included). Items are claimed one at a time, so uneven sizes
// balance out; fn must be safe to run concurrently for different items.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace kpi::storage {

template <typename Fn>
void ForEachParallel(size_t n, const Fn& fn) {
  const size_t threads = std::min<size_t>(n, std::max(1u, std::thread::hardware_concurrency()));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) fn(i);
  };
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
  work();
  for (std::thread& h : helpers) h.join();
}

}  // namespace kpi::storage
