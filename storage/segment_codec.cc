#include "storage/segment_codec.h"

#include <algorithm>
#include <iterator>
#include <unordered_map>

#include "storage/catalog.h"
#include "storage/codec/codec.h"

namespace kpi::storage {

namespace {

// Version 2 = version 1 + a corrections section at the end. Version 3 (the
// one written) = a flags varint after the version byte (kFlagCorrections: the
// corrections section follows), event codes before the times, the time
// deltas in one block per event code, and a sparse column's presence given as
// a reference to an earlier sparse column with the same rows (dimensions
// carried together on `created`, measures on `agent_reply`); its event,
// time, agent, batch and dimension code blocks may be zstd-compressed int
// blocks (codec::EncodeIntsCompressed). Versions 1 and 2 are still read
// (stores written before).
constexpr uint8_t kSegmentFormatVersion = 1;
constexpr uint8_t kSegmentWithCorrections = 2;
constexpr uint8_t kSegmentGrouped = 3;
constexpr uint64_t kFlagCorrections = 1;
bool KnownVersion(std::string_view in) {
  if (in.empty()) return false;
  const uint8_t v = static_cast<uint8_t>(in[0]);
  return v == kSegmentFormatVersion || v == kSegmentWithCorrections || v == kSegmentGrouped;
}

// Times are stored as deltas: each event after the first of its ticket as the
// gap from the previous event (>= 0, events are time-sorted), the first event
// of a ticket as the gap from the previous ticket's first event (tickets are
// sorted by placement, so usually small). Small gaps pack into few bits.
std::vector<int64_t> TimeDeltas(const Segment& s, int64_t base) {
  std::vector<int64_t> d(s.time_ms.size());
  int64_t prev_first = base;
  for (uint32_t t = 0; t < s.num_tickets(); ++t) {
    for (uint32_t e = s.event_begin[t]; e < s.event_begin[t + 1]; ++e) {
      if (e == s.event_begin[t]) {
        d[e] = s.time_ms[e] - prev_first;
        prev_first = s.time_ms[e];
      } else {
        d[e] = s.time_ms[e] - s.time_ms[e - 1];
      }
    }
  }
  return d;
}

// The time groups of a segment: its distinct event codes, ascending, and
// for each code its group's position. Event codes are dictionary codes
// (small: one per event name), so the position is a table lookup; a segment
// with codes past kDenseCodes (never seen on real data) sorts instead.
class TimeGroups {
 public:
  explicit TimeGroups(const std::vector<uint32_t>& event_code) {
    uint32_t max = 0;
    for (uint32_t c : event_code) max = std::max(max, c);
    if (max < kDenseCodes) {
      dense_.assign(size_t{max} + 1, 0);
      for (uint32_t c : event_code) dense_[c] = 1;
      for (uint32_t c = 0; c <= max; ++c) {
        if (dense_[c] == 0) continue;
        dense_[c] = static_cast<uint32_t>(codes_.size());
        codes_.push_back(c);
      }
    } else {
      codes_ = event_code;
      std::sort(codes_.begin(), codes_.end());
      codes_.erase(std::unique(codes_.begin(), codes_.end()), codes_.end());
    }
  }
  size_t size() const { return codes_.size(); }
  // Position of `code`, which must be one of the segment's.
  size_t Of(uint32_t code) const {
    if (!dense_.empty()) return dense_[code];
    return static_cast<size_t>(std::lower_bound(codes_.begin(), codes_.end(), code) - codes_.begin());
  }

 private:
  static constexpr uint32_t kDenseCodes = 1u << 16;
  std::vector<uint32_t> codes_;  // ascending
  std::vector<uint32_t> dense_;  // code -> position, when every code < kDenseCodes
};

class BlockReader {
 public:
  BlockReader(std::string_view in, std::vector<ColumnBlockStat>* stats) : in_(in), stats_(stats) {}
  std::string_view* in() { return &in_; }

