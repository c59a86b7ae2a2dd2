// Dictionary pages: the persisted form of a catalog dictionary.
//
// A dictionary of column C is stored as pages of kDictionaryPageCodes
// consecutive codes under key 'D' [C u32][page u32] (storage/keys.h); page p
// holds codes p*256+1 .. (docs/storage-format.md, "Column families"). Every
// page but a column's last holds exactly 256 values; a page is rewritten
// whole when a batch adds codes to it.
//
// FORMAT: varint count (1..256), then per value: varint length, the bytes.
// DecodeDictionaryPage checks every count and length (Corruption, never an
// over-read). Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/status.h"

namespace kpi::storage {

void EncodeDictionaryPage(std::span<const std::string> values, std::string* out);

// Replaces *values with views of the page's values (into `in`). `column` and
// `page` name the page in the error message.
Status DecodeDictionaryPage(std::string_view in, uint32_t column, uint32_t page, std::vector<std::string_view>* values);

// The number of values a page holds, from its first bytes only.
Status DictionaryPageCount(std::string_view in, uint32_t column, uint32_t page, uint32_t* count);

}  // namespace kpi::storage
