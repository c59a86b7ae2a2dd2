// SegmentRows: the columns a query reads from one decoded segment, derived
// lazily and cached until the next Reset().
//
// Rows are tickets (`from tickets`: row = ticket index) or events (`from
// events`: row = event index). Derived columns:
//   * Created(): per ticket, the time of its first `created` event, else of
//     its earliest event;
//   * EventTicket(): per event, its ticket index;
//   * CodeMask(): per ticket, which event codes it holds (CodeBit);
//   * Dim(c): events: the EFFECTIVE value (the last value carried at or
//     before the event within its ticket: a forward fill of the sparse
//     column); tickets: the latest carried value; code 0 = null;
//   * Measure(c): events: the value the event carried; tickets: the last
//     non-null value on the ticket;
//   * Total(c): tickets: the sum over the ticket's events (null if none).
// Each derived column is kept in the segment's memo when it has room
// (query/execution/ticket_memo.h), so warm queries read it instead of
// deriving it again; otherwise it is derived for the batch.
// FilterSegmentAsOf() builds the view of a segment as of a batch (`as of`;
// UINT32_MAX for now): events of later batches and events replaced or
// retracted by then (storage/segment.h, corrections) removed, tickets left
// without events dropped.
//
// Thread safety: one SegmentRows per worker thread. Pointers returned stay
// valid until Reset() or destruction.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "query/binder/bound_expr.h"
#include "storage/segment.h"

namespace kpi::query {

void FilterSegmentAsOf(const storage::Segment& in, uint32_t max_batch, storage::Segment* out);

// One derived column: codes (Dim, EventTicket), values and their validity
// (Measure, Total), times (Created) or code masks (CodeMask).
struct RowColumn {
  std::vector<uint32_t> codes;
  std::vector<double> values;
  std::vector<uint8_t> valid;
  std::vector<int64_t> times;
  std::vector<uint64_t> masks;
};

// An event code's bit in a CodeMask: bit c for a code c below 63, bit 63
// shared by every code from 63 on (a set bit 63 says nothing about which).
inline uint64_t CodeBit(uint32_t code) { return uint64_t{1} << (code < 63 ? code : 63); }

class SegmentRows {
 public:
  // `created_code`: dictionary code of the event name "created" (0 if never seen).
  void Reset(const storage::Segment* segment, uint32_t ordinal, Source source, uint32_t created_code);

  const storage::Segment& seg() const { return *seg_; }
  uint32_t ordinal() const { return ordinal_; }
  Source source() const { return source_; }
  uint32_t num_rows() const { return source_ == Source::kTickets ? seg_->num_tickets() : seg_->num_events(); }
  uint32_t created_code() const { return created_code_; }

  const int64_t* Created();
  const uint32_t* EventTicket();
  const uint64_t* CodeMask();
  const uint32_t* Dim(uint32_t column);
  const double* Measure(uint32_t column, const uint8_t** valid);
  const double* Total(uint32_t column, const uint8_t** valid);

 private:
  // kind: 1 dim, 2 measure, 3 total, 4 created, 5 event ticket, 6 code mask.
  struct Cached {
    uint32_t kind = 0;
    uint32_t column = 0;
    uint64_t epoch = 0;
    const RowColumn* view = nullptr;  // the memo's, or `own`
    RowColumn own;
  };
  // The column (kind, column) of the batch: cached for the batch, else from
  // the memo, else derived by `fill` (into the memo when it has room).
  template <typename Fill>
  // `fields`, `rows`, `code_bound`: what `fill` makes (memo_fits.h
  // RowColumnFits), which a value read from the derived-value files must be.
  const RowColumn& Derived(uint32_t kind, uint32_t column, size_t bytes, uint8_t fields, size_t rows,
                           uint64_t code_bound, Fill&& fill);

  const storage::Segment* seg_ = nullptr;
  uint32_t ordinal_ = 0;
  Source source_ = Source::kTickets;
  uint32_t created_code_ = 0;
  uint64_t epoch_ = 0;  // bumps on Reset: cached columns of older batches are stale
  std::deque<Cached> cache_;  // stable addresses: views point at `own`
};

}  // namespace kpi::query
