// Known chunks in the store's metadata (see storage/ingest/known_chunks.h).
#include "storage/ingest/known_chunks.h"

#include "storage/codec/codec.h"
#include "storage/keys.h"

namespace kpi::ingest {

std::string KnownChunkKey(const ChunkKey& key) {
  std::string out;
  storage::PutBigEndian64(&out, key.high);
  storage::PutBigEndian64(&out, key.low);
  return out;
}

std::string EncodeChunkCounts(const ChunkCounts& counts) {
  std::string out;
  codec::PutVarint64(&out, counts.lines);
  codec::PutVarint64(&out, counts.events);
  return out;
}

bool DecodeChunkCounts(std::string_view value, ChunkCounts* counts) {
  ChunkCounts c;
  if (!codec::GetVarint64(&value, &c.lines) || !codec::GetVarint64(&value, &c.events) ||
      !value.empty() || c.events > c.lines)
    return false;
  *counts = c;
  return true;
}

storage::Store::MetaWrite RecordChunk(const FinishedChunk& chunk) {
  return {kKnownChunkNamespace, KnownChunkKey(chunk.key), EncodeChunkCounts({chunk.lines, chunk.events})};
}

Status StoreKnownChunks::Find(const ChunkKey& key, bool* found, ChunkCounts* counts) const {
  *found = false;
  std::string value;
  Status s = store_->GetMeta(kKnownChunkNamespace, KnownChunkKey(key), &value);
  if (s.code() == Status::Code::kNotFound) return Status::OK();
  KPI_RETURN_IF_ERROR(s);
  // An entry that does not read is taken as unknown: the chunk is read again.
  *found = DecodeChunkCounts(value, counts);
  return Status::OK();
}

}  // namespace kpi::ingest
