// The store of the engine tests that compare a decoded-segment cache of
// some size against none: no fsync, segments of 256 tickets.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "storage/store.h"

namespace kpi::query {

inline std::unique_ptr<storage::Store> OpenCachedStore(const std::string& dir, size_t cache_bytes) {
  storage::StoreOptions o;
  o.sync = false;
  o.cache_bytes = cache_bytes;
  o.max_tickets_per_segment = 256;
  std::unique_ptr<storage::Store> store;
  const Status s = storage::Store::Open(dir, o, &store);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return store;
}

}  // namespace kpi::query