  template <typename Fn>
  Status Read(const std::string& column, Fn&& decode) {
    size_t before = in_.size();
    uint8_t tag = in_.empty() ? 0 : static_cast<uint8_t>(in_[0]);
    KPI_RETURN_IF_ERROR(decode(&in_));
    if (stats_ != nullptr) {
      stats_->push_back({column, codec::EncodingName(static_cast<codec::Encoding>(tag)), before - in_.size()});
    }
    return Status::OK();
  }

 private:
  std::string_view in_;
  std::vector<ColumnBlockStat>* stats_;
};

Status Corrupt(const char* what) { return Status::Corruption(std::string("segment: ") + what); }

template <typename T>
bool CheckRows(const std::vector<T>& values, const std::vector<uint32_t>& rows) {
  return values.size() == rows.size();
}

}  // namespace

void EncodeSegment(const Segment& s, std::string* out) {
  out->push_back(static_cast<char>(kSegmentGrouped));
  codec::PutVarint64(out, s.has_corrections() ? kFlagCorrections : 0);
  codec::PutVarint64(out, s.num_tickets());
  codec::PutVarint64(out, s.num_events());
  int64_t base = s.time_ms.empty() ? 0 : s.time_ms[0];
  codec::PutVarint64(out, codec::ZigZag(base));
  codec::EncodeStrings(s.ticket_ids, out);
  std::vector<uint32_t> counts(s.num_tickets());
  for (uint32_t t = 0; t < s.num_tickets(); ++t) counts[t] = s.event_begin[t + 1] - s.event_begin[t];
  codec::EncodeInts(std::span<const uint32_t>(counts), out);
  codec::EncodeIntsCompressed(std::span<const uint32_t>(s.event_code), out);
  // Times: each event code's gaps in a block of their own (an assignment
  // comes seconds after creation, a rating days after the reply: one frame
  // each instead of one frame as wide as the widest).
  const std::vector<int64_t> deltas = TimeDeltas(s, base);
  const TimeGroups groups(s.event_code);
  std::vector<std::vector<int64_t>> grouped(groups.size());
  for (size_t e = 0; e < deltas.size(); ++e) grouped[groups.Of(s.event_code[e])].push_back(deltas[e]);
  codec::PutVarint64(out, groups.size());
  for (const auto& g : grouped) codec::EncodeIntsCompressed(std::span<const int64_t>(g), out);
  codec::EncodeIntsCompressed(std::span<const uint32_t>(s.agent_code), out);
  codec::EncodeIntsCompressed(std::span<const uint32_t>(s.batch), out);
  codec::EncodePresence(s.id_rows, s.num_events(), out);
  std::vector<int64_t> ids(s.id_hashes.begin(), s.id_hashes.end());
  codec::EncodeInts(std::span<const int64_t>(ids), out);
  // Sparse columns, dimensions then measures, numbered in that order; a
  // column whose rows equal an earlier one's (which wrote its block) refers
  // to it: varint 0 = a presence block follows, k = the rows of column k - 1.
  std::vector<const std::vector<uint32_t>*> written;  // [k]: rows, nullptr for a reference
  auto presence = [&](const std::vector<uint32_t>& rows) {
    for (size_t k = 0; k < written.size(); ++k) {
      if (written[k] != nullptr && *written[k] == rows) {
        codec::PutVarint64(out, k + 1);
        written.push_back(nullptr);
        return;
      }
    }
    codec::PutVarint64(out, 0);
    codec::EncodePresence(rows, s.num_events(), out);
    written.push_back(&rows);
  };
  codec::PutVarint64(out, s.dims.size());
  for (const auto& d : s.dims) {
    codec::PutVarint64(out, d.column);
    presence(d.rows);
    codec::EncodeIntsCompressed(std::span<const uint32_t>(d.codes), out);
  }
  codec::PutVarint64(out, s.measures.size());
  for (const auto& m : s.measures) {
    codec::PutVarint64(out, m.column);
    presence(m.rows);
    codec::EncodeDoubles(m.values, out);
  }
  if (s.has_corrections()) {
    codec::EncodePresence(s.revision_rows, s.num_events(), out);
    codec::EncodeInts(std::span<const uint32_t>(s.revisions), out);
    codec::EncodePresence(s.dead_rows, s.num_events(), out);
    codec::EncodeInts(std::span<const uint32_t>(s.dead_since), out);
  }
}

Status DecodeSegment(std::string_view in, Segment* s, std::vector<ColumnBlockStat>* stats) {
  return DecodeSegment(in, SegmentColumns::All(), s, stats);
}

Status DecodeSegment(std::string_view in, const SegmentColumns& want, Segment* s,
                     std::vector<ColumnBlockStat>* stats) {
  *s = Segment();
  if (!KnownVersion(in)) return Corrupt("bad version");
  const uint8_t version = static_cast<uint8_t>(in[0]);
  const bool grouped = version == kSegmentGrouped;
  in.remove_prefix(1);
  uint64_t flags = version == kSegmentWithCorrections ? kFlagCorrections : 0;
  if (grouped && (!codec::GetVarint64(&in, &flags) || (flags & ~kFlagCorrections) != 0)) return Corrupt("bad flags");
  const bool with_corrections = (flags & kFlagCorrections) != 0;
  s->columns = want;
  s->columns.batches |= with_corrections;  // visibility reads them
  const SegmentColumns& c = s->columns;
  uint64_t num_tickets = 0, num_events = 0, zbase = 0;
  if (!codec::GetVarint64(&in, &num_tickets) || !codec::GetVarint64(&in, &num_events) ||
      !codec::GetVarint64(&in, &zbase) || num_tickets > UINT32_MAX || num_events > UINT32_MAX ||
      num_tickets > num_events)
    return Corrupt("bad header");
  const uint32_t n = static_cast<uint32_t>(num_events);
  BlockReader r(in, stats);
  // Each block is decoded when wanted, else stepped over.
  auto ints = [&](bool wanted, const std::string& column, auto* out) {
    return r.Read(column, [&](std::string_view* p) { return wanted ? codec::DecodeInts(p, out) : codec::SkipInts(p); });
  };
  auto presence = [&](bool wanted, const std::string& column, std::vector<uint32_t>* rows) {
    return r.Read(column, [&](std::string_view* p) {
      return wanted ? codec::DecodePresence(p, n, rows) : codec::SkipPresence(p, n);
    });
  };
  KPI_RETURN_IF_ERROR(r.Read("ticket", [&](std::string_view* p) {
    return c.ticket_ids ? codec::DecodeStrings(p, &s->ticket_ids) : codec::SkipStrings(p);
  }));
  std::vector<uint32_t> counts;
  KPI_RETURN_IF_ERROR(ints(true, "ticket", &counts));
  if ((c.ticket_ids && s->ticket_ids.size() != num_tickets) || counts.size() != num_tickets)
    return Corrupt("ticket count");
  s->event_begin.resize(num_tickets + 1);
  uint64_t total = 0;
  for (uint64_t t = 0; t < num_tickets; ++t) {
    s->event_begin[t] = static_cast<uint32_t>(total);
    if (counts[t] == 0) return Corrupt("empty ticket");
    total += counts[t];
    if (total > n) return Corrupt("event count");
  }
  if (total != n) return Corrupt("event count");
  s->event_begin[num_tickets] = n;

  // Times: the deltas are read into time_ms, then summed in place.
  std::vector<int64_t>& times = s->time_ms;
  if (grouped) {
    // Event codes first: the time groups follow them. Times need the codes
    // even when the events are not wanted.
    std::vector<uint32_t> codes;
    KPI_RETURN_IF_ERROR(ints(c.events || c.times, "event", &codes));
    if ((c.events || c.times) && codes.size() != n) return Corrupt("column count");
    std::string_view* p = r.in();
    uint64_t num_groups = 0;
    if (!codec::GetVarint64(p, &num_groups) || num_groups > n) return Corrupt("time group count");
    if (c.times) {
      const TimeGroups groups(codes);
      if (groups.size() != num_groups) return Corrupt("time group count");
      std::vector<std::vector<int64_t>> grouped_deltas(groups.size());
      std::vector<size_t> rows(groups.size(), 0);
      for (uint32_t code : codes) rows[groups.Of(code)]++;
      for (size_t g = 0; g < groups.size(); ++g) {
        KPI_RETURN_IF_ERROR(ints(true, "time", &grouped_deltas[g]));
        if (grouped_deltas[g].size() != rows[g]) return Corrupt("time group rows");
      }
      times.resize(n);
      std::vector<const int64_t*> next(groups.size());
      for (size_t g = 0; g < groups.size(); ++g) next[g] = grouped_deltas[g].data();
      for (uint32_t e = 0; e < n; ++e) times[e] = *next[groups.Of(codes[e])]++;
    } else {
      std::vector<int64_t> none;
      for (uint64_t g = 0; g < num_groups; ++g) KPI_RETURN_IF_ERROR(ints(false, "time", &none));
    }
    if (c.events) s->event_code = std::move(codes);
  } else {
    KPI_RETURN_IF_ERROR(ints(c.times, "time", &times));
    if (c.times && times.size() != n) return Corrupt("time count");
  }
  if (c.times) {
    // Unsigned arithmetic: corrupt deltas must not be signed-overflow UB.
    auto add = [](int64_t a, int64_t b) {
      return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
    };
    int64_t prev_first = codec::UnZigZag(zbase);
    for (uint32_t t = 0; t < num_tickets; ++t) {
      const uint32_t first = s->event_begin[t], end = s->event_begin[t + 1];
      times[first] = prev_first = add(prev_first, times[first]);
      for (uint32_t e = first + 1; e < end; ++e) times[e] = add(times[e - 1], times[e]);
    }
  }
  if (!grouped) KPI_RETURN_IF_ERROR(ints(c.events, "event", &s->event_code));
  KPI_RETURN_IF_ERROR(ints(c.agents, "agent", &s->agent_code));
  KPI_RETURN_IF_ERROR(ints(c.batches, "batch", &s->batch));
  if ((c.events && s->event_code.size() != n) || (c.agents && s->agent_code.size() != n) ||
      (c.batches && s->batch.size() != n))
    return Corrupt("column count");
  KPI_RETURN_IF_ERROR(presence(c.ids, "id", &s->id_rows));
  std::vector<int64_t> ids;
  KPI_RETURN_IF_ERROR(ints(c.ids, "id", &ids));
  if (!CheckRows(ids, s->id_rows)) return Corrupt("id count");
  s->id_hashes.assign(ids.begin(), ids.end());

  std::string_view* p = r.in();
  // Version 3: the presence blocks of the sparse columns so far, in order
  // (empty for a column that referred to another), for later references.
  std::vector<std::string_view> blocks;
  auto sparse_rows = [&](bool wanted, const std::string& name, std::vector<uint32_t>* rows) -> Status {
    uint64_t same = 0;
    if (grouped && !codec::GetVarint64(p, &same)) return Corrupt("presence reference");
    if (same == 0) {
      const std::string_view block = *p;
      KPI_RETURN_IF_ERROR(presence(wanted, name, rows));
      blocks.push_back(block.substr(0, block.size() - p->size()));
      return Status::OK();
    }
    if (same > blocks.size() || blocks[same - 1].empty()) return Corrupt("presence reference");
    blocks.emplace_back();
    if (!wanted) return Status::OK();
    std::string_view block = blocks[same - 1];
    return codec::DecodePresence(&block, n, rows);
  };
  uint64_t ndims = 0;
  if (!codec::GetVarint64(p, &ndims) || ndims > p->size()) return Corrupt("dimension count");
  for (uint64_t i = 0; i < ndims; ++i) {
    uint64_t column = 0;
    if (!codec::GetVarint64(p, &column) || column > UINT32_MAX) return Corrupt("dimension column");
    const bool wanted = c.HasDim(static_cast<uint32_t>(column));
    SparseCodes d;
    d.column = static_cast<uint32_t>(column);
    std::string name = "dim:" + std::to_string(d.column);
    KPI_RETURN_IF_ERROR(sparse_rows(wanted, name, &d.rows));
    KPI_RETURN_IF_ERROR(ints(wanted, name, &d.codes));
    if (!CheckRows(d.codes, d.rows)) return Corrupt("dimension rows");
    if (wanted) s->dims.push_back(std::move(d));
  }
  uint64_t nmeasures = 0;
  if (!codec::GetVarint64(p, &nmeasures) || nmeasures > p->size()) return Corrupt("measure count");
  for (uint64_t i = 0; i < nmeasures; ++i) {
    uint64_t column = 0;
    if (!codec::GetVarint64(p, &column) || column > UINT32_MAX) return Corrupt("measure column");
    const bool wanted = c.HasMeasure(static_cast<uint32_t>(column));
    SparseNumbers m;
    m.column = static_cast<uint32_t>(column);
    std::string name = "measure:" + std::to_string(m.column);
    KPI_RETURN_IF_ERROR(sparse_rows(wanted, name, &m.rows));
    KPI_RETURN_IF_ERROR(r.Read(name, [&](std::string_view* q) {
      return wanted ? codec::DecodeDoubles(q, &m.values) : codec::SkipDoubles(q);
    }));
    if (!CheckRows(m.values, m.rows)) return Corrupt("measure rows");
    if (wanted) s->measures.push_back(std::move(m));
  }
  if (with_corrections) {
    KPI_RETURN_IF_ERROR(presence(true, "revision", &s->revision_rows));
    KPI_RETURN_IF_ERROR(ints(true, "revision", &s->revisions));
    KPI_RETURN_IF_ERROR(presence(true, "dead", &s->dead_rows));
    KPI_RETURN_IF_ERROR(ints(true, "dead", &s->dead_since));
    if (!CheckRows(s->revisions, s->revision_rows) || !CheckRows(s->dead_since, s->dead_rows))
      return Corrupt("correction rows");
  }
  if (!p->empty()) return Corrupt("trailing bytes");
  return Status::OK();
}

Status DecodeTicketIds(std::string_view in, std::vector<std::string>* ids) {
  if (!KnownVersion(in)) return Corrupt("bad version");
  const bool grouped = static_cast<uint8_t>(in[0]) == kSegmentGrouped;
  in.remove_prefix(1);
  uint64_t skip = 0;
  for (int i = grouped ? 0 : 1; i < 4; ++i)  // [flags,] tickets, events, base time
    if (!codec::GetVarint64(&in, &skip)) return Corrupt("bad header");
  return codec::DecodeStrings(&in, ids);
}

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
  auto distinct = [](std::vector<uint32_t> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  };
  z.event_codes = distinct(s.event_code);
  z.agent_codes = distinct(s.agent_code);
  for (const auto& d : s.dims) {
    std::vector<uint32_t> codes = distinct(d.codes);
    if (codes.size() <= kMaxZoneCodes) z.dim_codes.emplace_back(d.column, std::move(codes));
  }
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
  z.event_codes = merged(old.event_codes, d.event_codes);
  z.agent_codes = merged(old.agent_codes, d.agent_codes);
  for (const auto& [column, codes] : old.dim_codes) {
    if (delta.FindDim(column) == nullptr) {  // the delta adds no code of it
      z.dim_codes.emplace_back(column, codes);
      continue;
    }
    for (const auto& [dcolumn, dcodes] : d.dim_codes) {
      if (dcolumn != column) continue;
      std::vector<uint32_t> both = merged(codes, dcodes);
      if (both.size() <= kMaxZoneCodes) z.dim_codes.emplace_back(column, std::move(both));
    }
  }
  return z;
}

}  // namespace kpi::storage
