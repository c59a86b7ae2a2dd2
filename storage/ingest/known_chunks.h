// Known chunks: the content-defined chunks of ingest inputs that were
// committed, kept in the store's metadata so that reading them again can be
// skipped (storage/ingest/content_chunks.h says why that is sound).
//
// One entry per chunk, in the catalog family's metadata:
//   namespace "ingest_chunk", key = the chunk key's 16 bytes (high 64 bits
//   then low, big-endian), value = varint lines, varint events.
// The entry is written only once every event of the chunk is staged, in a
// later batch's write (Store::Stage's `extra`; storage/ingest/
// known_chunk_recorder.h says which and when): RecordChunk builds that write.
// Entries are never deleted (about 25 bytes on disk per ~128 KiB of input).
#pragma once

#include <string>
#include <string_view>

#include "storage/ingest/content_chunks.h"
#include "storage/store.h"

namespace kpi::ingest {

inline constexpr const char* kKnownChunkNamespace = "ingest_chunk";

std::string KnownChunkKey(const ChunkKey& key);
std::string EncodeChunkCounts(const ChunkCounts& counts);
bool DecodeChunkCounts(std::string_view value, ChunkCounts* counts);

// The metadata write that records `chunk` (parsed and clean) as known.
storage::Store::MetaWrite RecordChunk(const FinishedChunk& chunk);

// KnownChunks over a store's metadata. The store must outlive it.
class StoreKnownChunks final : public KnownChunks {
 public:
  explicit StoreKnownChunks(const storage::Store* store) : store_(store) {}
  Status Find(const ChunkKey& key, bool* found, ChunkCounts* counts) const override;

 private:
  const storage::Store* store_;
};

}  // namespace kpi::ingest
