// Catalog: the store's schema and string dictionaries.
//
// Columns: two built-in dictionary columns (event names, agents) and every
// dimension or measure name ever ingested. The kind of a name is fixed by its
// first use; a later line using it with the other kind is rejected by ingest.
// Dictionaries map each distinct string of a column to a dense code >= 1, in
// order of first appearance; codes never change once assigned. Persisted in
// the catalog column family as pages of 256 codes (storage/dictionary_page.h).
//
// Dictionaries are loaded on demand (docs/storage-format.md, "Dictionaries
// in memory"). A store opens knowing each dictionary's size only. A small
// dictionary (at most DictionaryPaging::resident_max_codes) is read whole on
// its first use and stays resident. A large one is PAGED: it holds in memory
// only its TAIL, the codes from the start of its last page on (at most 255
// written, plus those a staged batch added and has not written yet);
// code -> value reads other codes' pages through a bounded LRU cache.
// value -> code checks the tail, then the store's on-disk value index
// (storage/value_index.h) when the page source has one. Ingest holds a
// dictionary resident up to DictionaryPaging::ingest_resident_max_codes
// (a lookup in memory costs a tenth of one on disk; the memory limit sizes
// it) and pages it beyond: it codes a batch's values of a paged dictionary
// with one batched lookup (GetOrAddCodes), so a dictionary of any size
// costs ingest its tail and the bounded caches only; a resident dictionary
// that grows past that size becomes paged once its codes are written
// (NoteWritten). Without that index (a read-only instance, or a store
// whose index is not built yet) a value lookup reads the column's pages
// one after the other, keeping none, and from the second such lookup on
// uses a value index built by that read: (32-bit hash of the value, code)
// pairs, 8 bytes per value, each match confirmed on its page; and ingest
// makes the dictionary resident. A catalog without a page source (tests,
// new stores) holds everything resident.
//
// Errors: a page that does not read (I/O, corruption) cannot be reported by
// the lookups that return plain values; they answer as for an unknown value
// and the first such error sticks in status(), which the query engine checks
// after each statement. GetOrAddCode(s) return it.
//
// Thread safety: all const methods may be called concurrently with each other
// and with the Store adding entries. Codes and ids returned stay valid forever.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/lru_cache.h"
#include "storage/status.h"
#include "storage/string_interner.h"

namespace kpi::storage {

// FORMAT: stored values; never renumber.
enum class ColumnKind : uint8_t {
  kDimension = 1,  // string values, dictionary coded
  kMeasure = 2,    // numeric values
};

inline constexpr uint32_t kEventColumn = 1;   // dictionary of event names
inline constexpr uint32_t kAgentColumn = 2;   // dictionary of agents
inline constexpr uint32_t kFirstUserColumn = 16;

struct ColumnInfo {
  uint32_t id = 0;
  std::string name;
  ColumnKind kind = ColumnKind::kDimension;
};

// What the dictionaries hold in memory, for `kpi info` and /metrics.
struct DictionaryStats {
  uint32_t resident = 0, paged = 0, not_loaded = 0;  // dictionaries by state
  uint64_t resident_codes = 0, resident_bytes = 0;
  uint64_t tail_codes = 0, tail_bytes = 0;  // the tails of paged dictionaries
  CacheStats pages;     // the page cache of paged dictionaries
  uint64_t scans = 0;   // value -> code lookups that read a paged dictionary's pages
  uint32_t indexed = 0;       // paged dictionaries with an in-memory value index
  uint64_t index_bytes = 0;
  // The on-disk value index (storage/value_index.h), when this process has
  // one open: its block cache (hits: blocks found cached, misses: blocks
  // read), values looked up and of those found.
  bool value_index = false;
  CacheStats value_blocks;
  uint64_t value_lookups = 0, value_found = 0;
};

// Where the catalog reads dictionary pages it does not hold (the Store, over
// RocksDB). Calls visit(page, encoded page) for pages [first, last] of
// `column` in order, until visit returns false; a page missing in that range
// is Corruption.
class DictionaryPageSource {
 public:
  virtual ~DictionaryPageSource() = default;
  virtual Status ReadPages(uint32_t column, uint32_t first, uint32_t last,
                           const std::function<bool(uint32_t page, std::string_view encoded)>& visit) const = 0;
  // The on-disk value -> code index is complete and readable
  // (storage/value_index.h): LookupCodes may be called.
  virtual bool HasValueIndex() const { return false; }
  // Calls found(i, code) for each values[i] of `column` that has a code.
  virtual Status LookupCodes(uint32_t column, std::span<const std::string_view> values,
                             const std::function<void(size_t index, uint32_t code)>& found) const;
  // Adds the value index's counters to *stats.
  virtual void AddValueIndexStats(DictionaryStats* stats) const { (void)stats; }
};

struct DictionaryPaging {
  uint32_t resident_max_codes = 16384;  // larger dictionaries are paged
  // Ingest (with the on-disk value index) holds dictionaries of up to this
  // many codes resident and pages larger ones (~72 bytes per short value).
  uint32_t ingest_resident_max_codes = 1u << 20;
  size_t page_cache_bytes = size_t{4} << 20;
  size_t value_cache_bytes = size_t{8} << 20;  // block cache of the on-disk value index (storage/value_index.h)
};

class Catalog {
 public:
  Catalog();

