// Store::Stage: the write path's first step. Validates a batch against the
// catalog, gives its strings dictionary codes (new columns, dictionary pages
// and value index entries go in the same write; the values of a paged
// dictionary are coded with one batched lookup per column, after the
// events are read), and lands the batch in the staging family in
// one WriteBatch (storage/staged_batch.h is its value; synced, unless
// Store::Durable::kOnSeal leaves the sync to the next seal), keeping the
// coded events in memory for the next seal (Store::Impl::pending) unless
// they were spilled (Store::SpillStaged).
#include <unistd.h>

#include <algorithm>
#include <mutex>

#include "storage/coded_event.h"
#include "storage/dictionary_page.h"
#include "storage/keys.h"
#include "storage/kind_conflict.h"
#include "storage/staged_batch.h"
#include "storage/store.h"
#include "storage/store_impl.h"

namespace kpi::storage {

namespace {

// Appends the catalog entries for a column or a code added while staging.
void PutColumnEntry(rocksdb::WriteBatch* wb, rocksdb::ColumnFamilyHandle* cf, const std::string& name, uint32_t id,
                    ColumnKind kind) {
  std::string v;
  PutBigEndian32(&v, id);
  v.push_back(static_cast<char>(kind));
  wb->Put(cf, std::string(1, kColumnPrefix) + name, v);
}

// Rewrites every dictionary page holding a code in [first, last] and puts
// those codes' value index entries, in key order (the memtable inserts them
// faster so: each insert starts from where the last one went).
void PutDictionaryPages(rocksdb::WriteBatch* wb, rocksdb::ColumnFamilyHandle* cf, const ValueIndex& index,
                        const Catalog& catalog, uint32_t column, uint32_t first, uint32_t last) {
  std::string v;
  std::vector<std::pair<std::string, uint32_t>> added;
  added.reserve(last - first + 1);
  for (uint32_t page = (first - 1) / kDictionaryPageCodes; page <= (last - 1) / kDictionaryPageCodes; ++page) {
    const uint32_t page_first = page * kDictionaryPageCodes + 1;
    std::vector<std::string> values = catalog.DictionaryRange(column, page_first, kDictionaryPageCodes);
    EncodeDictionaryPage(values, &v);
    wb->Put(cf, DictionaryPageKey(column, page), v);
    for (uint32_t code = std::max(first, page_first); code <= last && code - page_first < values.size(); ++code)
      added.emplace_back(std::move(values[code - page_first]), code);
  }
  std::sort(added.begin(), added.end());
  for (const auto& [value, code] : added) index.Put(wb, column, value, code);
}

// The value index's block cache while staged events are spilled and no seal
// runs (Store::SpillStaged). A store asked to cache nothing still caches nothing.
size_t SpillingValueCacheBytes(const StoreOptions& options) {
  const size_t own = options.dictionaries.value_cache_bytes;
  return own == 0 ? 0 : own + options.spilled_seal_bytes / 4;
}

}  // namespace

Status Store::Stage(std::span<const RawEvent> events, std::vector<EventReject>* rejects, IngestStats* stats,
                    std::span<const MetaWrite> extra, Durable durable) {
  KPI_RETURN_IF_ERROR(MakeWritable());
  Impl& im = *impl_;
  std::lock_guard lock(im.write_mu);
  if (im.failed) return Status::IOError("store is read-only after an earlier write failure; reopen it");
  rocksdb::WriteBatch wb;
  for (const MetaWrite& w : extra) {
    if (w.value) wb.Put(im.catalog_cf, MetaKey(w.ns, w.key), *w.value);
    else wb.Delete(im.catalog_cf, MetaKey(w.ns, w.key));
  }
  std::vector<CodedEvent> coded;
  coded.reserve(events.size());
  const uint32_t batch = im.last_batch + 1;

  // Batch-local caches keyed by views into `events` (alive for this call):
  // values repeat heavily, and the catalog's lock and string keys cost more.
  std::unordered_map<uint32_t, std::unordered_map<std::string_view, uint32_t>> code_cache;  // column -> value -> code
  std::unordered_map<std::string_view, std::pair<uint32_t, ColumnKind>> column_cache;
  std::map<uint32_t, std::pair<uint32_t, uint32_t>> new_codes;  // column -> [first, last] code added
  Status catalog_error;  // a dictionary that does not read: nothing is staged
  auto note_added = [&](uint32_t column, uint32_t first, uint32_t last) {
    auto [range, fresh] = new_codes.try_emplace(column, first, last);
    range->second.first = std::min(range->second.first, first);
    range->second.second = std::max(range->second.second, last);
  };
  auto code_of = [&](uint32_t column, std::string_view value) {
    auto& cache = code_cache[column];
    auto hit = cache.find(value);
    if (hit != cache.end()) return hit->second;
    bool added = false;
    uint32_t code = 0;
    if (Status s = catalog_.GetOrAddCode(column, value, &code, &added); !s.ok()) {
      if (catalog_error.ok()) catalog_error = s;
      return 0u;
    }
    if (added) note_added(column, code, code);
    cache.emplace(value, code);
    return code;
  };
  // Dimensions of paged dictionaries (Catalog::KeepsPaged, decided once per
  // column and batch): an event holds the value's slot among the batch's
  // distinct values of the column until all are coded at once below.
  struct PagedValues {
    std::vector<std::string_view> values;  // distinct, by slot
    std::vector<uint32_t> codes;
  };
  std::unordered_map<uint32_t, PagedValues> paged;
  std::unordered_map<uint32_t, bool> keeps_paged;
  auto dim_code_of = [&](uint32_t column, std::string_view value) {
    auto [decided, fresh] = keeps_paged.try_emplace(column, false);
    if (fresh) decided->second = catalog_.KeepsPaged(column);
    if (!decided->second) return code_of(column, value);
    auto& cache = code_cache[column];
    auto [hit, added] = cache.try_emplace(value, 0);
    if (added) {
      PagedValues& p = paged[column];
      hit->second = static_cast<uint32_t>(p.values.size());
      p.values.push_back(value);
    }
    return hit->second;
  };
  auto column_of = [&](const std::string& name, ColumnKind kind, uint32_t* id) {
    auto hit = column_cache.find(name);
    if (hit != column_cache.end()) {
      *id = hit->second.first;
      return hit->second.second == kind;
    }
    ColumnKind existing;
    bool added = false;
    bool ok = catalog_.GetOrAddColumn(name, kind, id, &existing, &added);
    if (added) PutColumnEntry(&wb, im.catalog_cf, name, *id, kind);
    column_cache.emplace(name, std::make_pair(*id, existing));
    return ok;
  };

  std::vector<std::string_view> ticket_keys;  // of the events in `coded`
  std::vector<uint32_t> ticket_refs;
  ticket_keys.reserve(events.size());
  // Dimensions and measures go straight into the pending events' arena; on
  // any failure below it is cut back to these marks.
  EventAttrs& attrs = im.pending_attrs;
  const size_t dims_mark = attrs.dims.size(), measures_mark = attrs.measures.size();
  auto undo_attrs = [&] {
    attrs.dims.resize(dims_mark);
    attrs.measures.resize(measures_mark);
  };
  for (size_t i = 0; i < events.size(); ++i) {
    const RawEvent& raw = events[i];
    if (raw.id.empty() && (raw.revision != 0 || raw.retract)) {
      if (rejects != nullptr) rejects->push_back({i, "a revision or retract needs an \"id\""});
      continue;
    }
    CodedEvent e;
    e.dims_begin = static_cast<uint32_t>(attrs.dims.size());
    e.measures_begin = static_cast<uint32_t>(attrs.measures.size());
    std::string conflict;
    for (const auto& [name, value] : raw.dims) {
      uint32_t id = 0;
      if (!column_of(name, ColumnKind::kDimension, &id)) {
        conflict = KindConflictReason(name, ColumnKind::kMeasure);
        break;
      }
      attrs.dims.emplace_back(id, dim_code_of(id, value));
    }
    for (const auto& [name, value] : raw.measures) {
      if (!conflict.empty()) break;
      uint32_t id = 0;
      if (!column_of(name, ColumnKind::kMeasure, &id)) {
        conflict = KindConflictReason(name, ColumnKind::kDimension);
        break;
      }
      attrs.measures.emplace_back(id, value);
    }
    if (!conflict.empty()) {
      attrs.dims.resize(e.dims_begin);
      attrs.measures.resize(e.measures_begin);
      if (rejects != nullptr) rejects->push_back({i, conflict});
      continue;
    }
    e.num_dims = static_cast<uint32_t>(attrs.dims.size() - e.dims_begin);
    e.num_measures = static_cast<uint32_t>(attrs.measures.size() - e.measures_begin);
    std::sort(attrs.dims.begin() + e.dims_begin, attrs.dims.end());
    std::sort(attrs.measures.begin() + e.measures_begin, attrs.measures.end());
    e.ts_ms = raw.ts_ms;
    ticket_keys.push_back(raw.ticket);  // interned below, all at once
    e.event_code = code_of(kEventColumn, raw.event);
    e.agent_code = raw.agent.empty() ? 0 : code_of(kAgentColumn, raw.agent);
    e.id_hash = raw.id.empty() ? 0 : HashSourceId(raw.id);
    e.batch = batch;
    e.revision = raw.revision;
    e.dead_since = raw.retract ? batch : 0;  // a retraction is never visible itself
    coded.push_back(std::move(e));
  }
  for (auto& [column, p] : paged) {
    if (!catalog_error.ok()) break;
    p.codes.resize(p.values.size());
    uint32_t first = 0, last = 0;
    catalog_error = catalog_.GetOrAddCodes(column, p.values, p.codes.data(), &first, &last);
    if (first != 0) note_added(column, first, last);
  }
  if (!catalog_error.ok()) {
    im.failed = true;  // the catalog may hold codes that were never written
    undo_attrs();
    return catalog_error;
  }
  if (!paged.empty()) {
    // Slots to codes. Each event's dimensions stay in order: an event has each
    // column at most once (RawEvent has no duplicate keys), so the order is
    // the columns' alone.
    for (size_t k = dims_mark; k < attrs.dims.size(); ++k) {
      auto it = paged.find(attrs.dims[k].first);
      if (it != paged.end()) attrs.dims[k].second = it->second.codes[attrs.dims[k].second];
    }
  }
  ticket_refs.resize(ticket_keys.size());
  im.pending_tickets.InternMany(ticket_keys, ticket_refs.data());
  for (size_t j = 0; j < coded.size(); ++j) coded[j].ticket = ticket_refs[j];
  for (const auto& [column, range] : new_codes)
    PutDictionaryPages(&wb, im.catalog_cf, *im.values, catalog_, column, range.first, range.second);
  if (coded.empty()) {
    // Nothing to land; still persist catalog additions and `extra`, if any.
    if (wb.Count() > 0) {
      rocksdb::Status s = im.db->Write(im.WriteOpts(options_.sync), &wb);
      if (!s.ok()) {
        im.failed = true;
        undo_attrs();
      } else {
        catalog_.NoteWritten();
        if (options_.sync) im.NoteAcknowledged();
      }
      return FromRocks(s, "write catalog");
    }
    return Status::OK();
  }
  std::string value;
  EncodeStagedBatch(coded, im.pending_tickets, attrs, &value);
  wb.Put(im.staging_cf, StagingKey(batch), value);
  // A provisional instant: the seal that takes the batch stamps it with its
  // own (storage/batch_instants.cc).
  int64_t now = std::max(options_.clock(), im.last_batch_ms);
  std::string bv;
  PutBigEndian64(&bv, static_cast<uint64_t>(now));
  PutBigEndian32(&bv, static_cast<uint32_t>(coded.size()));
  wb.Put(im.catalog_cf, BatchKey(batch), bv);
  // kOnSeal: unsynced here; the next seal's synced write syncs it.
  const bool sync = options_.sync && durable == Durable::kOnStage;
  rocksdb::Status s = im.db->Write(im.WriteOpts(sync), &wb);
  if (!s.ok()) {
    im.failed = true;
    undo_attrs();
    return FromRocks(s, "stage batch");
  }
  if (!new_codes.empty()) catalog_.NoteWritten();
  if (sync) im.NoteAcknowledged();
  else if (options_.sync) im.unsynced_stage_seq = im.db->GetLatestSequenceNumber();
  im.last_batch = batch;
  im.last_batch_ms = now;
  im.staged_events += coded.size();
  if (stats != nullptr) {
    stats->staged += coded.size();
    stats->last_batch = batch;
  }
  if (!im.pending_complete) {
    // Spilled (SpillStaged, or batches a crash left): the next seal reads
    // every staged batch back from the staging family, this one included.
    undo_attrs();
    im.pending_tickets.Clear();
    return Status::OK();
  }
  im.pending_batches.push_back(batch);
  if (im.pending.empty()) {
    im.pending = std::move(coded);
  } else {
    im.pending.insert(im.pending.end(), std::make_move_iterator(coded.begin()), std::make_move_iterator(coded.end()));
  }
  return Status::OK();
}

void Store::SpillStaged() {
  Impl& im = *impl_;
  // The staged events' share of memory is free until the seal that reads
  // them back: a quarter of what that seal may hold (spilled_seal_bytes)
  // goes to the value index's block cache meanwhile. Staging a large paged
  // dictionary (customers) looks up every value of every batch; a value
  // not cached costs a 16 KiB block read and decompression
  // (docs/performance.md, "Why staging slows down with N"). A quarter, not
  // more: staging plus the cache stays below the final seal's peak. A seal
  // reading spilled events back takes the share again (Sealer::TakeStaged)
  // until it ends: while one runs (seal_mu held), this lends nothing.
  std::unique_lock no_seal(im.seal_mu, std::try_to_lock);
  std::lock_guard lock(im.write_mu);
  if (no_seal.owns_lock() && im.value_cache != nullptr)
    im.value_cache->SetCapacity(SpillingValueCacheBytes(options_));
  im.pending = std::vector<CodedEvent>();  // their memory goes too
  im.pending_attrs = EventAttrs();
  im.pending_tickets = StringInterner();
  im.pending_batches.clear();
  im.pending_complete = false;
}

}  // namespace kpi::storage
