#include "query/catalog/definition_store.h"

#include <charconv>
#include <cstdio>
#include <set>

namespace kpi::query {

namespace {

std::string Namespace(DefinitionKind kind) { return DefinitionKindName(kind); }
std::string HistoryNamespace(DefinitionKind kind) { return std::string(DefinitionKindName(kind)) + "_history"; }
std::string DefinedTag(DefinitionKind kind) { return std::string(DefinitionKindName(kind)) + "1\n"; }
std::string DroppedTag(DefinitionKind kind) { return std::string(DefinitionKindName(kind)) + "1-dropped\n"; }

std::string OwnedTag(DefinitionKind kind) { return std::string(DefinitionKindName(kind)) + "1-owned\n"; }

std::string Encode(DefinitionKind kind, int64_t at_ms, const std::string& text, const std::string& owner = "") {
  if (owner.empty()) return DefinedTag(kind) + std::to_string(at_ms) + "\n" + text;
  return OwnedTag(kind) + std::to_string(at_ms) + "\n" + owner + "\n" + text;
}

bool Decode(DefinitionKind kind, const std::string& name, const std::string& value, StoredDefinition* out) {
  std::string tag = DefinedTag(kind);
  const bool owned = value.rfind(tag, 0) != 0;
  if (owned) {
    tag = OwnedTag(kind);
    if (value.rfind(tag, 0) != 0) return false;
  }
  const size_t nl = value.find('\n', tag.size());
  if (nl == std::string::npos) return false;
  int64_t at = 0;
  auto r = std::from_chars(value.data() + tag.size(), value.data() + nl, at);
  if (r.ec != std::errc() || r.ptr != value.data() + nl) return false;
  size_t text_at = nl + 1;
  std::string owner;
  if (owned) {
    const size_t end = value.find('\n', text_at);
    if (end == std::string::npos || end == text_at) return false;
    owner = value.substr(text_at, end - text_at);
    text_at = end + 1;
  }
  out->kind = kind;
  out->name = name;
  out->defined_at_ms = at;
  out->text = value.substr(text_at);
  out->owner = std::move(owner);
  return true;
}

}  // namespace

const char* DefinitionKindName(DefinitionKind kind) {
  switch (kind) {
    case DefinitionKind::kKpi: return "kpi";
    case DefinitionKind::kTable: return "table";
    case DefinitionKind::kCalendar: return "calendar";
    case DefinitionKind::kTarget: return "target";
    case DefinitionKind::kExemption: return "exemption";
    case DefinitionKind::kScorecard: return "scorecard";
    case DefinitionKind::kDashboard: return "dashboard";
    case DefinitionKind::kWatch: return "watch";
  }
  return "?";
}

std::string InstantKey(int64_t at_ms) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(at_ms));
  return hex;
}

bool VisibleTo(const StoredDefinition& def, const std::string* viewer) {
  return viewer == nullptr || def.owner.empty() || def.owner == *viewer;
}

void KeepVisible(DefinitionMap* defs, const std::string* viewer) {
  if (viewer == nullptr) return;
  for (auto it = defs->begin(); it != defs->end();) it = VisibleTo(it->second, viewer) ? std::next(it) : defs->erase(it);
}

Status SaveDefinition(const MetaWriter& store, DefinitionKind kind, const std::string& name, const std::string& text,
                      int64_t at_ms, std::vector<MetaWrite> extra, const std::string& owner) {
  if (owner.find('\n') != std::string::npos) return Status::InvalidArgument("a definition's owner is one line");
  const std::string value = Encode(kind, at_ms, text, owner);
  extra.push_back({Namespace(kind), name, value});
  extra.push_back({HistoryNamespace(kind), name + "\n" + InstantKey(at_ms), value});
  return store.WriteMeta(extra);
}

Status SaveDefinitions(const MetaWriter& store, DefinitionKind kind,
                       const std::vector<std::pair<std::string, std::string>>& name_and_text, int64_t at_ms) {
  std::vector<MetaWrite> writes;
  for (const auto& [name, text] : name_and_text) {
    const std::string value = Encode(kind, at_ms, text);
    writes.push_back({Namespace(kind), name, value});
    writes.push_back({HistoryNamespace(kind), name + "\n" + InstantKey(at_ms), value});
  }
  if (writes.empty()) return Status::OK();
  return store.WriteMeta(writes);
}

Status DropDefinition(const MetaWriter& store, DefinitionKind kind, const std::string& name, int64_t at_ms,
                      std::vector<MetaWrite> extra) {
  extra.push_back({Namespace(kind), name, std::nullopt});
  extra.push_back({HistoryNamespace(kind), name + "\n" + InstantKey(at_ms), DroppedTag(kind) + std::to_string(at_ms)});
  return store.WriteMeta(extra);
}

