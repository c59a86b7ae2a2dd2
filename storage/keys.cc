#include "storage/keys.h"

namespace kpi::storage {

std::string SegmentKey(uint32_t partition, uint32_t segment) {
  std::string k;
  k.reserve(8);
  PutBigEndian32(&k, partition);
  PutBigEndian32(&k, segment);
  return k;
}

bool ParseSegmentKey(std::string_view key, uint32_t* partition, uint32_t* segment) {
  if (key.size() != 8) return false;
  *partition = GetBigEndian32(key.data());
  *segment = GetBigEndian32(key.data() + 4);
  return true;
}

std::string StagingKey(uint32_t batch) {
  std::string k;
  PutBigEndian32(&k, batch);
  return k;
}

std::string DictionaryPageKey(uint32_t column, uint32_t page) {
  std::string k(1, kDictionaryPrefix);
  PutBigEndian32(&k, column);
  PutBigEndian32(&k, page);
  return k;
}

std::string MetaKey(std::string_view ns, std::string_view key) {
  std::string k(1, kMetaPrefix);
  k.append(ns);
  k.push_back('\0');
  k.append(key);
  return k;
}

std::string BatchKey(uint32_t batch) {
  std::string k(1, kBatchPrefix);
  PutBigEndian32(&k, batch);
  return k;
}

}  // namespace kpi::storage
