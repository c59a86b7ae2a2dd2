// SetReleaseFreedMemoryHook / ReleaseFreedMemory (storage/memory_release.h).
#include "storage/memory_release.h"

#include <atomic>

namespace kpi::storage {

namespace {

std::atomic<ReleaseFreedMemoryHook> g_hook{nullptr};

}  // namespace

void SetReleaseFreedMemoryHook(ReleaseFreedMemoryHook hook) { g_hook.store(hook, std::memory_order_release); }

void ReleaseFreedMemory() {
  if (const ReleaseFreedMemoryHook hook = g_hook.load(std::memory_order_acquire)) hook();
}

}  // namespace kpi::storage
