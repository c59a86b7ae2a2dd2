#include "storage/segment_codec.h"

#include <algorithm>
#include <iterator>
#include <memory>
#include <unordered_map>

#include "storage/catalog.h"
#include "storage/codec/codec.h"

namespace kpi::storage {

namespace {

// Version 2 = version 1 + a corrections section at the end. Version 3 = a
// flags varint after the version byte (kFlagCorrections: the corrections
// section follows), event codes before the times, the time deltas in one
// block per event code, and a sparse column's presence given as a reference
// to an earlier sparse column with the same rows (dimensions carried
// together on `created`, measures on `agent_reply`); its event, time, agent,
// batch and dimension code blocks may be zstd-compressed int blocks
// (codec::EncodeIntsCompressed). Version 4 (the one written) = version 3
// with the agents in one block per event code as symbols (kAgent*), a sparse
// column's rows in one of the forms kRows* (an event-code set costs no
// block), and its compressed int blocks may also be entropy-coded (tag 7).
// Versions 1 to 3 are still read (stores written before).
constexpr uint8_t kSegmentFormatVersion = 1;
constexpr uint8_t kSegmentWithCorrections = 2;
constexpr uint8_t kSegmentGrouped = 3;
constexpr uint8_t kSegmentByEventCode = 4;
constexpr uint64_t kFlagCorrections = 1;
bool KnownVersion(std::string_view in) {
  if (in.empty()) return false;
  const uint8_t v = static_cast<uint8_t>(in[0]);
  return v == kSegmentFormatVersion || v == kSegmentWithCorrections || v == kSegmentGrouped ||
         v == kSegmentByEventCode;
}

// Version 4: how a sparse column gives its rows (varint before its values).
//   kRowsBlock:     a presence block follows;
//   kRowsOfCodes:   the rows of every event whose code is in a set (varint
//                   count m >= 1, then the m codes ascending, the first as is,
//                   each other as its difference to the previous) -- the
//                   dimensions carried on `created`, the measures on
//                   `agent_reply`, cost nothing;
//   kRowsInCodes:   the same set, varint how many rows it has, then a
//                   presence block over those rows (row i of it = the i-th
//                   row whose code is in the set);
//   kRowsSame + k:  the rows of the k-th sparse column before (from 0).
constexpr uint64_t kRowsBlock = 0;
constexpr uint64_t kRowsOfCodes = 1;
constexpr uint64_t kRowsInCodes = 2;
constexpr uint64_t kRowsSame = 3;
// Version 4 agents: a symbol per event, one block per event code like the
// times: 0 no agent, 1 the previous agent of the ticket, a + 1 agent a.
constexpr uint64_t kAgentNone = 0;
constexpr uint64_t kAgentSame = 1;

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
    // The codes' bitwise or bounds them, and is below kDenseCodes (a power
    // of two) exactly when every code is. Four independent ors per step:
    // the max's compare chain was two thirds of this constructor in a cold
    // scan.
    const uint32_t* p = event_code.data();
    const size_t n = event_code.size();
    uint32_t o[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
      o[0] |= p[i];
      o[1] |= p[i + 1];
      o[2] |= p[i + 2];
      o[3] |= p[i + 3];
    }
    for (; i < n; ++i) o[0] |= p[i];
    const uint32_t bound = o[0] | o[1] | o[2] | o[3];
    if (bound < kDenseCodes) {
      dense_.assign(size_t{bound} + 1, 0);
      for (uint32_t c : event_code) dense_[c] = 1;
      for (uint32_t c = 0; c <= bound; ++c) {
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

// The rows of the events whose code is in `codes` (ascending, non-empty).
// One branch-free pass: every row is written to an uninitialised buffer
// and kept when it matches (a zeroed one, or a counting pass first, cost as
// much again).
std::vector<uint32_t> RowsOfCodes(const std::vector<uint32_t>& event_code, const std::vector<uint32_t>& codes) {
  const uint32_t n = static_cast<uint32_t>(event_code.size());
  auto collect = [&](auto&& in_set) {
    std::unique_ptr<uint32_t[]> buffer(new uint32_t[size_t{n} + 1]);
    size_t k = 0;
    for (uint32_t e = 0; e < n; ++e) {
      buffer[k] = e;
      k += in_set(event_code[e]);
    }
    return std::vector<uint32_t>(buffer.get(), buffer.get() + k);
  };
  if (codes.size() == 1) {  // the usual case: one event carries the column
    const uint32_t code = codes[0];
    return collect([code](uint32_t c) { return static_cast<size_t>(c == code); });
  }
  uint32_t max = codes.back();
  for (uint32_t c : event_code) max = std::max(max, c);
  if (max < (1u << 16)) {  // dictionary codes: a table over every code of the segment
    std::vector<uint8_t> in(size_t{max} + 1, 0);
    for (uint32_t c : codes) in[c] = 1;
    return collect([&in](uint32_t c) { return static_cast<size_t>(in[c]); });
  }
  return collect([&codes](uint32_t c) { return static_cast<size_t>(std::binary_search(codes.begin(), codes.end(), c)); });
}

// The distinct event codes of `rows`, ascending.
std::vector<uint32_t> DistinctCodesAt(const std::vector<uint32_t>& event_code, const std::vector<uint32_t>& rows) {
  std::vector<uint32_t> codes;
  uint32_t max = 0;
  for (uint32_t r : rows) max = std::max(max, event_code[r]);
  if (max < (1u << 16)) {  // dictionary codes: a table
    std::vector<uint8_t> seen(size_t{max} + 1, 0);
    for (uint32_t r : rows) seen[event_code[r]] = 1;
    for (uint32_t c = 0; c <= max; ++c)
      if (seen[c] != 0) codes.push_back(c);
    return codes;
  }
  for (uint32_t r : rows) codes.push_back(event_code[r]);
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  return codes;
}

void PutCodeSet(const std::vector<uint32_t>& codes, std::string* out) {
  codec::PutVarint64(out, codes.size());
  for (size_t i = 0; i < codes.size(); ++i) codec::PutVarint64(out, i == 0 ? codes[0] : codes[i] - codes[i - 1]);
}

// Writes the smallest form of a sparse column's rows (kRows*). `earlier`:
// the rows of the sparse columns written before.
void PutSparseRows(const Segment& s, const std::vector<uint32_t>& rows,
                   const std::vector<const std::vector<uint32_t>*>& earlier, std::string* out) {
  for (size_t k = 0; k < earlier.size(); ++k) {
    if (*earlier[k] == rows) {
      codec::PutVarint64(out, kRowsSame + k);
      return;
    }
  }
  std::string best;
  codec::PutVarint64(&best, kRowsBlock);
  codec::EncodePresence(rows, s.num_events(), &best);
  if (!rows.empty()) {
    const std::vector<uint32_t> codes = DistinctCodesAt(s.event_code, rows);
    const std::vector<uint32_t> of_codes = RowsOfCodes(s.event_code, codes);
    std::string form;
    if (of_codes == rows) {
      codec::PutVarint64(&form, kRowsOfCodes);
      PutCodeSet(codes, &form);
    } else {
      // rows is a subset of of_codes: its positions there.
      std::vector<uint32_t> within;
      within.reserve(rows.size());
      for (size_t i = 0, j = 0; i < of_codes.size() && j < rows.size(); ++i)
        if (of_codes[i] == rows[j]) within.push_back(static_cast<uint32_t>(i)), ++j;
      codec::PutVarint64(&form, kRowsInCodes);
      PutCodeSet(codes, &form);
      codec::PutVarint64(&form, of_codes.size());
      codec::EncodePresence(within, static_cast<uint32_t>(of_codes.size()), &form);
    }
    if (form.size() < best.size()) best = std::move(form);
  }
  out->append(best);
}

// Agent symbols (kAgent*), one vector per time group.
std::vector<std::vector<int64_t>> AgentSymbols(const Segment& s, const TimeGroups& groups) {
  std::vector<std::vector<int64_t>> out(groups.size());
  for (uint32_t t = 0; t < s.num_tickets(); ++t) {
    uint32_t prev = 0;
    for (uint32_t e = s.event_begin[t]; e < s.event_begin[t + 1]; ++e) {
      const uint32_t a = s.agent_code[e];
      out[groups.Of(s.event_code[e])].push_back(a == 0 ? kAgentNone : a == prev ? kAgentSame : int64_t{a} + 1);
      if (a != 0) prev = a;
    }
  }
  return out;
}

}  // namespace

void EncodeSegment(const Segment& s, std::string* out) {
  out->push_back(static_cast<char>(kSegmentByEventCode));
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
  // Agents by the same groups: `created` has none, a reply mostly the
  // ticket's agent so far; only assignments and changes cost bits.
  for (const auto& g : AgentSymbols(s, groups)) codec::EncodeIntsCompressed(std::span<const int64_t>(g), out);
  codec::EncodeIntsCompressed(std::span<const uint32_t>(s.batch), out);
  codec::EncodePresence(s.id_rows, s.num_events(), out);
  std::vector<int64_t> ids(s.id_hashes.begin(), s.id_hashes.end());
  codec::EncodeInts(std::span<const int64_t>(ids), out);
  // Sparse columns, dimensions then measures, numbered in that order.
  std::vector<const std::vector<uint32_t>*> written;
  codec::PutVarint64(out, s.dims.size());
  for (const auto& d : s.dims) {
    codec::PutVarint64(out, d.column);
    PutSparseRows(s, d.rows, written, out);
    written.push_back(&d.rows);
    codec::EncodeIntsCompressed(std::span<const uint32_t>(d.codes), out);
  }
  codec::PutVarint64(out, s.measures.size());
  for (const auto& m : s.measures) {
    codec::PutVarint64(out, m.column);
    PutSparseRows(s, m.rows, written, out);
    written.push_back(&m.rows);
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

namespace {

// Per event, 1 when it is its ticket's first (tickets are never empty).
// The loops below run over the events with this flag instead of a loop per
// ticket: tickets hold a few events each, and the end of a short loop
// mispredicted once per ticket.
std::vector<uint8_t> TicketFirstRows(const std::vector<uint32_t>& event_begin) {
  const uint32_t nt = event_begin.empty() ? 0 : static_cast<uint32_t>(event_begin.size() - 1);
  std::vector<uint8_t> first(nt == 0 ? 0 : event_begin[nt], 0);
  for (uint32_t t = 0; t < nt; ++t) first[event_begin[t]] = 1;
  return first;
}

// The times from their deltas (TimeDeltas): delta(e) for each event in row
// order, each ticket's first event added to the previous ticket's first,
// the others to the event before. `first`: TicketFirstRows.
// Unsigned arithmetic: corrupt deltas must not be signed-overflow UB.
template <typename Delta>
void SumTimeDeltas(const std::vector<uint8_t>& first, int64_t base, Delta&& delta, std::vector<int64_t>* out) {
  const uint32_t n = static_cast<uint32_t>(first.size());
  out->resize(n);
  int64_t* times = out->data();
  uint64_t prev_first = static_cast<uint64_t>(base), prev = 0;
  for (uint32_t e = 0; e < n; ++e) {
    const bool f = first[e] != 0;
    const uint64_t v = (f ? prev_first : prev) + static_cast<uint64_t>(delta(e));
    prev_first = f ? v : prev_first;
    prev = v;
    times[e] = static_cast<int64_t>(v);
  }
}

}  // namespace

Status DecodeSegment(std::string_view in, const SegmentColumns& want, Segment* s,
                     std::vector<ColumnBlockStat>* stats) {
  *s = Segment();
  if (!KnownVersion(in)) return Corrupt("bad version");
  const uint8_t version = static_cast<uint8_t>(in[0]);
  const bool grouped = version >= kSegmentGrouped;     // 3, 4: codes before times, times by code
  const bool by_code = version >= kSegmentByEventCode;  // 4: agents by code, rows by code sets
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

  // Versions 3 and 4: the event codes come first and are decoded on first
  // need (the events themselves, times and agents split by code, rows given
  // by code sets), with each event's group: its code's rank among the
  // segment's distinct codes.
  std::string_view codes_block;
  // Decoded into the segment's own column when it is wanted (no copy).
  std::vector<uint32_t> local_codes, group_of;
  std::vector<uint32_t>& codes = c.events && grouped ? s->event_code : local_codes;
  size_t num_code_groups = 0;
  std::vector<size_t> group_rows;
  bool have_codes = false, have_groups = false;
  auto need_codes = [&]() -> Status {
    if (have_codes) return Status::OK();
    std::string_view p = codes_block;
    KPI_RETURN_IF_ERROR(codec::DecodeInts(&p, &codes));
    if (codes.size() != n) return Corrupt("column count");
    have_codes = true;
    return Status::OK();
  };
  auto need_groups = [&]() -> Status {
    if (have_groups) return Status::OK();
    KPI_RETURN_IF_ERROR(need_codes());
    const TimeGroups groups(codes);
    num_code_groups = groups.size();
    group_of.resize(n);
    group_rows.assign(num_code_groups, 0);
    for (uint32_t e = 0; e < n; ++e) group_rows[group_of[e] = static_cast<uint32_t>(groups.Of(codes[e]))]++;
    have_groups = true;
    return Status::OK();
  };
  // Reads the num_groups blocks of one column split by code (decoded when
  // wanted: block g holds group g's values in row order).
  uint64_t num_groups = 0;
  auto by_group = [&](bool wanted, const std::string& column, std::vector<std::vector<int64_t>>* out) -> Status {
    if (wanted) {
      KPI_RETURN_IF_ERROR(need_groups());
      if (num_code_groups != num_groups) return Corrupt("time group count");
      out->resize(num_code_groups);
    }
    for (uint64_t g = 0; g < num_groups; ++g) {
      std::vector<int64_t> skipped;
      KPI_RETURN_IF_ERROR(ints(wanted, column, wanted ? &(*out)[g] : &skipped));
      if (wanted && (*out)[g].size() != group_rows[g]) return Corrupt("group rows");
    }
    return Status::OK();
  };
  // Times: the deltas are read per group, then summed into time_ms.
  std::vector<int64_t>& times = s->time_ms;
  std::vector<uint8_t> first_of_ticket;
  auto first_rows = [&]() -> const std::vector<uint8_t>& {
    if (first_of_ticket.size() != n) first_of_ticket = TicketFirstRows(s->event_begin);
    return first_of_ticket;
  };
  if (grouped) {
    KPI_RETURN_IF_ERROR(r.Read("event", [&](std::string_view* p) {
      codes_block = *p;
      return codec::SkipInts(p);
    }));
    std::string_view* p = r.in();
    if (!codec::GetVarint64(p, &num_groups) || num_groups > n) return Corrupt("time group count");
    std::vector<std::vector<int64_t>> grouped_deltas;
    KPI_RETURN_IF_ERROR(by_group(c.times, "time", &grouped_deltas));
    if (c.times) {
      // Each event's delta from its group's block, summed as it is placed
      // (one pass; SumTimeDeltas for the layout).
      std::vector<const int64_t*> next(num_code_groups);
      for (size_t g = 0; g < num_code_groups; ++g) next[g] = grouped_deltas[g].data();
      const uint32_t* of = group_of.data();
      SumTimeDeltas(first_rows(), codec::UnZigZag(zbase), [&](uint32_t e) { return *next[of[e]]++; }, &times);
    }
  } else {
    std::vector<int64_t> deltas;
    KPI_RETURN_IF_ERROR(ints(c.times, "time", &deltas));
    if (c.times && deltas.size() != n) return Corrupt("time count");
    if (c.times) SumTimeDeltas(first_rows(), codec::UnZigZag(zbase), [&](uint32_t e) { return deltas[e]; }, &times);
  }
  if (by_code) {
    std::vector<std::vector<int64_t>> symbols;
    KPI_RETURN_IF_ERROR(by_group(c.agents, "agent", &symbols));
    if (c.agents) {
      s->agent_code.resize(n);
      std::vector<const int64_t*> next(num_code_groups);
      for (size_t g = 0; g < num_code_groups; ++g) next[g] = symbols[g].data();
      const uint32_t* of = group_of.data();
      const uint8_t* first = first_rows().data();
      uint32_t* agents = s->agent_code.data();
      // Without a branch per event (the symbols vary from event to event):
      // a bad symbol (out of range, or "the same" before any agent of its
      // ticket) is noted and reported after the loop.
      uint32_t prev = 0;
      bool bad = false;
      for (uint32_t e = 0; e < n; ++e) {
        const uint64_t v = static_cast<uint64_t>(*next[of[e]]++);  // a negative one is out of range too
        prev = first[e] ? 0 : prev;
        bad |= (v > uint64_t{UINT32_MAX} + 1) | ((v == kAgentSame) & (prev == 0));
        const uint32_t a = v > kAgentSame ? static_cast<uint32_t>(v - 1) : (v == kAgentSame ? prev : 0);
        agents[e] = a;
        prev = a != 0 ? a : prev;
      }
      if (bad) return Corrupt("agent symbol");
    }
  }
  if (c.events) {
    if (grouped) {
      KPI_RETURN_IF_ERROR(need_codes());  // into s->event_code
    } else {
      KPI_RETURN_IF_ERROR(ints(true, "event", &s->event_code));
    }
  } else if (!grouped) {
    KPI_RETURN_IF_ERROR(ints(false, "event", &s->event_code));
  }
  if (!by_code) KPI_RETURN_IF_ERROR(ints(c.agents, "agent", &s->agent_code));
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
  // Where each sparse column so far takes its rows from, for the later
  // columns that refer to it (versions 3 and 4).
  struct RowsSource {
    uint64_t form = kRowsBlock;
    std::string_view block;       // kRowsBlock, kRowsInCodes: the presence block
    std::vector<uint32_t> codes;  // kRowsOfCodes, kRowsInCodes: the code set
    uint64_t of_codes = 0;        // kRowsInCodes: how many rows the set has
  };
  std::vector<RowsSource> sources;
  // The rows of each code set met so far (the dimensions of `created` share one).
  std::vector<std::pair<std::vector<uint32_t>, std::vector<uint32_t>>> rows_of_codes;
  auto materialize = [&](const RowsSource& src, std::vector<uint32_t>* rows) -> Status {
    std::string_view block = src.block;
    if (src.form == kRowsBlock) return codec::DecodePresence(&block, n, rows);
    KPI_RETURN_IF_ERROR(need_codes());
    auto known = std::find_if(rows_of_codes.begin(), rows_of_codes.end(),
                              [&](const auto& entry) { return entry.first == src.codes; });
    if (known == rows_of_codes.end()) {
      rows_of_codes.emplace_back(src.codes, RowsOfCodes(codes, src.codes));
      known = rows_of_codes.end() - 1;
    }
    const std::vector<uint32_t>& of_codes = known->second;
    if (src.form == kRowsOfCodes) {
      *rows = of_codes;
      return Status::OK();
    }
    if (of_codes.size() != src.of_codes) return Corrupt("rows of codes");
    KPI_RETURN_IF_ERROR(codec::DecodePresence(&block, static_cast<uint32_t>(of_codes.size()), rows));
    for (uint32_t& row : *rows) row = of_codes[row];
    return Status::OK();
  };
  auto code_set = [&](std::vector<uint32_t>* set) -> Status {
    uint64_t m = 0, code = 0;
    if (!codec::GetVarint64(p, &m) || m == 0 || m > n || m > p->size()) return Corrupt("code set");
    for (uint64_t i = 0; i < m; ++i) {
      uint64_t d = 0;
      if (!codec::GetVarint64(p, &d) || (i > 0 && d == 0)) return Corrupt("code set");
      code += d;
      if (code > UINT32_MAX) return Corrupt("code set");
      set->push_back(static_cast<uint32_t>(code));
    }
    return Status::OK();
  };
  auto sparse_rows = [&](bool wanted, const std::string& name, std::vector<uint32_t>* rows) -> Status {
    uint64_t form = kRowsBlock;
    if (grouped && !codec::GetVarint64(p, &form)) return Corrupt("presence reference");
    if (!by_code && form > 0) form = form - 1 + kRowsSame;  // version 3: k > 0 = column k - 1's rows
    if (form >= kRowsSame) {
      const uint64_t k = form - kRowsSame;
      if (k >= sources.size() || (!by_code && sources[k].form == kRowsSame)) return Corrupt("presence reference");
      RowsSource src = sources[k];
      sources.push_back(src);
      // Version 3 refers to columns that wrote a block only.
      if (!by_code) sources.back().form = kRowsSame;
      return wanted ? materialize(src, rows) : Status::OK();
    }
    RowsSource src;
    src.form = form;
    if (form == kRowsOfCodes || form == kRowsInCodes) {
      if (!by_code) return Corrupt("presence reference");
      KPI_RETURN_IF_ERROR(code_set(&src.codes));
    }
    if (form == kRowsInCodes && (!codec::GetVarint64(p, &src.of_codes) || src.of_codes > n))
      return Corrupt("rows of codes");
    if (form == kRowsBlock || form == kRowsInCodes) {
      src.block = *p;
      const uint32_t universe = form == kRowsBlock ? n : static_cast<uint32_t>(src.of_codes);
      KPI_RETURN_IF_ERROR(r.Read(name, [&](std::string_view* q) { return codec::SkipPresence(q, universe); }));
      src.block = src.block.substr(0, src.block.size() - p->size());
    }
    sources.push_back(src);
    return wanted ? materialize(src, rows) : Status::OK();
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

bool IsCurrentSegmentVersion(std::string_view in) {
  return !in.empty() && static_cast<uint8_t>(in[0]) == kSegmentByEventCode;
}

Status DecodeTicketIds(std::string_view in, std::vector<std::string>* ids) {
  if (!KnownVersion(in)) return Corrupt("bad version");
  const bool grouped = static_cast<uint8_t>(in[0]) >= kSegmentGrouped;
  in.remove_prefix(1);
  uint64_t skip = 0;
  for (int i = grouped ? 0 : 1; i < 4; ++i)  // [flags,] tickets, events, base time
    if (!codec::GetVarint64(&in, &skip)) return Corrupt("bad header");
  return codec::DecodeStrings(&in, ids);
}

}  // namespace kpi::storage
