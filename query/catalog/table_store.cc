// Lookup tables in the store (see query/catalog/table_store.h).
#include "query/catalog/table_store.h"

#include <list>
#include <mutex>

#include "query/parser/x3/keywords.h"

namespace kpi::query {

namespace {

constexpr size_t kMaxTableNameBytes = 128;

std::string DataKey(const std::string& name, int64_t at_ms) { return name + "\n" + InstantKey(at_ms); }

// Decoded tables by (store, name, instant): the last few used, bounded in
// entries and in bytes. A table in use stays alive through its shared_ptr
// even when evicted.
class TableCache {
 public:
  static TableCache& Instance() {
    static TableCache* cache = new TableCache();  // never destroyed: used until exit
    return *cache;
  }

  std::shared_ptr<const LookupTable> Find(const MetaReader& store, const StoredDefinition& def) {
    const std::string identity = store.Identity();
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (Matches(*it, identity, def)) {
        entries_.splice(entries_.begin(), entries_, it);  // most recent first
        return it->table;
      }
    }
    return nullptr;
  }

  void Add(const MetaReader& store, const StoredDefinition& def, std::shared_ptr<const LookupTable> table) {
    const size_t bytes = table->MemoryBytes();
    const std::string identity = store.Identity();
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (Matches(*it, identity, def)) return;  // another thread decoded it first
    }
    entries_.push_front(Entry{identity, def.name, def.defined_at_ms, def.text, std::move(table), bytes});
    bytes_ += bytes;
    while (entries_.size() > 1 && (entries_.size() > kMaxEntries || bytes_ > kMaxBytes)) {
      bytes_ -= entries_.back().bytes;
      entries_.pop_back();
    }
  }

  // Forgets every entry of table `name` of `store`. A load at the instant of
  // the current definition (same clock millisecond) overwrites its data.
  void Forget(const MetaReader& store, const std::string& name) {
    const std::string identity = store.Identity();
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->store == identity && it->name == name) {
        bytes_ -= it->bytes;
        it = entries_.erase(it);
      } else {
        ++it;
      }
    }
  }

 private:
  static constexpr size_t kMaxEntries = 32;
  static constexpr size_t kMaxBytes = size_t{512} << 20;

  struct Entry {
    std::string store;  // MetaReader::Identity()
    std::string name;
    int64_t defined_at_ms;
    std::string text;
    std::shared_ptr<const LookupTable> table;
    size_t bytes;
  };

  static bool Matches(const Entry& e, const std::string& store, const StoredDefinition& def) {
    return e.defined_at_ms == def.defined_at_ms && e.name == def.name && e.text == def.text && e.store == store;
  }

  std::mutex mu_;
  std::list<Entry> entries_;  // GUARDED_BY(mu_), most recently used first
  size_t bytes_ = 0;          // GUARDED_BY(mu_)
};

// The definition and the data of `table` in one atomic write; *stored_bytes
// gets the size of the encoded table.
Status Save(const MetaWriter& store, const std::string& name, const LookupTable& table, const std::string& descriptor,
            int64_t at_ms, size_t* stored_bytes) {
  KPI_RETURN_IF_ERROR(CheckTableName(name));
  std::string bytes = EncodeLookupTable(table);
  *stored_bytes = bytes.size();
  Status s = SaveDefinition(store, DefinitionKind::kTable, name, descriptor, at_ms,
                            {{kTableDataNamespace, DataKey(name, at_ms), std::move(bytes)}});
  TableCache::Instance().Forget(store, name);
  return s;
}

}  // namespace

Status CheckTableName(const std::string& name) {
  const bool long_name = name.size() > kMaxTableNameBytes;
  const std::string quoted = "'" + name.substr(0, kMaxTableNameBytes) + (long_name ? "...'" : "'");
  if (long_name || !IsPlainName(name)) {
    return Status::InvalidArgument("bad table name " + quoted +
                                   ": a table name is a letter or '_' followed by letters, digits or '_' (at most " +
                                   std::to_string(kMaxTableNameBytes) + " bytes)");
  }
  if (x3p::IsReservedWord(name.data(), name.size())) {
    return Status::InvalidArgument("bad table name " + quoted + ": it is a reserved word of the query language");
  }
  return Status::OK();
}

Status SaveTable(const MetaWriter& store, const std::string& name, const LookupTable& table, int64_t at_ms) {
  size_t stored_bytes = 0;
  return Save(store, name, table, DescribeLookupTable(table), at_ms, &stored_bytes);
}

Status DropTable(const MetaWriter& store, const std::string& name, int64_t at_ms) {
  DefinitionMap tables;
  KPI_RETURN_IF_ERROR(LoadDefinitions(store, DefinitionKind::kTable, &tables));
  if (tables.count(name) == 0) return Status::NotFound("no table named " + name);
  return DropDefinition(store, DefinitionKind::kTable, name, at_ms);
}

Status LoadTable(const MetaReader& store, const StoredDefinition& def, std::shared_ptr<const LookupTable>* out) {
  if (auto cached = TableCache::Instance().Find(store, def)) {
    *out = std::move(cached);
    return Status::OK();
  }
  std::string bytes;
  Status s = store.GetMeta(kTableDataNamespace, DataKey(def.name, def.defined_at_ms), &bytes);
  if (s.code() == Status::Code::kNotFound) {
    return Status::Corruption("table " + def.name + ": the data of its load at " +
                              std::to_string(def.defined_at_ms) + " ms is missing");
  }
  KPI_RETURN_IF_ERROR(s);
  auto table = std::make_shared<LookupTable>();
  s = DecodeLookupTable(bytes, table.get());
  if (!s.ok()) return Status::Corruption("table " + def.name + ": " + s.message());
  TableCache::Instance().Add(store, def, table);
  *out = std::move(table);
  return Status::OK();
}

Status LoadTableNamed(const MetaReader& store, const std::string& name, int64_t as_of_ms,
                      std::shared_ptr<const LookupTable>* out) {
  DefinitionMap tables;
  if (as_of_ms < 0) {
    KPI_RETURN_IF_ERROR(LoadDefinitions(store, DefinitionKind::kTable, &tables));
  } else {
    KPI_RETURN_IF_ERROR(LoadDefinitionsAsOf(store, DefinitionKind::kTable, as_of_ms, &tables));
  }
  auto it = tables.find(name);
  if (it == tables.end()) return Status::NotFound("no table named " + name);
  return LoadTable(store, it->second, out);
}

Status LoadTableCsvIntoStore(const MetaWriter& store, const std::string& name, const std::string& key_column,
                             std::string_view csv_text, const std::string& source, int64_t at_ms,
                             TableLoadReport* report) {
  KPI_RETURN_IF_ERROR(CheckTableName(name));
  auto table = std::make_shared<LookupTable>();
  KPI_RETURN_IF_ERROR(BuildLookupTable(csv_text, source, key_column, table.get()));
  StoredDefinition def{DefinitionKind::kTable, name, DescribeLookupTable(*table), at_ms, ""};
  size_t stored_bytes = 0;
  KPI_RETURN_IF_ERROR(Save(store, name, *table, def.text, at_ms, &stored_bytes));
  if (report != nullptr) {
    *report = TableLoadReport();
    report->name = name;
    report->descriptor = def.text;
    report->rows = table->rows;
    for (const auto& c : table->columns) report->columns.emplace_back(c.name, c.type);
    report->key_column = key_column;
    report->stored_bytes = stored_bytes;
    report->defined_at_ms = at_ms;
  }
  TableCache::Instance().Add(store, def, std::move(table));  // the next query need not decode it
  return Status::OK();
}

}  // namespace kpi::query
