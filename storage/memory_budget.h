// MemoryBudget: how one process's memory limit (`--memory-limit` of `kpi
// ingest` and `kpi serve`) is split between what the store holds in memory:
// the decoded-segment cache, the ticket index's block cache, the dictionary
// page cache, the dictionaries' value index's block cache, RocksDB's memtables and, for ingest, the staged events a seal
// works on (the seal thresholds) and the partition group a seal decodes at
// once (StoreOptions::seal_group_events). Every part is bounded by its share, so the
// sum stays under the limit; what cannot be bounded this way (the process's
// code and RocksDB's own structures, small dictionaries held resident) is
// the fixed share. docs/operations.md ("Memory limit") gives the split.
//
// Contract: every size is > 0 and their sum (memtables counted twice: one
// being written, one being flushed) is at most limit_bytes when limit_bytes
// >= kMinMemoryLimit. Pure functions; no state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace kpi::storage {

struct StoreOptions;

inline constexpr size_t kMinMemoryLimit = size_t{192} << 20;

struct MemoryBudget {
  size_t limit_bytes = 0;
  size_t segment_cache_bytes = 0;
  size_t ticket_cache_bytes = 0;
  size_t dictionary_cache_bytes = 0;
  size_t value_cache_bytes = 0;  // block cache of the dictionaries' value index (storage/value_index.h)
  // Dictionaries ingest holds resident (larger ones are paged): part of the
  // fixed share.
  uint32_t ingest_resident_codes = 0;
  size_t write_buffer_bytes = 0;  // every family's memtable together
  // Ingest only: staged events that start a seal, and the most a deferred
  // seal lets wait (cli/ingest_command.h).
  uint64_t seal_events = 0;
  uint64_t max_staged_events = 0;
  // Ingest only: the events a seal decodes and builds at once
  // (StoreOptions::seal_group_events).
  uint64_t seal_group_events = 0;
  // Ingest only: what a seal reading spilled staged events back from disk
  // keeps for all of them (StoreOptions::spilled_seal_bytes): the staged
  // events' share, which spilling frees.
  uint64_t spilled_seal_bytes = 0;
  // Ingest only: events per parsed batch (a few wait in the reader's queue).
  size_t batch_events = 0;
};

// A quarter of the machine's physical memory, at most 1 GiB and at least
// kMinMemoryLimit.
size_t DefaultMemoryLimit();
// The split for a bulk load (`kpi ingest`): most of it for staged events.
MemoryBudget IngestBudget(size_t limit_bytes);
// The split for a server: most of it for the segment cache (its seals are
// small, one per group commit).
MemoryBudget ServeBudget(size_t limit_bytes);
// Sets the store's cache and memtable sizes from `budget`.
void ApplyBudget(const MemoryBudget& budget, StoreOptions* options);

// "512M", "1.5G", "2GiB", "800MB", "1073741824": bytes (K, M, G, T binary
// multiples; a trailing "B" or "iB" is allowed). InvalidArgument otherwise.
Status ParseMemorySize(std::string_view text, size_t* bytes);
// "1.5 GB", "512 MB" (binary multiples), for messages and `kpi info`.
std::string FormatMemorySize(size_t bytes);

}  // namespace kpi::storage