namespace {

using Entries = std::vector<std::pair<std::string, std::string>>;

void CurrentFrom(DefinitionKind kind, const Entries& entries, DefinitionMap* out, std::vector<std::string>* bad) {
  out->clear();
  for (const auto& [name, value] : entries) {
    StoredDefinition def;
    if (!Decode(kind, name, value, &def)) {
      if (bad) bad->push_back(name);
      continue;
    }
    (*out)[name] = std::move(def);
  }
}

// The definitions as of `as_of_ms` from the current entries and the history.
void AsOfFrom(DefinitionKind kind, const Entries& current_entries, const Entries& history, int64_t as_of_ms,
              DefinitionMap* out, std::vector<std::string>* bad) {
  out->clear();
  DefinitionMap current;
  CurrentFrom(kind, current_entries, &current, nullptr);
  // Keys sort by name, then instant: the last entry at or before as_of wins.
  std::map<std::string, const std::string*> latest;
  std::set<std::string> with_history;
  for (const auto& [key, value] : history) {
    const size_t nl = key.rfind('\n');
    if (nl == std::string::npos) continue;
    int64_t at = 0;
    auto r = std::from_chars(key.data() + nl + 1, key.data() + key.size(), at, 16);
    if (r.ec != std::errc() || r.ptr != key.data() + key.size()) continue;
    std::string name = key.substr(0, nl);
    if (at <= as_of_ms) latest[name] = &value;
    with_history.insert(std::move(name));
  }
  const std::string dropped = DroppedTag(kind);
  for (const auto& [name, value] : latest) {
    if (value->rfind(dropped, 0) == 0) continue;
    StoredDefinition def;
    if (!Decode(kind, name, *value, &def)) {
      if (bad) bad->push_back(name);
      continue;
    }
    (*out)[name] = std::move(def);
  }
  // Definitions older than the history count from their defined_at.
  for (const auto& [name, def] : current)
    if (!with_history.count(name) && def.defined_at_ms <= as_of_ms) (*out)[name] = def;
}

}  // namespace

Status LoadDefinitions(const MetaReader& store, DefinitionKind kind, DefinitionMap* out,
                       std::vector<std::string>* bad) {
  Entries entries;
  KPI_RETURN_IF_ERROR(store.ListMeta(Namespace(kind), &entries));
  CurrentFrom(kind, entries, out, bad);
  return Status::OK();
}

Status LoadDefinitionsAsOf(const MetaReader& store, DefinitionKind kind, int64_t as_of_ms, DefinitionMap* out,
                           std::vector<std::string>* bad) {
  std::vector<Entries> lists;
  KPI_RETURN_IF_ERROR(store.ListMetaConsistent({Namespace(kind), HistoryNamespace(kind)}, &lists));
  AsOfFrom(kind, lists[0], lists[1], as_of_ms, out, bad);
  return Status::OK();
}

Status LoadDefinitionHistory(const MetaReader& store, DefinitionKind kind, const std::string& name,
                             std::vector<DefinitionVersion>* out) {
  out->clear();
  Entries history;
  KPI_RETURN_IF_ERROR(store.ListMeta(HistoryNamespace(kind), &history));
  const std::string dropped = DroppedTag(kind);
  for (const auto& [key, value] : history) {  // sorted by name, then instant
    const size_t nl = key.rfind('\n');
    if (nl == std::string::npos || std::string_view(key).substr(0, nl) != name) continue;
    DefinitionVersion v;
    auto r = std::from_chars(key.data() + nl + 1, key.data() + key.size(), v.at_ms, 16);
    if (r.ec != std::errc() || r.ptr != key.data() + key.size()) continue;
    v.dropped = value.rfind(dropped, 0) == 0;
    if (!v.dropped && !Decode(kind, name, value, &v.definition)) continue;
    v.definition.kind = kind;
    v.definition.name = name;
    out->push_back(std::move(v));
  }
  return Status::OK();
}

Status LoadEveryKind(const MetaReader& store, std::optional<int64_t> as_of_ms,
                     std::map<DefinitionKind, DefinitionMap>* out, const std::string* viewer,
                     std::map<DefinitionKind, std::vector<std::string>>* undecodable) {
  std::vector<std::string> namespaces;
  for (DefinitionKind kind : kAllDefinitionKinds) {
    namespaces.push_back(Namespace(kind));
    namespaces.push_back(HistoryNamespace(kind));
  }
  std::vector<Entries> lists;
  KPI_RETURN_IF_ERROR(store.ListMetaConsistent(namespaces, &lists));
  out->clear();
  size_t i = 0;
  if (undecodable != nullptr) undecodable->clear();
  for (DefinitionKind kind : kAllDefinitionKinds) {
    std::vector<std::string> bad;
    if (as_of_ms) AsOfFrom(kind, lists[i], lists[i + 1], *as_of_ms, &(*out)[kind], &bad);
    else CurrentFrom(kind, lists[i], &(*out)[kind], &bad);
    KeepVisible(&(*out)[kind], viewer);
    if (undecodable != nullptr && !bad.empty()) {
      if (viewer != nullptr) std::fill(bad.begin(), bad.end(), "?");
      (*undecodable)[kind] = std::move(bad);
    }
    i += 2;
  }
  return Status::OK();
}

Status LatestDefinitionChange(const MetaReader& store, int64_t* at_ms) {
  *at_ms = 0;
  // Every kind's history in one read (one query on a cluster).
  std::vector<std::string> namespaces;
  for (DefinitionKind kind : kAllDefinitionKinds) namespaces.push_back(HistoryNamespace(kind));
  std::vector<MetaEntries> histories;
  KPI_RETURN_IF_ERROR(store.ListMetaConsistent(namespaces, &histories));
  for (const MetaEntries& history : histories) {
    for (const auto& [key, value] : history) {
      const size_t nl = key.rfind('\n');
      int64_t at = 0;
      if (nl == std::string::npos) continue;
      auto r = std::from_chars(key.data() + nl + 1, key.data() + key.size(), at, 16);
      if (r.ec == std::errc() && at > *at_ms) *at_ms = at;
    }
  }
  return Status::OK();
}

}  // namespace kpi::query
