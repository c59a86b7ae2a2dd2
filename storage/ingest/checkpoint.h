// Ingest checkpoints: how far an input file was committed, so an
// interrupted `kpi ingest --resume` skips what is already in the store.
//
// One checkpoint per input file, in the store's metadata (namespace
// "ingest_checkpoint", key = the file's absolute path), written in the same
// atomic write as the staged batch it describes: a checkpoint is never
// ahead of the events it covers. It records the file's identity when it
// was read (size, modification time, XXH3-64 of its first MiB) and the
// position after the last committed record: byte offset in the decoded
// input (after gzip) and the line there; `complete` once the input was read
// to its end. A file whose identity changed is read again from line 1.
// Value (text): "ckpt1 size=<n> mtime_ns=<n> head=<16 hex> offset=<n> line=<n> complete=<0|1>".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace kpi::ingest {

inline constexpr const char* kCheckpointNamespace = "ingest_checkpoint";

struct InputIdentity {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint64_t head_hash = 0;  // XXH3-64 of the first MiB
  bool operator==(const InputIdentity&) const = default;
};

struct Checkpoint {
  InputIdentity identity;
  uint64_t offset = 0;  // decoded bytes before the next uncommitted record
  uint64_t line = 1;    // its line
  bool complete = false;
};

// Identity of the regular file at `path` (IOError naming it otherwise).
Status IdentifyInput(const std::string& path, InputIdentity* out);
// The metadata key of `path`: its absolute, normalised form.
std::string CheckpointKey(const std::string& path);

std::string EncodeCheckpoint(const Checkpoint& c);
bool DecodeCheckpoint(std::string_view text, Checkpoint* c);

// Why `stored` does not describe the file as it is now ("size 10 -> 12"), or "".
std::string IdentityChange(const InputIdentity& stored, const InputIdentity& now);

}  // namespace kpi::ingest
