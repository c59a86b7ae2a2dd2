#include "storage/dictionary_page.h"

#include "storage/codec/codec.h"
#include "storage/keys.h"

namespace kpi::storage {

namespace {

Status BadPage(uint32_t column, uint32_t page, const char* what) {
  return Status::Corruption("dictionary of column " + std::to_string(column) + ", page " + std::to_string(page) + ": " +
                            what);
}

}  // namespace

void EncodeDictionaryPage(std::span<const std::string> values, std::string* out) {
  out->clear();
  codec::PutVarint64(out, values.size());
  for (const std::string& s : values) {
    codec::PutVarint64(out, s.size());
    out->append(s);
  }
}

Status DictionaryPageCount(std::string_view in, uint32_t column, uint32_t page, uint32_t* count) {
  uint64_t n = 0;
  if (!codec::GetVarint64(&in, &n) || n == 0 || n > kDictionaryPageCodes) return BadPage(column, page, "bad count");
  *count = static_cast<uint32_t>(n);
  return Status::OK();
}

Status DecodeDictionaryPage(std::string_view in, uint32_t column, uint32_t page, std::vector<std::string_view>* values) {
  uint32_t n = 0;
  KPI_RETURN_IF_ERROR(DictionaryPageCount(in, column, page, &n));
  uint64_t skip = 0;
  codec::GetVarint64(&in, &skip);  // the count, checked above
  values->clear();
  values->reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t len = 0;
    if (!codec::GetVarint64(&in, &len) || len > in.size()) return BadPage(column, page, "truncated value");
    values->emplace_back(in.substr(0, len));
    in.remove_prefix(len);
  }
  if (!in.empty()) return BadPage(column, page, "trailing bytes");
  return Status::OK();
}

}  // namespace kpi::storage
