// Zone maps of segments (declared in storage/segment_codec.h): computed
// from a decoded segment, extended by a delta part, and the live counts that
// let `count()` answer without reading segments. Kept apart from the codec:
// they read a decoded Segment, never its encoding.
#include <algorithm>
#include <iterator>
#include <vector>

#include "storage/segment_codec.h"

namespace kpi::storage {

void SetLiveCounts(const Segment& s, ZoneMap* z) {
  z->live_known = true;
  z->live_tickets = s.num_tickets();
  z->live_events = s.num_events();
  if (s.dead_rows.empty()) return;
  // The rows FilterSegmentAsOf keeps at any batch >= the segment's last:
  // every row but the dead ones. A dead-since past the segment's batches
  // (not written by the sealer) would make that depend on the batch.
  std::vector<uint8_t> dead(s.num_events(), 0);
  for (size_t k = 0; k < s.dead_rows.size(); ++k) {
    if (k >= s.dead_since.size() || s.dead_rows[k] >= dead.size() || s.dead_since[k] > z->max_batch) {
      z->live_known = false;
      return;
    }
    dead[s.dead_rows[k]] = 1;
  }
  z->live_tickets = z->live_events = 0;
  for (uint32_t t = 0; t < s.num_tickets(); ++t) {
    uint32_t visible = 0;
    for (uint32_t e = s.event_begin[t]; e < s.event_begin[t + 1]; ++e) visible += dead[e] == 0;
    z->live_events += visible;
    z->live_tickets += visible > 0;
  }
}

ZoneMap ComputeZoneMap(const Segment& s, uint64_t encoded_bytes) {
  ZoneMap z;
  z.num_tickets = s.num_tickets();
  z.num_events = s.num_events();
  z.data_bytes = encoded_bytes;
  for (uint32_t e = 0; e < s.num_events(); ++e) {
    z.min_time_ms = std::min(z.min_time_ms, s.time_ms[e]);
    z.max_time_ms = std::max(z.max_time_ms, s.time_ms[e]);
    z.min_batch = std::min(z.min_batch, s.batch[e]);
    z.max_batch = std::max(z.max_batch, s.batch[e]);
  }
  // The distinct codes, in a vector of their own size: the zone map lives
  // as long as the segment (Store::Impl::refs), and the sorted copy of the
  // column it is cut from holds 4 bytes per event (kept as capacity, that
  // was ~13 bytes per stored event in an ingest process: 310 MB of the
  // 4M-ticket load's peak, docs/performance.md "Where ingest's memory is").
  auto distinct = [](std::vector<uint32_t> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return std::vector<uint32_t>(v.begin(), v.end());
  };
  ZoneLists::Dims dims;
  for (const auto& d : s.dims) {
    std::vector<uint32_t> codes = distinct(d.codes);
    if (codes.size() <= kMaxZoneCodes) dims.emplace_back(d.column, std::move(codes));
  }
  z.lists = ZoneLists(distinct(s.event_code), distinct(s.agent_code), dims);
  SetLiveCounts(s, &z);
  return z;
}

ZoneMap ExtendZoneMap(const ZoneMap& old, const Segment& delta, uint64_t delta_bytes, uint32_t new_tickets) {
  const ZoneMap d = ComputeZoneMap(delta, delta_bytes);
  ZoneMap z;
  z.num_tickets = old.num_tickets + new_tickets;
  z.num_events = old.num_events + d.num_events;
  z.data_bytes = old.data_bytes + delta_bytes;
  z.min_time_ms = std::min(old.min_time_ms, d.min_time_ms);
  z.max_time_ms = std::max(old.max_time_ms, d.max_time_ms);
  z.min_batch = std::min(old.min_batch, d.min_batch);
  z.max_batch = std::max(old.max_batch, d.max_batch);
  auto merged = [](const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
    std::vector<uint32_t> out;
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
  };
  // Live counts: the delta's rows add to the base's. A ticket the base
  // held counts already unless all its rows there are dead; so the sum is
  // exact when every base ticket is live or the delta brings only new
  // tickets. Otherwise they stay unknown (readers read the segment).
  z.live_known = old.live_known && d.live_known &&
                 (old.live_tickets == old.num_tickets || d.num_tickets == new_tickets);
  if (z.live_known) {
    const uint32_t old_tickets_in_delta = d.num_tickets - std::min(d.num_tickets, new_tickets);
    // The delta's live tickets that are new: all its live tickets but those
    // the base held, which (every base ticket being live) counted already.
    // With dead rows in the delta a new ticket may have none visible.
    if (d.live_tickets == d.num_tickets) {
      z.live_tickets = old.live_tickets + new_tickets;
    } else if (old_tickets_in_delta == 0) {
      z.live_tickets = old.live_tickets + d.live_tickets;
    } else {
      z.live_known = false;
    }
    z.live_events = old.live_events + d.live_events;
  }
  if (!z.live_known) z.live_tickets = z.live_events = 0;
  ZoneLists::Dims dims;
  for (const auto& [column, codes] : old.lists.dims()) {
    if (delta.FindDim(column) == nullptr) {  // the delta adds no code of it
      dims.emplace_back(column, codes);
      continue;
    }
    for (const auto& [dcolumn, dcodes] : d.lists.dims()) {
      if (dcolumn != column) continue;
      std::vector<uint32_t> both = merged(codes, dcodes);
      if (both.size() <= kMaxZoneCodes) dims.emplace_back(column, std::move(both));
    }
  }
  z.lists = ZoneLists(merged(old.lists.events(), d.lists.events()), merged(old.lists.agents(), d.lists.agents()), dims);
  return z;
}

}  // namespace kpi::storage
