#include "storage/catalog.h"

#include <xxhash.h>

#include <algorithm>
#include <mutex>

#include "storage/dictionary_page.h"
#include "storage/keys.h"

namespace kpi::storage {

namespace {

uint64_t PageKey(uint32_t column, uint32_t page) { return uint64_t{column} << 32 | page; }

// Page `page` of a dictionary of `size` written codes: it holds 256 values,
// fewer only when it is the last. A last page may hold more than `size`
// leaves it (codes written since the caller looked): those are dropped.
Status DecodePage(std::string_view in, uint32_t column, uint32_t size, uint32_t page,
                  std::vector<std::string_view>* values) {
  KPI_RETURN_IF_ERROR(DecodeDictionaryPage(in, column, page, values));
  const uint32_t expected = std::min<uint32_t>(kDictionaryPageCodes, size - page * kDictionaryPageCodes);
  if (values->size() == expected) return Status::OK();
  if (expected < kDictionaryPageCodes && values->size() > expected) {
    values->resize(expected);
    return Status::OK();
  }
  return Status::Corruption("dictionary of column " + std::to_string(column) + ", page " + std::to_string(page) +
                            ": " + std::to_string(values->size()) + " values, expected " + std::to_string(expected));
}

Status NoSource(uint32_t column) {
  return Status::Corruption("dictionary of column " + std::to_string(column) +
                            " is not in memory and the catalog reads no pages");
}

uint32_t ValueHash(std::string_view v) { return static_cast<uint32_t>(XXH3_64bits(v.data(), v.size())); }

size_t PageBytes(const std::vector<std::string>& values) {
  size_t bytes = sizeof(values) + values.capacity() * sizeof(std::string);
  for (const std::string& s : values) bytes += s.size() > 15 ? s.capacity() + 1 : 0;  // beyond the inline buffer
  return bytes;
}

}  // namespace

Status DictionaryPageSource::LookupCodes(uint32_t column, std::span<const std::string_view>,
                                         const std::function<void(size_t, uint32_t)>&) const {
  return Status::InvalidArgument("no value index for column " + std::to_string(column));
}

Catalog::Catalog() {
  dictionaries_[kEventColumn];
  dictionaries_[kAgentColumn];
}

void Catalog::AttachPages(const DictionaryPageSource* source, const DictionaryPaging& paging) {
  std::unique_lock lock(mu_);
  source_ = source;
  paging_ = paging;
  pages_ = std::make_unique<PageCache>(paging.page_cache_bytes);
}

std::vector<ColumnInfo> Catalog::Columns() const {
  std::shared_lock lock(mu_);
  std::vector<ColumnInfo> out;
  out.reserve(columns_by_name_.size());
  for (const auto& [name, info] : columns_by_name_) out.push_back(info);
  std::sort(out.begin(), out.end(), [](const ColumnInfo& a, const ColumnInfo& b) { return a.id < b.id; });
  return out;
}

std::optional<ColumnInfo> Catalog::FindColumn(std::string_view name) const {
  std::shared_lock lock(mu_);
  auto it = columns_by_name_.find(std::string(name));
  if (it == columns_by_name_.end()) return std::nullopt;
  return it->second;
}

const Catalog::Dictionary* Catalog::DictionaryFor(uint32_t column) const {
  auto it = dictionaries_.find(column);
  return it == dictionaries_.end() ? nullptr : &it->second;
}

Catalog::Dictionary* Catalog::DictionaryFor(uint32_t column) {
  auto it = dictionaries_.find(column);
  return it == dictionaries_.end() ? nullptr : &it->second;
}

void Catalog::NoteError(const Status& s) const {
  std::lock_guard lock(error_mu_);
  if (error_.ok()) error_ = s;
}

Status Catalog::status() const {
  std::lock_guard lock(error_mu_);
  return error_;
}

Status Catalog::ReadValues(uint32_t column, uint32_t size,
                           const std::function<bool(uint32_t code, std::string_view value)>& visit) const {
  if (size == 0) return Status::OK();
  if (source_ == nullptr) return NoSource(column);
  Status bad;
  std::vector<std::string_view> values;
  Status read = source_->ReadPages(column, 0, (size - 1) / kDictionaryPageCodes, [&](uint32_t page, std::string_view in) {
    bad = DecodePage(in, column, size, page, &values);
    if (!bad.ok()) return false;
    for (uint32_t i = 0; i < values.size(); ++i)
      if (!visit(page * kDictionaryPageCodes + i + 1, values[i])) return false;
    return true;
  });
  return read.ok() ? bad : read;
}

Status Catalog::MakeResident(uint32_t column) const {
  std::lock_guard load(load_mu_);
  uint32_t persisted = 0;
  {
    std::shared_lock lock(mu_);
    const Dictionary* d = DictionaryFor(column);
    if (d == nullptr || d->resident) return Status::OK();
    persisted = d->tail_first - 1;
  }
  StringInterner values;
  values.Reserve(persisted);
  Status repeated;
  auto add = [&](uint32_t code, std::string_view value) {
    const uint32_t index = values.Intern(value);
    if (index == code - 1) return true;
    repeated = Status::Corruption("dictionary of column " + std::to_string(column) + ": code " +
                                  std::to_string(code) + " repeats the value of code " + std::to_string(index + 1));
    return false;
  };
  Status s = ReadValues(column, persisted, add);
  if (s.ok()) s = repeated;
  if (!s.ok()) {
    NoteError(s);
    return s;
  }
  {
    std::unique_lock lock(mu_);
    Dictionary& d = dictionaries_.find(column)->second;  // dictionaries are never removed
    // The tail moves only when codes are written, which the one writer does
    // after coding with this dictionary resident or paged for good.
    if (d.tail_first != persisted + 1)
      return Status::Aborted("dictionary of column " + std::to_string(column) + " changed while being read");
    for (uint32_t i = 0; i < d.values.size(); ++i) add(d.tail_first + i, d.values.id(i));
    if (!repeated.ok()) {
      NoteError(repeated);
      return repeated;
    }
    d.values = std::move(values);
    d.tail_first = 1;
    d.resident = true;
    d.by_value = nullptr;
  }
  if (pages_) pages_->EraseIf([column](uint64_t key) { return key >> 32 == column; });
  return Status::OK();
}

Catalog::Residence Catalog::Prepare(uint32_t column, uint32_t* persisted) const {
  uint32_t size = 0;
  {
    std::shared_lock lock(mu_);
    const Dictionary* d = DictionaryFor(column);
    if (d == nullptr) return Residence::kAbsent;
    if (d->resident) return Residence::kResident;
    size = d->size;
    *persisted = d->tail_first - 1;
  }
  if (size > paging_.resident_max_codes) return Residence::kPaged;
  return MakeResident(column).ok() ? Residence::kResident : Residence::kFailed;
}

Catalog::PageCache::Ptr Catalog::Page(uint32_t column, uint32_t persisted, uint32_t code) const {
  const uint32_t page = (code - 1) / kDictionaryPageCodes;
  const uint32_t slot = (code - 1) % kDictionaryPageCodes;
  if (source_ == nullptr) {
    NoteError(NoSource(column));
    return nullptr;
  }
  // A page cached while it was its dictionary's last may lack later codes.
  if (auto hit = pages_->Find(PageKey(column, page), [slot](const auto& v) { return v.size() > slot; })) return hit;
  auto values = std::make_shared<std::vector<std::string>>();
  Status bad;
  Status read = source_->ReadPages(column, page, page, [&](uint32_t, std::string_view in) {
    std::vector<std::string_view> views;
    bad = DecodePage(in, column, persisted, page, &views);
    values->assign(views.begin(), views.end());
    return true;
  });
  if (read.ok()) read = bad;
  if (read.ok() && values->size() <= slot)
    read = Status::Corruption("dictionary of column " + std::to_string(column) + ": code " + std::to_string(code) +
                              " is not on its page");
  if (!read.ok()) {
    NoteError(read);
    return nullptr;
  }
  pages_->Insert(PageKey(column, page), values, PageBytes(*values));
  return values;
}

std::optional<std::string> Catalog::DecodePaged(uint32_t column, uint32_t persisted, uint32_t code) const {
  if (code == 0) return std::nullopt;
  if (code > persisted) {
    std::shared_lock lock(mu_);
    const Dictionary* d = DictionaryFor(column);
    // The tail may have moved on since `persisted` was read: then the code is written.
    if (code >= d->tail_first) {
      if (code > d->size) return std::nullopt;
      return d->values.id(code - d->tail_first);
    }
    persisted = d->tail_first - 1;
  }
  PageCache::Ptr page = Page(column, persisted, code);
  if (page == nullptr) return std::nullopt;
  return (*page)[(code - 1) % kDictionaryPageCodes];
}

uint32_t Catalog::FindCode(uint32_t column, std::string_view value) const {
  uint32_t persisted = 0;
  switch (Prepare(column, &persisted)) {
    case Residence::kResident: {
      std::shared_lock lock(mu_);
      const uint32_t index = DictionaryFor(column)->values.Find(value);
      return index == StringInterner::kAbsent ? 0 : index + 1;
    }
    case Residence::kPaged:
      return FindPaged(column, persisted, value);
    default:
      return 0;
  }
}

uint32_t Catalog::FindInTail(uint32_t column, std::string_view value) const {
  std::shared_lock lock(mu_);
  const Dictionary* d = DictionaryFor(column);
  const uint32_t index = d->values.Find(value);
  return index == StringInterner::kAbsent ? 0 : d->tail_first + index;
}

uint32_t Catalog::FindPaged(uint32_t column, uint32_t persisted, std::string_view value) const {
  if (uint32_t code = FindInTail(column, value); code != 0) return code;
  if (source_ != nullptr && source_->HasValueIndex()) {
    uint32_t found = 0;
    Status s = source_->LookupCodes(column, std::span<const std::string_view>(&value, 1),
                                    [&](size_t, uint32_t code) { found = code; });
    if (!s.ok()) NoteError(s);
    return found;
  }
  std::shared_ptr<const ValueIndex> index;
  bool build = false;
  {
    std::unique_lock lock(mu_);
    Dictionary& d = dictionaries_.find(column)->second;
    index = d.by_value;
    build = index == nullptr && ++d.scans >= 2;
  }
  if (build) index = BuildValueIndex(column, persisted);
  if (index != nullptr) {
    const uint32_t hash = ValueHash(value);
    auto range = std::equal_range(index->begin(), index->end(), std::make_pair(hash, 0u),
                                  [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto it = range.first; it != range.second; ++it) {
      PageCache::Ptr page = Page(column, persisted, it->second);
      if (page != nullptr && (*page)[(it->second - 1) % kDictionaryPageCodes] == value) return it->second;
    }
    return 0;
  }
  ++scans_;
  uint32_t found = 0;
  Status s = ReadValues(column, persisted, [&](uint32_t code, std::string_view v) {
    if (v == value) found = code;
    return found == 0;
  });
  if (!s.ok()) NoteError(s);
  return found;
}

std::shared_ptr<const Catalog::ValueIndex> Catalog::BuildValueIndex(uint32_t column, uint32_t persisted) const {
  ++scans_;
  auto index = std::make_shared<ValueIndex>();
  index->reserve(persisted);
  Status s = ReadValues(column, persisted, [&](uint32_t code, std::string_view v) {
    index->emplace_back(ValueHash(v), code);
    return true;
  });
  if (!s.ok()) {
    NoteError(s);
    return nullptr;
  }
  std::sort(index->begin(), index->end());
  std::unique_lock lock(mu_);
  Dictionary& d = dictionaries_.find(column)->second;
  // Codes written since `persisted` was read (none without an on-disk value
  // index, so never in practice): the index would miss them.
  if (d.tail_first - 1 != persisted) return nullptr;
  if (d.by_value == nullptr) d.by_value = std::move(index);
  return d.by_value;
}

std::string Catalog::Decode(uint32_t column, uint32_t code) const {
  uint32_t persisted = 0;
  switch (Prepare(column, &persisted)) {
    case Residence::kResident: {
      std::shared_lock lock(mu_);
      const Dictionary* d = DictionaryFor(column);
      if (code == 0 || code > d->values.size()) return std::string();
      return d->values.id(code - 1);
    }
    case Residence::kPaged:
      return DecodePaged(column, persisted, code).value_or(std::string());
    default:
      return std::string();
  }
}

uint32_t Catalog::DictionarySize(uint32_t column) const {
  std::shared_lock lock(mu_);
  const Dictionary* d = DictionaryFor(column);
  return d == nullptr ? 0 : d->size;
}

std::vector<std::string> Catalog::DictionaryValues(uint32_t column) const {
  uint32_t persisted = 0;
  switch (Prepare(column, &persisted)) {
    case Residence::kResident: {
      std::shared_lock lock(mu_);
      return DictionaryFor(column)->values.ids();
    }
    case Residence::kPaged: {
      std::vector<std::string> out;
      out.reserve(persisted);
      Status s = ReadValues(column, persisted, [&](uint32_t, std::string_view v) {
        out.emplace_back(v);
        return true;
      });
      if (!s.ok()) {
        NoteError(s);
        return out;
      }
      // Codes past `persisted`: the tail, or (moved on since) its pages.
      const uint32_t size = DictionarySize(column);
      for (uint32_t code = persisted + 1; code <= size; ++code) {
        std::optional<std::string> v = DecodePaged(column, persisted, code);
        if (!v) break;
        out.push_back(std::move(*v));
      }
      return out;
    }
    default:
      return {};
  }
}

std::vector<std::string> Catalog::DictionaryRange(uint32_t column, uint32_t first, uint32_t count) const {
  std::vector<std::string> out;
  uint32_t persisted = 0;
  const Residence r = Prepare(column, &persisted);
  if (first == 0 || (r != Residence::kResident && r != Residence::kPaged)) return out;
  if (r == Residence::kResident) {
    std::shared_lock lock(mu_);
    const StringInterner& values = DictionaryFor(column)->values;
    for (uint64_t code = first; code < uint64_t{first} + count && code <= values.size(); ++code)
      out.push_back(values.id(static_cast<uint32_t>(code - 1)));
    return out;
  }
  const uint32_t size = DictionarySize(column);
  for (uint64_t code = first; code < uint64_t{first} + count && code <= size; ++code) {
    std::optional<std::string> v = DecodePaged(column, persisted, static_cast<uint32_t>(code));
    if (!v) break;
    out.push_back(std::move(*v));
  }
  return out;
}

DictionaryStats Catalog::Stats() const {
  DictionaryStats out;
  {
    std::shared_lock lock(mu_);
    for (const auto& [column, d] : dictionaries_) {
      if (d.resident) {
        ++out.resident;
        out.resident_codes += d.values.size();
        out.resident_bytes += d.values.MemoryBytes();
      } else if (d.size > paging_.resident_max_codes) {
        ++out.paged;
        out.tail_codes += d.values.size();
        out.tail_bytes += d.values.MemoryBytes();
        if (d.by_value != nullptr) {
          ++out.indexed;
          out.index_bytes += d.by_value->capacity() * sizeof(ValueIndex::value_type);
        }
      } else {
        ++out.not_loaded;
      }
    }
  }
  if (pages_) out.pages = pages_->Stats();
  out.scans = scans_.load();
  if (source_ != nullptr) source_->AddValueIndexStats(&out);
  return out;
}

bool Catalog::GetOrAddColumn(std::string_view name, ColumnKind kind, uint32_t* id, ColumnKind* existing_kind,
                             bool* added) {
  *added = false;
  {
    std::shared_lock lock(mu_);
    auto it = columns_by_name_.find(std::string(name));
    if (it != columns_by_name_.end()) {
      *existing_kind = it->second.kind;
      *id = it->second.id;
      return it->second.kind == kind;
    }
  }
  std::unique_lock lock(mu_);
  auto [it, inserted] = columns_by_name_.try_emplace(std::string(name));
  if (inserted) {
    it->second = ColumnInfo{next_column_id_++, std::string(name), kind};
    if (kind == ColumnKind::kDimension) dictionaries_[it->second.id];
    *added = true;
  }
  *existing_kind = it->second.kind;
  *id = it->second.id;
  return it->second.kind == kind;
}

bool Catalog::KeepsPaged(uint32_t column) const {
  if (source_ == nullptr || !source_->HasValueIndex()) return false;
  std::shared_lock lock(mu_);
  const Dictionary* d = DictionaryFor(column);
  return d != nullptr && !d->resident && d->size > std::max(paging_.resident_max_codes, paging_.ingest_resident_max_codes);
}

Status Catalog::GetOrAddCode(uint32_t column, std::string_view value, uint32_t* code, bool* added) {
  *added = false;
  uint32_t first = 0, last = 0;
  KPI_RETURN_IF_ERROR(GetOrAddCodes(column, std::span<const std::string_view>(&value, 1), code, &first, &last));
  *added = first != 0;
  return Status::OK();
}

Status Catalog::GetOrAddCodes(uint32_t column, std::span<const std::string_view> values, uint32_t* codes,
                              uint32_t* first_added, uint32_t* last_added) {
  *first_added = *last_added = 0;
  // Decided once for all of `values`: the dictionary is paged or resident
  // for the whole call (only NoteWritten, after the codes are written,
  // changes it).
  if (!KeepsPaged(column)) {
    // Without the on-disk value index, ingest looks up every value in
    // memory: the whole dictionary resident, large or not.
    KPI_RETURN_IF_ERROR(MakeResident(column));
    for (size_t i = 0; i < values.size(); ++i) {
      {
        std::shared_lock lock(mu_);
        const Dictionary* d = DictionaryFor(column);
        if (d != nullptr) {
          const uint32_t index = d->values.Find(values[i]);
          if (index != StringInterner::kAbsent) {
            codes[i] = index + 1;
            continue;
          }
        }
      }
      std::unique_lock lock(mu_);
      Dictionary& d = dictionaries_[column];
      const size_t before = d.values.size();
      codes[i] = d.values.Intern(values[i]) + 1;
      d.size = static_cast<uint32_t>(d.values.size());
      if (d.values.size() == before) continue;  // another caller added it meanwhile
      if (*first_added == 0) *first_added = codes[i];
      *last_added = codes[i];
    }
    return Status::OK();
  }
  // The tail first (codes not written yet are only there), then the disk.
  std::vector<size_t> missing;
  std::vector<std::string_view> missing_values;
  {
    std::shared_lock lock(mu_);
    const Dictionary* d = DictionaryFor(column);
    for (size_t i = 0; i < values.size(); ++i) {
      const uint32_t index = d->values.Find(values[i]);
      codes[i] = index == StringInterner::kAbsent ? 0 : d->tail_first + index;
      if (codes[i] == 0) {
        missing.push_back(i);
        missing_values.push_back(values[i]);
      }
    }
  }
  if (missing.empty()) return Status::OK();
  Status s = source_->LookupCodes(column, missing_values, [&](size_t j, uint32_t code) { codes[missing[j]] = code; });
  if (!s.ok()) {
    NoteError(s);
    return s;
  }
  std::unique_lock lock(mu_);
  Dictionary& d = dictionaries_.find(column)->second;
  for (size_t i : missing) {
    if (codes[i] != 0) continue;
    const size_t before = d.values.size();
    codes[i] = d.tail_first + d.values.Intern(values[i]);
    if (d.values.size() == before) continue;  // a repeat within `values`
    if (*first_added == 0) *first_added = codes[i];
    *last_added = codes[i];
  }
  if (*first_added != 0) {
    d.size = d.tail_first + static_cast<uint32_t>(d.values.size()) - 1;
    d.by_value = nullptr;
  }
  return Status::OK();
}

void Catalog::NoteWritten() {
  if (source_ == nullptr || !source_->HasValueIndex()) return;
  std::unique_lock lock(mu_);
  for (auto& [column, d] : dictionaries_) {
    if (d.resident && d.size <= std::max(paging_.resident_max_codes, paging_.ingest_resident_max_codes)) continue;
    // The tail keeps the codes of the last page, which later codes extend.
    const uint32_t keep_from = d.size / kDictionaryPageCodes * kDictionaryPageCodes + 1;
    if (keep_from <= d.tail_first) continue;
    StringInterner tail;
    tail.Reserve(d.size + 1 - keep_from);
    for (uint32_t code = keep_from; code <= d.size; ++code) tail.Intern(d.values.id(code - d.tail_first));
    d.values = std::move(tail);
    d.tail_first = keep_from;
    d.resident = false;
    d.by_value = nullptr;
  }
}

void Catalog::RestoreColumn(const ColumnInfo& info) {
  std::unique_lock lock(mu_);
  columns_by_name_[info.name] = info;
  if (info.kind == ColumnKind::kDimension) dictionaries_[info.id];
  if (info.id >= next_column_id_) next_column_id_ = info.id + 1;
}

void Catalog::RestoreDictionarySize(uint32_t column, uint32_t size) {
  std::unique_lock lock(mu_);
  Dictionary& d = dictionaries_[column];
  d.values.Clear();
  d.size = size;
  d.tail_first = size + 1;
  d.resident = size == 0;
}

bool Catalog::RestoreCode(uint32_t column, uint32_t code, std::string_view value) {
  std::unique_lock lock(mu_);
  Dictionary& d = dictionaries_[column];
  // Pages are restored in code order: a gap or a repeated value is corruption.
  if (!d.resident || code != d.values.size() + 1 || d.values.Find(value) != StringInterner::kAbsent) return false;
  d.values.Intern(value);
  d.size = static_cast<uint32_t>(d.values.size());
  return true;
}

}  // namespace kpi::storage
