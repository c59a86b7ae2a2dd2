// Derived columns kept with a cached segment (storage/segment_memo.h): what
// the scan derives from a segment's events and would otherwise derive again
// on every query: per ticket, the creation time, the latest value of a
// dimension, the last value and the total of a measure, and the result of a
// per-ticket function or of an expression over every ticket (eval.h); the
// rows a filter selects from every row; per event, its
// ticket, the sticky value of a dimension and the carried value of a measure.
// Together they are the per-ticket projection of the segment, built on first
// use instead of at seal time: a stored one would cost bytes on disk for
// every event (docs/storage-format.md), this one costs memory only while the
// segment is cached, and only for the columns queries read.
//
// Exactness: a value is kept in the memo of the segment version (partition,
// segment, generation) it was derived from, under a key naming everything
// else it depends on, and read back only for that version (any decoded
// copy of it, or a hollow one). `as of` views and segments holding
// corrections are per-query copies (FilterSegmentAsOf) whose memo keeps
// nothing, so they are always derived afresh.
//
// Hollow segments: a reader may be handed a segment whose columns are not
// decoded yet (storage/segment_memo.h; SelectRun asks for them when
// HollowScanOk, hollow_scan.h). Every value derived from columns is
// derived on a memo miss, in Memoized below, which decodes them first; so a
// repeat that finds all it needs in the memo decodes nothing.
// Thread safety: the memo is shared by the queries reading the segment;
// kept values are immutable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "query/execution/disk_memo.h"
#include "storage/segment.h"

namespace kpi::query {

// The key of a derived column: a tag and the numbers it depends on.
template <typename... Ints>
std::string MemoKey(char tag, Ints... parts) {
  std::string key(1, tag);
  ((key += ':', key += std::to_string(static_cast<uint64_t>(parts))), ...);
  return key;
}

// How many Memoized builds the calling thread is inside: values derived
// while building another are not kept (a later read finds the outer value;
// keeping its operands too would about double the memo for nothing).
inline int& MemoBuildDepth() {
  thread_local int depth = 0;
  return depth;
}

// Raises MemoBuildDepth for its lifetime: what the scope derives is not
// kept (it builds a value that is).
class MemoBuildScope {
 public:
  MemoBuildScope() { ++MemoBuildDepth(); }
  ~MemoBuildScope() { --MemoBuildDepth(); }
  MemoBuildScope(const MemoBuildScope&) = delete;
  MemoBuildScope& operator=(const MemoBuildScope&) = delete;
};

// KPI_SEGMENT_MEMO=off in the environment: nothing is kept or found, so a
// statement repeated in one process finds its columns decoded (the segment
// cache) but derives its per-ticket values again. A measurement switch
// (bench/cold_runs.py's "cached" column, docs/performance.md), read once.
bool MemoOff();

// The value kept under `key` in `seg`'s memo, or else, when the memo has
// room for `bytes` and this is no other value's build, `build()` kept
// there; null when neither (the caller derives for its own use), and
// always under MemoOff(). The pointer is valid while `seg` lives.
// `fits(value)` says whether a value read from the derived-value files has
// the shape the caller reads (sizes, indices in range, types): the files'
// checksums catch damage, not bytes a hostile writer made to match, so a
// value that decodes but does not fit is a miss (derived afresh), never
// read out of bounds. `measure(value)`, when given, is what the built
// value is charged (at most `bytes`, the room asked for).
template <typename T, typename Build, typename Fits, typename Measure = std::nullptr_t>
const T* Memoized(const storage::Segment& seg, const std::string& key, size_t bytes, Build&& build, Fits&& fits,
                  Measure&& measure = nullptr) {
  const DiskMemoScope* disk = nullptr;
  if (!MemoOff()) {
    if (auto found = seg.memo.Find(key)) return static_cast<const T*>(found.get());
    // Derived by an earlier process from this version (disk_memo.h)?
    if ((disk = PersistedScope(seg)) != nullptr) {
      std::string stored;
      auto value = std::make_shared<T>();
      if (disk->files->Find(key, disk->version, &stored) &&
          DecodeMemoValue(stored, value.get(), MemoMaxElements(seg))) {
        if (!fits(static_cast<const T&>(*value))) {
          CountRefusedMemoValue();
        } else if (auto kept = seg.memo.Keep(key, std::move(value), bytes)) {
          return static_cast<const T*>(kept.get());
        }
      }
    }
  }
  // A miss: `build` (or the caller, without room) reads the segment's
  // columns, which a hollow segment decodes now (storage/segment_memo.h).
  seg.memo.Materialize();
  if (MemoOff() || MemoBuildDepth() > 0 || !seg.memo.HasRoom(bytes)) return nullptr;
  auto value = std::make_shared<T>();
  {
    MemoBuildScope building;
    build(value.get());
  }
  if constexpr (!std::is_same_v<std::decay_t<Measure>, std::nullptr_t>) bytes = measure(*value);
  const T* built = value.get();
  // Null when the room went to another column meanwhile: derived in vain once.
  const T* kept = static_cast<const T*>(seg.memo.Keep(key, std::move(value), bytes).get());
  if (disk != nullptr && kept == built && seg.memo.status().ok()) {
    std::string encoded;
    if (EncodeMemoValue(*kept, &encoded)) disk->files->Add(key, disk->version, std::move(encoded));
  }
  return kept;
}

}  // namespace kpi::query
