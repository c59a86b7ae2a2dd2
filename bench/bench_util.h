// Helpers of the table-printing benches (not Google Benchmark binaries):
// warm medians, statements that must succeed, and a generated store built
// once and reused. Header-only: every *_bench.cc is its own executable.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli/gen/generator.h"
#include "query/engine.h"
#include "storage/store.h"

namespace kpi::bench {

// Runs `fn` once to warm, then `runs` times; the median in milliseconds.
inline double MedianMs(int runs, const std::function<void()>& fn) {
  fn();
  std::vector<double> t;
  for (int i = 0; i < std::max(runs, 1); ++i) {
    const auto start = std::chrono::steady_clock::now();
    fn();
    t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

// The statement's result; exits with the error when it fails.
inline query::Result Must(const query::Engine& engine, const std::string& text) {
  query::Result r;
  query::QueryError err;
  const Status s = engine.Execute(text, query::ExecOptions{}, &r, &err);
  if (!s.ok()) {
    std::fprintf(stderr, "failed: %s\n%s\n%s\n", text.c_str(), s.ToString().c_str(), err.ToString().c_str());
    std::exit(1);
  }
  return r;
}

// A store of `tickets` generated tickets (`kpi gen` defaults) in `dir`,
// built the first time (a READY file marks it complete).
inline std::unique_ptr<storage::Store> OpenGeneratedStore(const std::string& dir, uint64_t tickets) {
  const bool fresh = !std::filesystem::exists(dir + "/READY");
  if (fresh) std::filesystem::remove_all(dir);
  storage::StoreOptions options;
  options.sync = false;
  std::unique_ptr<storage::Store> store;
  if (!storage::Store::Open(dir, options, &store).ok()) std::abort();
  if (fresh) {
    std::fprintf(stderr, "building %s (%llu tickets)...\n", dir.c_str(), static_cast<unsigned long long>(tickets));
    gen::GenOptions g;
    g.tickets = tickets;
    gen::Generator gen(g);
    std::vector<RawEvent> batch;
    while (gen.Next(500000, &batch)) {
      std::vector<storage::EventReject> rejects;
      storage::IngestStats stats;
      if (!store->Ingest(batch, &rejects, &stats).ok()) std::abort();
    }
    std::FILE* f = std::fopen((dir + "/READY").c_str(), "w");
    if (f) std::fclose(f);
  }
  return store;
}

}  // namespace kpi::bench
