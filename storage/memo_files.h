// MemoFiles: values a reader derived from segment versions, kept on disk
// beside the store (DIR/memo/) so that a later process reads them instead
// of decoding the segments and deriving them again (docs/storage-format.md,
// "Derived-value files"). Storage knows nothing of what they are: opaque
// bytes under (key, segment version); the query layer names and encodes
// them (query/execution/disk_memo.h).
//
// Layout: one file per key, DIR/memo/<hash>.km, holding the values of that
// key for any number of segment versions. A version is (partition,
// segment, generation) and a hash of the segment's zone map; a lookup for
// another version of the segment misses (a seal, fold or compaction that
// rewrote it made a new generation). Every file names its key and its
// fingerprint (the store's RocksDB identity and the caller's, e.g. the
// build): a file of another store or build is never read.
//
// Crash safety: a file is written whole under a temporary name and renamed
// over the old one, so a reader sees an old or a new file, never a mix;
// the header and every value carry an XXH3 checksum, so a torn or damaged
// file or value reads as missing (and is written again by the next process
// that derives it), never as a value.
//
// Files changed under a reader: values are read with pread (each thread
// reading ahead 256 KB of the file, in which a scan's next values are) into
// the caller's buffer and checked there, never mapped, so another program
// truncating or rewriting a file in place while it is open (an operator's
// tool, a copy onto a full disk) makes a miss: a short read or a checksum
// that does not match (or the value as it was read before the change). (A
// mapped file cut under a reader killed it with SIGBUS at the first page
// past the new end; and bytes changed after their checksum was checked
// reached the decoders.)
//
// Concurrent processes: each merges its new values into the file it finds
// and renames; when two write one key at once the last rename wins and the
// other's values are derived again later. Never a wrong value, only a miss.
//
// Size: a key's file keeps one version per segment (a newer generation
// replaces the older on write); the directory is kept under `max_bytes` by
// deleting the least recently written files on Flush. `kpi compact`
// (every generation changes) deletes the directory's files (Clear). Only
// names this class writes (`<16 hex>.km` and their temporaries) are ever
// counted or deleted: DIR/memo may be a link to a directory of other files.
// A write that would leave the file system with less than 1 GiB (or a
// tenth of it) free is not made: a cache never takes RocksDB's room.
//
// Hostile directories: a name that is no regular file (a FIFO, a device, a
// link) is never opened for reading and reads as missing; temporaries are
// created exclusively (never through a planted link); a DIR/memo that is
// no directory is a cache that cannot be written (Flush fails, Clear has
// nothing to do).
//
// Thread safety: Find and Add may be called from any number of threads;
// Flush from one at a time (a mutex).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/status.h"
#include "storage/zone_map.h"

namespace kpi::storage {

struct SegmentRef;

class MemoFiles {
 public:
  // The files of the store in `store_dir` (its RocksDB IDENTITY names the
  // store), for callers whose values depend on `fingerprint` too. Null when
  // the store has no identity file. Nothing is created until Flush.
  static std::unique_ptr<MemoFiles> Open(const std::string& store_dir, const std::string& fingerprint,
                                         uint64_t max_bytes);
  ~MemoFiles();

  // A segment version: what a value is found for.
  struct Version {
    uint32_t partition = 0, segment = 0;
    uint64_t generation = 0, zone_hash = 0;
  };
  static Version VersionOf(const SegmentRef& ref);

  // The value of `key` for `version`, read into `*out` (replacing what it
  // held) and checksum verified there. False when there is none, it is
  // damaged, or the file no longer holds it (cut short under us).
  bool Find(const std::string& key, const Version& version, std::string* out);
  bool Find(const std::string& key, const SegmentRef& ref, std::string* out) {
    return Find(key, VersionOf(ref), out);
  }
  // Queues `bytes` as the value of `key` for `version`, for Flush.
  void Add(const std::string& key, const Version& version, std::string bytes);
  void Add(const std::string& key, const SegmentRef& ref, std::string bytes) { Add(key, VersionOf(ref), std::move(bytes)); }
  // Writes what was added (merged with what each key's file holds), then
  // keeps the directory under max_bytes. Errors (a read-only directory, a
  // full disk) leave the files as they were; what was added is dropped.
  Status Flush();

  // Finds that returned a value, and those that did not (any reason).
  uint64_t hits() const { return hits_.load(); }
  uint64_t misses() const { return misses_.load(); }

  // Deletes the directory's files (DIR/memo; the names this class writes).
  static Status Clear(const std::string& store_dir);
  static std::string Dir(const std::string& store_dir);
  // The version hash of a zone map (part of an entry's version).
  static uint64_t ZoneHash(const ZoneMap& zone);

  struct Entry {
    uint32_t partition = 0, segment = 0;
    uint64_t generation = 0, zone_hash = 0;
    uint64_t offset = 0, length = 0, checksum = 0;
  };

 private:
  struct Opened;  // one key's file: open, its entries read
  MemoFiles() = default;
  std::string PathOf(const std::string& key) const;
  // The key's file (opened on first use; null when missing or bad).
  std::shared_ptr<const Opened> Load(const std::string& key);

  std::string dir_, fingerprint_;
  std::atomic<uint64_t> hits_{0}, misses_{0};
  uint64_t max_bytes_ = 0;
  std::mutex mu_;
  // Replaced on Flush; a Find in flight keeps the old one (shared).
  std::map<std::string, std::shared_ptr<const Opened>, std::less<>> opened_;  // GUARDED_BY(mu_)
  struct Pending {
    Entry entry;
    std::string bytes;
  };
  std::map<std::string, std::vector<Pending>> pending_;  // by key; GUARDED_BY(mu_)
};

}  // namespace kpi::storage
