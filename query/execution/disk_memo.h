// Derived values on disk: what a scan keeps in a segment's memo
// (ticket_memo.h) written to the store's derived-value files
// (storage/memo_files.h) by the process that derived it, and read back by a
// later process instead of decoding the segment and deriving again. For a
// new `kpi query` process (cli/query_command.cc registers the files): its
// cache keeps nothing, so without them every statement decodes every
// segment it reads (docs/performance.md, "Cold queries").
//
// What is stored, per segment version (partition, segment, generation and
// zone map; storage/memo_files.h): every value Memoized keeps, under its
// memo key (memo_keys.h names all it depends on besides the segment
// version), encoded here; the version's ticket structure (event_begin,
// key "eb"); kept repeat_within answers (RepeatMemoKey, which names every
// segment version they read and the batch read up to); kept partial states
// (kept_states.h, under KeptStatesKey: SelectRun writes and reads them). The files'
// fingerprint names this encoding (kFormat) and the build (the binary's
// GNU build id): a value derived by other code is never read.
//
// Exactness, as for the memo: a value is read only for the very segment
// version it was derived from, and only where the scan reads that version
// itself, never its `as of` or corrected copy (FilterSegmentAsOf): those are
// derived afresh. The ticket structure is written only for versions
// without corrections, so a segment holding corrections is never read
// hollow from the files. Likewise kept states are written only from a
// version's own memo (never a filtered copy), so the scan looks them up
// before loading a version it needs unfiltered (no later batch), and a
// partition's combined states only when every member was read whole. A
// missing, stale or damaged value (checksums) is a miss: the segment is
// decoded and the value derived (and written again).
//
// Hollow segments from the files: when the statement may read hollow
// segments (hollow_scan.h) and the files hold the version's ticket
// structure, the scan gets a hollow segment built from it whose memo reads
// through the files; its first miss decodes the segment (Snapshot::Load)
// into it, as the cache's hollow segments do.
//
// KPI_MEMO_FILES=off: no files are opened (measurement, and the fallback
// tests); KPI_MEMO_FILES_BYTES=N: the directory's bound (default 512 MiB).
// Thread safety: the registry and MemoFiles are thread-safe; a
// DiskMemoScope is its thread's.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "query/execution/byte_fields.h"
#include "storage/memo_files.h"
#include "storage/store.h"

namespace kpi::query {

// Opens the derived-value files of `store` and registers them for
// statements reading its snapshots (null, and nothing registered, under
// KPI_MEMO_FILES=off or without a build id or store identity). The store
// must outlive the registration; Unregister before closing it.
std::shared_ptr<storage::MemoFiles> UseMemoFiles(const storage::Store& store);
void UnregisterMemoFiles(const storage::Store& store);
// The files registered for the store of `catalog` (null: none).
std::shared_ptr<storage::MemoFiles> MemoFilesFor(const storage::Catalog& catalog);

// While it lives, Memoized (ticket_memo.h) on this thread reads values of
// `seg` missing from its memo from `files`, and writes those it derives:
// `seg` must be the version `ref` names, as loaded (not a filtered copy).
// A null `files` or `seg` sets nothing.
struct DiskMemoScope {
  DiskMemoScope(storage::MemoFiles* files, const storage::Segment* seg, const storage::SegmentRef& ref);
  ~DiskMemoScope();
  DiskMemoScope(const DiskMemoScope&) = delete;
  DiskMemoScope& operator=(const DiskMemoScope&) = delete;