  // Reads dictionaries from `source` from now on (Store::Open, before any
  // RestoreDictionarySize). `source` must outlive the catalog.
  void AttachPages(const DictionaryPageSource* source, const DictionaryPaging& paging);

  // User columns (dimensions and measures), by id.
  std::vector<ColumnInfo> Columns() const;
  std::optional<ColumnInfo> FindColumn(std::string_view name) const;

  // Code of `value` in the dictionary of `column`, or 0 if never seen.
  uint32_t FindCode(uint32_t column, std::string_view value) const;
  // The string of `code` in `column`'s dictionary; "" for 0 or unknown codes.
  std::string Decode(uint32_t column, uint32_t code) const;
  // Number of codes assigned in `column` (the largest code).
  uint32_t DictionarySize(uint32_t column) const;
  // All values of `column`, index i holding code i + 1.
  std::vector<std::string> DictionaryValues(uint32_t column) const;
  // Values of codes [first, first + count) that exist (fewer at the end).
  std::vector<std::string> DictionaryRange(uint32_t column, uint32_t first, uint32_t count) const;

  // The first error a dictionary read hit (OK if none).
  Status status() const;
  DictionaryStats Stats() const;

  // --- mutation (used by the Store while ingesting; callers hold no lock) ---
  // Returns the column id of `name`, adding it as `kind` if new. Fails (returns
  // false, sets *existing_kind) if the name exists with the other kind.
  bool GetOrAddColumn(std::string_view name, ColumnKind kind, uint32_t* id, ColumnKind* existing_kind,
                      bool* added);
  // The code of `value`, assigning the next one if new (*added = true). Fails
  // when the column's persisted dictionary does not read.
  Status GetOrAddCode(uint32_t column, std::string_view value, uint32_t* code, bool* added);
  // codes[i] = GetOrAddCode(column, values[i]) for every i, with one batched
  // lookup of the on-disk value index for a paged dictionary; the codes
  // added are [*first_added, *last_added] (0, 0 when none).
  Status GetOrAddCodes(uint32_t column, std::span<const std::string_view> values, uint32_t* codes,
                       uint32_t* first_added, uint32_t* last_added);
  // `column`'s dictionary is paged and stays so while ingest codes its
  // values (worth GetOrAddCodes over one GetOrAddCode per value).
  bool KeepsPaged(uint32_t column) const;
  // Every code assigned so far is written (pages and value index): paged
  // tails shrink to their last page, and resident dictionaries larger than
  // ingest_resident_max_codes become paged when the value index is available.
  void NoteWritten();
  // Restores persisted state (Store::Open); no checks beyond consistency.
  void RestoreColumn(const ColumnInfo& info);
  // `size` codes of `column` are persisted; they are read when first needed.
  void RestoreDictionarySize(uint32_t column, uint32_t size);
  bool RestoreCode(uint32_t column, uint32_t code, std::string_view value);  // false: not the next code, or a repeat

