#include "storage/segment_parts.h"

#include <algorithm>
#include <numeric>
#include <string_view>
#include <unordered_map>

#include "storage/keys.h"
#include "storage/segment_codec.h"
#include "storage/segment_events.h"
#include "storage/store_impl.h"

namespace kpi::storage {

std::string DeltaKey(uint32_t partition, uint32_t segment, uint32_t delta) {
  std::string k = SegmentKey(partition, segment);
  PutBigEndian32(&k, delta);
  return k;
}

bool ParseDeltaKey(std::string_view key, uint32_t* partition, uint32_t* segment, uint32_t* delta) {
  if (key.size() != 12) return false;
  *partition = GetBigEndian32(key.data());
  *segment = GetBigEndian32(key.data() + 4);
  *delta = GetBigEndian32(key.data() + 8);
  return *delta != 0;
}

namespace {
constexpr uint64_t kHasDeltas = uint64_t{1} << 63;
}

void EncodeZoneValue(const SegmentRef& ref, std::string* out) {
  if (ref.deltas == 0) {
    PutBigEndian64(out, ref.generation);
  } else {
    PutBigEndian64(out, ref.generation | kHasDeltas);
    PutBigEndian32(out, ref.deltas);
    PutBigEndian32(out, ref.delta_events);
  }
  ref.zone.Encode(out);
}

Status DecodeZoneValue(std::string_view in, SegmentRef* ref) {
  if (in.size() < 8) return Status::Corruption("zone map value");
  const uint64_t head = GetBigEndian64(in.data());
  in.remove_prefix(8);
  ref->generation = head & ~kHasDeltas;
  ref->deltas = ref->delta_events = 0;
  if ((head & kHasDeltas) != 0) {
    if (in.size() < 8) return Status::Corruption("zone map value");
    ref->deltas = GetBigEndian32(in.data());
    ref->delta_events = GetBigEndian32(in.data() + 4);
    in.remove_prefix(8);
  }
  return ZoneMap::Decode(in, &ref->zone);
}

Status MergeSegmentParts(const std::vector<Segment>& parts, uint32_t created_code, Segment* out) {
  std::vector<CodedEvent> events;
  EventAttrs attrs;
  // A ticket's runs, one per part holding it, in part order (base first).
  struct Ticket {
    std::string_view id;
    std::vector<std::pair<uint32_t, uint32_t>> runs;  // [begin, end) in events
    int64_t placement_ms = 0;
  };
  std::vector<Ticket> tickets;
  std::unordered_map<std::string_view, uint32_t> index;
  for (const Segment& part : parts) {
    const uint32_t base = static_cast<uint32_t>(events.size());
    AppendSegmentEvents(part, &events, &attrs);
    for (uint32_t t = 0; t < part.num_tickets(); ++t) {
      auto [it, fresh] = index.try_emplace(part.ticket_ids[t], static_cast<uint32_t>(tickets.size()));
      if (fresh) tickets.push_back(Ticket{part.ticket_ids[t], {}, 0});
      tickets[it->second].runs.emplace_back(base + part.event_begin[t], base + part.event_begin[t + 1]);
    }
  }
  if (events.size() > (size_t{1} << 24)) return Status::Corruption("segment parts hold more than 2^24 events");
  for (Ticket& t : tickets) {
    PlacementScan scan(created_code);
    for (auto [b, e] : t.runs)
      for (uint32_t i = b; i < e; ++i) scan.Visit(events[i]);
    t.placement_ms = scan.placement_ms();
  }
  std::vector<uint32_t> order(tickets.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    if (tickets[a].placement_ms != tickets[b].placement_ms) return tickets[a].placement_ms < tickets[b].placement_ms;
    return tickets[a].id < tickets[b].id;
  });
  // Each run is sorted; a stable sort of their concatenation in part order
  // gives ties to the earlier part, as the sealer's merge gives them to the
  // copy sealed first.
  const EventOrderLess less{attrs};
  SegmentBuilder builder(out);
  std::vector<uint32_t> rows;
  for (uint32_t t : order) {
    builder.AddTicket(tickets[t].id);
    rows.clear();
    for (auto [b, e] : tickets[t].runs)
      for (uint32_t i = b; i < e; ++i) rows.push_back(i);
    if (tickets[t].runs.size() > 1)
      std::stable_sort(rows.begin(), rows.end(), [&](uint32_t a, uint32_t b) { return less(events[a], events[b]); });
    for (uint32_t i : rows) builder.AddEvent(events[i], attrs);
  }
  builder.Finish();
  return Status::OK();
}

Status ReadMergedSegment(rocksdb::DB* db, const rocksdb::ReadOptions& ro, rocksdb::ColumnFamilyHandle* segments,
                         uint32_t partition, uint32_t segment, uint32_t deltas, uint32_t created_code, Segment* out) {
  const std::string name = std::to_string(partition) + "/" + std::to_string(segment);
  std::vector<Segment> parts(deltas + 1);
  for (uint32_t d = 0; d <= deltas; ++d) {
    rocksdb::PinnableSlice value;
    const std::string key = d == 0 ? SegmentKey(partition, segment) : DeltaKey(partition, segment, d);
    KPI_RETURN_IF_ERROR(FromRocks(db->Get(ro, segments, key, &value),
                                  "read segment " + name + (d == 0 ? "" : " delta " + std::to_string(d))));
    KPI_RETURN_IF_ERROR(DecodeSegment(std::string_view(value.data(), value.size()), &parts[d]));
  }
  if (deltas == 0) {
    *out = std::move(parts[0]);
    return Status::OK();
  }
  return MergeSegmentParts(parts, created_code, out);
}

}  // namespace kpi::storage