  storage::MemoFiles* const files;
  const storage::Segment* const seg;
  const storage::MemoFiles::Version version;  // of `ref`
  const DiskMemoScope* const outer;  // the thread's scope before this one
};

// `seg` read with the files (loaded by LoadWithFiles): the scope, or null.
const DiskMemoScope* PersistedScope(const storage::Segment& seg);

// The scan's load of `ref` when files are registered: a hollow segment
// built from the files when `hollow` and they hold its ticket structure,
// else Snapshot::Load (hollow as the cache allows). A decoded version
// without corrections gets its ticket structure written, and every loaded
// version a memo of its own when the cache gave it none (so that values
// derived from it are kept for the files).
Status LoadWithFiles(const storage::Snapshot& snap, storage::MemoFiles& files, const storage::SegmentRef& ref,
                     const storage::SegmentColumns& columns, bool hollow,
                     std::shared_ptr<const storage::Segment>* holder);

// Encodings of the kept values: Encode is false for a value it cannot
// store (it is then not written: a Vec viewing a literal string); Decode is
// false for bytes that do not decode whole, or hold another type, or a
// width-0 vector (byte_fields.h) longer than `max_repeated`. A value that
// decodes may still not fit the segment it is read for (bytes a hostile
// writer made to pass the checksums): Memoized's `fits` (ticket_memo.h,
// memo_fits.h) checks that before it is read.
struct RowColumn;    // segment_rows.h
struct Vec;          // vector.h
struct AtPlacement;  // kept_scan.h
struct LocalGroups;  // kept_scan.h
bool EncodeMemoValue(const std::vector<uint32_t>& value, std::string* out);
bool DecodeMemoValue(std::string_view bytes, std::vector<uint32_t>* out, uint64_t max_repeated = kDefaultMaxRepeated);
bool EncodeMemoValue(const std::vector<int64_t>& value, std::string* out);
bool DecodeMemoValue(std::string_view bytes, std::vector<int64_t>* out, uint64_t max_repeated = kDefaultMaxRepeated);
bool EncodeMemoValue(const std::vector<uint8_t>& value, std::string* out);
bool DecodeMemoValue(std::string_view bytes, std::vector<uint8_t>* out, uint64_t max_repeated = kDefaultMaxRepeated);
bool EncodeMemoValue(const RowColumn& value, std::string* out);
bool DecodeMemoValue(std::string_view bytes, RowColumn* out, uint64_t max_repeated = kDefaultMaxRepeated);
bool EncodeMemoValue(const Vec& value, std::string* out);
bool DecodeMemoValue(std::string_view bytes, Vec* out, uint64_t max_repeated = kDefaultMaxRepeated);
bool EncodeMemoValue(const AtPlacement& value, std::string* out);
bool DecodeMemoValue(std::string_view bytes, AtPlacement* out, uint64_t max_repeated = kDefaultMaxRepeated);
bool EncodeMemoValue(const LocalGroups& value, std::string* out);
bool DecodeMemoValue(std::string_view bytes, LocalGroups* out, uint64_t max_repeated = kDefaultMaxRepeated);
// The bound of a width-0 vector's count in a derived value of `seg`: no
// value has more elements than 8 per event and ticket.
inline uint64_t MemoMaxElements(const storage::Segment& seg) {
  return 8 * (uint64_t{seg.num_events()} + seg.num_tickets() + 1);
}
// Values read from the files that decoded but did not fit (counted for
// the tests: a value this build writes always fits).
void CountRefusedMemoValue();
uint64_t RefusedMemoValues();

// Kept partial states (kept_states.h): decoded into states `q` creates
// (its aggregates' families), so only for the statement whose key they
// were kept under; false as well when the groups, key parts or states
// disagree in number.
struct KeptStates;  // kept_states.h
struct BoundQuery;  // binder/bound_expr.h
bool EncodeMemoValue(const KeptStates& value, std::string* out);
bool DecodeKeptStates(std::string_view bytes, const BoundQuery& q, KeptStates* out);

// Kept states combined over the versions refs[0..n) of one partition
// (kept_rollup.h; `rollup_key` = RollupKey(states_key, refs, n), which
// names each version's partition, segment and generation). Stored under
// `states_key` + "|u" at the version `anchor` (RollupAnchor), with the
// rest of `rollup_key` and a hash of every version's zone map in the
// value: found only for exactly those versions (each checked as a single
// version's values are). Add is for states combined from whole versions
// only (none read `as of` or holding corrections).
bool FindRollup(storage::MemoFiles& files, const std::string& states_key, const std::string& rollup_key,
                const storage::SegmentRef* refs, size_t n, const storage::SegmentRef& anchor, const BoundQuery& q,
                KeptStates* out);
void AddRollup(storage::MemoFiles& files, const std::string& states_key, const std::string& rollup_key,
               const storage::SegmentRef* refs, size_t n, const storage::SegmentRef& anchor,
               const KeptStates& states);

}  // namespace kpi::query