 private:
  // A paged dictionary's value index: (hash of value, code), by hash.
  using ValueIndex = std::vector<std::pair<uint32_t, uint32_t>>;
  struct Dictionary {
    uint32_t size = 0;      // codes assigned
    bool resident = true;   // `values` holds every code (tail_first == 1)
    // Codes [tail_first, size]: values.id(code - tail_first). Paged: codes
    // below tail_first are read from their (written, full) pages.
    StringInterner values;
    uint32_t tail_first = 1;
    uint32_t scans = 0;     // paged: value lookups that read the pages
    std::shared_ptr<const ValueIndex> by_value;  // paged: built by the second such lookup
  };
  using PageCache = LruCache<uint64_t, std::vector<std::string>>;

  Dictionary* DictionaryFor(uint32_t column);  // requires mu_ held exclusively
  const Dictionary* DictionaryFor(uint32_t column) const;
  enum class Residence { kAbsent, kResident, kPaged, kFailed };
  // The state of `column`'s dictionary, after making a small one resident;
  // kFailed when that read failed. *persisted: paged, the codes below its
  // tail (all written to pages).
  Residence Prepare(uint32_t column, uint32_t* persisted) const;
  // Reads the whole persisted dictionary into memory; OK when it already is.
  Status MakeResident(uint32_t column) const;
  // Calls visit(code, value) for codes 1..size of `column` in order (all
  // written to pages), until it returns false.
  Status ReadValues(uint32_t column, uint32_t size,
                    const std::function<bool(uint32_t code, std::string_view value)>& visit) const;
  // The page holding `code` (< the tail's first) of a paged dictionary,
  // through the page cache; `persisted` codes are written.
  PageCache::Ptr Page(uint32_t column, uint32_t persisted, uint32_t code) const;
  // A paged dictionary's value of `code` (tail or page); nullopt if absent.
  std::optional<std::string> DecodePaged(uint32_t column, uint32_t persisted, uint32_t code) const;
  // The code of `value` in the tail of a paged dictionary, or 0.
  uint32_t FindInTail(uint32_t column, std::string_view value) const;
  // Value -> code in a paged dictionary: its tail, then the on-disk value
  // index, else its in-memory value index, else reading its pages
  // (building that index on the second read).
  uint32_t FindPaged(uint32_t column, uint32_t persisted, std::string_view value) const;
  std::shared_ptr<const ValueIndex> BuildValueIndex(uint32_t column, uint32_t persisted) const;
  bool IsSmall(uint32_t size) const { return size <= paging_.resident_max_codes; }
  void NoteError(const Status& s) const;

  const DictionaryPageSource* source_ = nullptr;
  DictionaryPaging paging_;
  std::unique_ptr<PageCache> pages_;
  mutable std::mutex load_mu_;  // one MakeResident at a time (reads happen outside mu_)
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, ColumnInfo> columns_by_name_;  // GUARDED_BY(mu_)
  // Mutable: const lookups make small dictionaries resident on first use.
  mutable std::unordered_map<uint32_t, Dictionary> dictionaries_;  // GUARDED_BY(mu_)
  uint32_t next_column_id_ = kFirstUserColumn;                   // GUARDED_BY(mu_)
  mutable std::mutex error_mu_;
  mutable Status error_;             // GUARDED_BY(error_mu_)
  mutable std::atomic<uint64_t> scans_{0};
};

}  // namespace kpi::storage
