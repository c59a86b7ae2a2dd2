// MemoryBudget (storage/memory_budget.h): the split, the default limit and
// the size syntax.
#include "storage/memory_budget.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "storage/store.h"

namespace kpi::storage {

namespace {

constexpr size_t kMiB = size_t{1} << 20;
// The process itself: code, RocksDB's threads and table readers, the ingest
// reader's queue of parsed batches.
constexpr size_t kProcessBytes = 96 * kMiB;
// What one staged event costs while it waits for its seal and while the seal
// works on it, all told: the coded event and its dimensions and measures,
// its ticket's id and its share of the encoded output (measured on `kpi
// gen` data, docs/performance.md "Memory limit").
constexpr size_t kStagedEventBytes = 130;
// What one event of a seal's partition group costs while the group is
// sealed: decoded (coded event, dimensions, measures), its ticket's share of
// the work, and the segment built from it.
constexpr size_t kGroupEventBytes = 160;
// A parsed event (strings and all) waiting in the ingest reader's queue, and
// how many batches the share allows for (cli/input_pipeline.h: one queued,
// one being parsed, one being staged; the share was sized when four waited,
// and is left as it was so that the seal's shares do not grow).
constexpr size_t kParsedEventBytes = 300;
constexpr size_t kBatchesAlive = 6;

// The shares both kinds of process take before the rest is given out.
MemoryBudget Common(size_t limit) {
  limit = std::max(limit, kMinMemoryLimit);
  MemoryBudget b;
  b.limit_bytes = limit;
  b.write_buffer_bytes = std::max(limit / 16, 16 * kMiB);
  b.ticket_cache_bytes = std::max(limit / 32, 4 * kMiB);
  b.dictionary_cache_bytes = std::max(limit / 64, 2 * kMiB);
  b.value_cache_bytes = std::max(limit / 64, 2 * kMiB);
  // A sixteenth of the limit (out of the fixed quarter) for the dictionaries
  // ingest holds whole, at ~80 bytes per value.
  b.ingest_resident_codes = static_cast<uint32_t>(std::min<size_t>(limit / 16 / 80, UINT32_MAX));
  return b;
}

// The bytes left once the fixed share (the process, plus a quarter for
// resident dictionaries, a seal's partition group and allocator slack),
// memtables (two of each: one written, one flushed), the ticket and
// dictionary caches are taken.
size_t Rest(const MemoryBudget& b) {
  const size_t taken = kProcessBytes + b.limit_bytes / 4 + 2 * b.write_buffer_bytes + b.ticket_cache_bytes +
                       b.dictionary_cache_bytes + b.value_cache_bytes;
  return b.limit_bytes > taken ? b.limit_bytes - taken : 0;
}

}  // namespace

size_t DefaultMemoryLimit() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  const size_t ram = pages > 0 && page > 0 ? static_cast<size_t>(pages) * static_cast<size_t>(page) : 0;
  return std::clamp(ram / 4, kMinMemoryLimit, size_t{1} << 30);
}

MemoryBudget IngestBudget(size_t limit_bytes) {
  MemoryBudget b = Common(limit_bytes);
  // Sealing re-reads few segments through the cache: a small one.
  b.segment_cache_bytes = std::max(b.limit_bytes / 32, 4 * kMiB);
  // An eighth for the parsed batches.
  b.batch_events = std::max<size_t>(b.limit_bytes / 8 / kBatchesAlive / kParsedEventBytes, 4096);
  const size_t taken = b.segment_cache_bytes + b.limit_bytes / 8;
  const size_t rest = Rest(b) > taken ? Rest(b) - taken : 0;
  // At worst a seal works on max_staged_events while seal_events more are
  // staged behind it (cli/ingest_command.h): three seal_events in all.
  b.seal_events = std::max<uint64_t>(rest / kStagedEventBytes / 3, 65536);
  b.max_staged_events = 2 * b.seal_events;
  b.spilled_seal_bytes = std::max<uint64_t>(rest, 16 * kMiB);
  // Half of the quarter Rest() set aside.
  b.seal_group_events = std::max<uint64_t>(b.limit_bytes / 8 / kGroupEventBytes, 65536);
  return b;
}

MemoryBudget ServeBudget(size_t limit_bytes) {
  MemoryBudget b = Common(limit_bytes);
  b.segment_cache_bytes = std::max(Rest(b), 8 * kMiB);
  return b;
}

void ApplyBudget(const MemoryBudget& budget, StoreOptions* options) {
  options->cache_bytes = budget.segment_cache_bytes;
  options->ticket_cache_bytes = budget.ticket_cache_bytes;
  options->dictionaries.page_cache_bytes = budget.dictionary_cache_bytes;
  options->dictionaries.value_cache_bytes = budget.value_cache_bytes;
  options->dictionaries.ingest_resident_max_codes = budget.ingest_resident_codes;
  options->write_buffer_bytes = budget.write_buffer_bytes;
  options->seal_group_events = budget.seal_group_events;
  options->spilled_seal_bytes = budget.spilled_seal_bytes;
}

Status ParseMemorySize(std::string_view text, size_t* bytes) {
  const std::string s(text);
  auto bad = [&] {
    return Status::InvalidArgument("memory size '" + s + "': expected a number with an optional K, M, G or T (e.g. 512M, 1.5G)");
  };
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(s, &used);
  } catch (...) {
    return bad();
  }
  std::string unit = s.substr(used);
  if (unit.ends_with("iB")) unit.resize(unit.size() - 2);
  else if (unit.size() > 1 && unit.ends_with("B")) unit.pop_back();
  double scale = 1;
  if (unit.empty() || unit == "B") scale = 1;
  else if (unit == "K" || unit == "k") scale = 1024.0;
  else if (unit == "M" || unit == "m") scale = 1024.0 * 1024;
  else if (unit == "G" || unit == "g") scale = 1024.0 * 1024 * 1024;
  else if (unit == "T" || unit == "t") scale = 1024.0 * 1024 * 1024 * 1024;
  else return bad();
  if (!(value > 0) || !std::isfinite(value) || value * scale > 1e18) return bad();
  *bytes = static_cast<size_t>(value * scale);
  return Status::OK();
}

std::string FormatMemorySize(size_t bytes) {
  char buf[32];
  if (bytes >= (size_t{1} << 30)) std::snprintf(buf, sizeof buf, "%.1f GB", static_cast<double>(bytes) / (1 << 30));
  else std::snprintf(buf, sizeof buf, "%zu MB", bytes >> 20);
  return buf;
}

}  // namespace kpi::storage
