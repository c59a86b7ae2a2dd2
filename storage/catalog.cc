#include "storage/catalog.h"

#include <algorithm>
#include <mutex>

namespace kpi::storage {

Catalog::Catalog() {
  dictionaries_[kEventColumn];
  dictionaries_[kAgentColumn];
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

uint32_t Catalog::FindCode(uint32_t column, std::string_view value) const {
  std::shared_lock lock(mu_);
  const Dictionary* d = DictionaryFor(column);
  if (d == nullptr) return 0;
  const uint32_t index = d->values.Find(value);
  return index == StringInterner::kAbsent ? 0 : index + 1;
}

std::string Catalog::Decode(uint32_t column, uint32_t code) const {
  std::shared_lock lock(mu_);
  const Dictionary* d = DictionaryFor(column);
  if (d == nullptr || code == 0 || code > d->values.size()) return std::string();
  return d->values.id(code - 1);
}

uint32_t Catalog::DictionarySize(uint32_t column) const {
  std::shared_lock lock(mu_);
  const Dictionary* d = DictionaryFor(column);
  return d == nullptr ? 0 : static_cast<uint32_t>(d->values.size());
}

std::vector<std::string> Catalog::DictionaryValues(uint32_t column) const {
  std::shared_lock lock(mu_);
  const Dictionary* d = DictionaryFor(column);
  return d == nullptr ? std::vector<std::string>() : d->values.ids();
}

std::vector<std::string> Catalog::DictionaryRange(uint32_t column, uint32_t first, uint32_t count) const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  const Dictionary* d = DictionaryFor(column);
  if (d == nullptr || first == 0) return out;
  for (uint64_t code = first; code < uint64_t{first} + count && code <= d->values.size(); ++code)
    out.push_back(d->values.id(static_cast<uint32_t>(code - 1)));
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

uint32_t Catalog::GetOrAddCode(uint32_t column, std::string_view value, bool* added) {
  *added = false;
  {
    std::shared_lock lock(mu_);
    const Dictionary* d = DictionaryFor(column);
    if (d != nullptr) {
      const uint32_t index = d->values.Find(value);
      if (index != StringInterner::kAbsent) return index + 1;
    }
  }
  std::unique_lock lock(mu_);
  Dictionary& d = dictionaries_[column];
  const size_t before = d.values.size();
  const uint32_t index = d.values.Intern(value);
  *added = d.values.size() != before;
  return index + 1;
}

void Catalog::RestoreColumn(const ColumnInfo& info) {
  std::unique_lock lock(mu_);
  columns_by_name_[info.name] = info;
  if (info.kind == ColumnKind::kDimension) dictionaries_[info.id];
  if (info.id >= next_column_id_) next_column_id_ = info.id + 1;
}

bool Catalog::RestoreCode(uint32_t column, uint32_t code, std::string_view value) {
  std::unique_lock lock(mu_);
  Dictionary& d = dictionaries_[column];
  // Pages are restored in code order: a gap or a repeated value is corruption.
  if (code != d.values.size() + 1 || d.values.Find(value) != StringInterner::kAbsent) return false;
  d.values.Intern(value);
  return true;
}

}  // namespace kpi::storage
