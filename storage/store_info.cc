// Store::GetInfo: what `kpi info` shows. Walks every sealed segment once to
// account bytes per column and encoding, so it costs a full decode.
#include <map>
#include <set>

#include "storage/compact.h"
#include "storage/keys.h"
#include "storage/segment_codec.h"
#include "storage/store_impl.h"

namespace kpi::storage {

namespace {

// "kind:id" of a block stat as "kind:name"; `names` maps column ids to names
// (built once: a store may hold thousands of columns and a segment a block
// for each).
std::string ColumnLabel(const std::map<uint32_t, std::string>& names, const std::string& block_column) {
  auto colon = block_column.find(':');
  if (colon == std::string::npos) return block_column;
  uint32_t id = static_cast<uint32_t>(std::stoul(block_column.substr(colon + 1)));
  auto it = names.find(id);
  return it == names.end() ? block_column : block_column.substr(0, colon + 1) + it->second;
}

}  // namespace

Status Store::GetInfo(StoreInfo* info) const {
  *info = StoreInfo();
  auto snap = GetSnapshot();
  std::set<uint32_t> partitions;
  bool any = false;
  for (const SegmentRef& ref : *snap->segments_) {
    partitions.insert(ref.partition);
    info->segments++;
    info->delta_parts += ref.deltas;
    info->delta_events += ref.delta_events;
    info->tickets += ref.zone.num_tickets;
    info->events += ref.zone.num_events;
    info->segment_bytes += ref.zone.data_bytes;
    if (ref.zone.num_events == 0) continue;
    info->min_time_ms = any ? std::min(info->min_time_ms, ref.zone.min_time_ms) : ref.zone.min_time_ms;
    info->max_time_ms = any ? std::max(info->max_time_ms, ref.zone.max_time_ms) : ref.zone.max_time_ms;
    any = true;
  }
  info->partitions = partitions.size();
  info->batches = snap->last_batch();
  info->staged_events = staged_events();

  info->disk_bytes = DirectoryBytes(dir_);

  info->dictionaries.emplace_back("event", catalog_.DictionarySize(kEventColumn));
  info->dictionaries.emplace_back("agent", catalog_.DictionarySize(kAgentColumn));
  std::map<uint32_t, std::string> column_names;
  for (const ColumnInfo& c : catalog_.Columns()) {
    column_names.emplace(c.id, c.name);
    if (c.kind == ColumnKind::kDimension) info->dictionaries.emplace_back(c.name, catalog_.DictionarySize(c.id));
  }

  // Per column: bytes and a histogram of the encodings chosen.
  std::map<std::string, std::pair<uint64_t, std::map<std::string, uint64_t>>> columns;
  rocksdb::ReadOptions ro;
  ro.snapshot = snap->db_snapshot_;
  std::unique_ptr<rocksdb::Iterator> it(snap->db_->NewIterator(ro, snap->segments_cf_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    Segment segment;
    std::vector<ColumnBlockStat> stats;
    KPI_RETURN_IF_ERROR(DecodeSegment(std::string_view(it->value().data(), it->value().size()), &segment, &stats));
    for (const ColumnBlockStat& s : stats) {
      auto& [bytes, encodings] = columns[ColumnLabel(column_names, s.column)];
      bytes += s.bytes;
      encodings[s.encoding]++;
    }
  }
  KPI_RETURN_IF_ERROR(FromRocks(it->status(), "scan segments"));
  info->segment_cache = SegmentCacheStats();
  info->memo_cache = MemoCacheStats();
  info->ticket_index = TicketIndexCacheStats();
  info->dictionary_cache = catalog_.Stats();
  for (const auto& [name, usage] : columns) {
    ColumnUsage u;
    u.column = name;
    u.bytes = usage.first;
    for (const auto& [encoding, count] : usage.second) {
      if (!u.encoding.empty()) u.encoding += ", ";
      u.encoding += encoding + " " + std::to_string(count);
    }
    info->columns.push_back(std::move(u));
  }
  return Status::OK();
}

CacheStats Store::SegmentCacheStats() const { return impl_->cache->Stats(); }

CacheStats Store::MemoCacheStats() const { return impl_->cache->MemoStats(); }

TicketIndexStats Store::TicketIndexCacheStats() const { return impl_->tickets->Stats(); }

}  // namespace kpi::storage
