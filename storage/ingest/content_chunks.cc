// Content-defined chunks (see storage/ingest/content_chunks.h).
#include "storage/ingest/content_chunks.h"

#include <xxhash.h>

#include <algorithm>
#include <vector>

#include "storage/ingest/event_reader.h"

namespace kpi::ingest {

uint64_t ChunkContextSeed(const ReaderOptions& options, bool csv, std::string_view csv_header) {
  std::vector<std::string> measures(options.csv_measures.begin(), options.csv_measures.end());
  std::sort(measures.begin(), measures.end());
  // Every field is length-prefixed so that no two contexts write the same text.
  std::string text;
  auto add = [&text](std::string_view field) {
    text += std::to_string(field.size());
    text += ':';
    text += field;
  };
  add(kChunkFormat);
  add(csv ? "csv" : "ndjson");
  add(options.assume_utc ? "utc" : "zoned");
  add(std::to_string(options.max_line_bytes));
  add(std::to_string(measures.size()));
  for (const std::string& m : measures) add(m);
  add(csv_header);
  return XXH3_64bits(text.data(), text.size());
}

ChunkKey ComputeChunkKey(std::string_view bytes, uint64_t seed) {
  const XXH128_hash_t h = XXH3_128bits_withSeed(bytes.data(), bytes.size(), seed);
  return ChunkKey{h.high64, h.low64};
}

bool ChunkEndsAfter(std::string_view record, size_t chunk_bytes) {
  if (chunk_bytes >= kMaxChunkBytes) return true;
  if (chunk_bytes < kMinChunkBytes) return false;
  // A cut with probability (length + 1) / kChunkSpreadBytes: the bytes a
  // chunk runs past the minimum are then about kChunkSpreadBytes, whatever
  // the lines' length. The hash's high bits, scaled, pick the point.
  const uint64_t h = XXH3_64bits(record.data(), record.size());
  const uint64_t scaled = static_cast<uint64_t>((static_cast<unsigned __int128>(h) * kChunkSpreadBytes) >> 64);
  return scaled <= record.size();
}

}  // namespace kpi::ingest
