// Key encoding: order-preserving big-endian integers, so RocksDB's bytewise
// order equals numeric order (a partition range is a key-range scan).
// FORMAT: every layout here is on disk; see docs/storage-format.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kpi::storage {

inline void PutBigEndian32(std::string* out, uint32_t v) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
               static_cast<char>(v)};
  out->append(b, 4);
}
inline void PutBigEndian64(std::string* out, uint64_t v) {
  PutBigEndian32(out, static_cast<uint32_t>(v >> 32));
  PutBigEndian32(out, static_cast<uint32_t>(v));
}
inline uint32_t GetBigEndian32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | uint32_t{u[3]};
}
inline uint64_t GetBigEndian64(const char* p) {
  return (uint64_t{GetBigEndian32(p)} << 32) | GetBigEndian32(p + 4);
}

// segments / zones families: [partition u32][segment u32]
std::string SegmentKey(uint32_t partition, uint32_t segment);
bool ParseSegmentKey(std::string_view key, uint32_t* partition, uint32_t* segment);

// staging family: [batch u32]
std::string StagingKey(uint32_t batch);

// catalog family prefixes (one byte; FORMAT: never change)
inline constexpr char kColumnPrefix = 'C';      // 'C' name -> [id u32][kind u8]
inline constexpr char kDictionaryPrefix = 'D';  // 'D' [column u32][page u32] -> the page's values
inline constexpr uint32_t kDictionaryPageCodes = 256;  // codes [page*256+1, page*256+256]
inline constexpr char kMetaPrefix = 'M';        // 'M' ns '\0' key -> value
inline constexpr char kBatchPrefix = 'B';       // 'B' [batch u32] -> [ingest ms i64][events u32]
inline constexpr char kStatePrefix = 'S';       // 'S' name -> value (format version, counters)
inline constexpr const char* kFormatKey = "Sformat";          // -> store format version (u32)
inline constexpr const char* kGenerationKey = "Sgeneration";  // -> next segment generation (u64)
inline constexpr const char* kTicketIndexKey = "Stickets";     // -> ticket index version (u32): the tickets family is complete
inline constexpr const char* kValueIndexKey = "Svalues";       // -> value index version (u32): the values family is complete

// tickets family: key = the ticket id's bytes -> [partition u32][segment u32]
// (storage/ticket_index.h)
// values family: key = [column u32][a dictionary value's bytes] -> [code u32]
// (storage/value_index.h)

std::string DictionaryPageKey(uint32_t column, uint32_t page);
std::string MetaKey(std::string_view ns, std::string_view key);
std::string BatchKey(uint32_t batch);

}  // namespace kpi::storage
