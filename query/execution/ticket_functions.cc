#include "query/execution/ticket_functions.h"

#include <string>

#include "query/evaluation/business_calendar.h"
#include "query/execution/memo_fits.h"
#include "query/execution/memo_keys.h"
#include "query/execution/ticket_memo.h"
#include "query/execution/vec_select.h"

namespace kpi::query {

namespace {

struct Slice {
  const int64_t* time;
  const uint32_t* code;
  uint32_t begin, end;
};

// Time of the first event with `code` in the slice, or false.
inline bool FirstTime(const Slice& s, uint32_t code, int64_t* t) {
  if (code == 0) return false;
  for (uint32_t i = s.begin; i < s.end; ++i) {
    if (s.code[i] == code) {
      *t = s.time[i];
      return true;
    }
  }
  return false;
}

// First time of an event reference, `created` meaning the creation time.
inline bool RefTime(const Slice& s, const EventRef& ref, int64_t created, int64_t* t) {
  if (ref.is_created) {
    *t = created;
    return true;
  }
  return FirstTime(s, ref.code, t);
}

}  // namespace

namespace {

void Compute(const BoundExpr& fn, SegmentRows& rows, const uint32_t* sel, uint32_t n,
             const std::vector<const std::vector<uint8_t>*>* repeat_answers, Vec* out) {
  const storage::Segment& seg = rows.seg();
  const int64_t* created = fn.fn == TicketFn::kTotal || fn.fn == TicketFn::kRepeatWithin ? nullptr : rows.Created();
  const uint32_t* begin = seg.event_begin.data();
  auto slice = [&](uint32_t t) { return Slice{seg.time_ms.data(), seg.event_code.data(), begin[t], begin[t + 1]}; };
  auto ticket = [&](uint32_t i) { return sel ? sel[i] : i; };

  switch (fn.fn) {
    case TicketFn::kDuration: {
      out->ResetOwned(ValueType::kDuration, n);
      double* v = out->mut_f64();
      uint8_t* ok = out->OwnValid();
      for (uint32_t i = 0; i < n; ++i) {
        const uint32_t t = ticket(i);
        const Slice s = slice(t);
        int64_t start;
        v[i] = 0;
        if (!RefTime(s, fn.a, created[t], &start)) {
          ok[i] = 0;
          continue;
        }
        bool found = false;
        int64_t end = 0;
        if (fn.b.is_created) {
          found = created[t] >= start;
          end = created[t];
        } else if (fn.b.code != 0) {
          for (uint32_t e = s.begin; e < s.end; ++e) {
            if (s.code[e] == fn.b.code && s.time[e] >= start) {
              found = true;
              end = s.time[e];
              break;
            }
          }
        }
        ok[i] = found;
        if (found) v[i] = static_cast<double>(fn.clock ? fn.clock->OpenMsBetween(start, end) : end - start);
      }
      return;
    }
    case TicketFn::kCountOf:
    case TicketFn::kCountBefore: {
      out->ResetOwned(ValueType::kNumber, n);
      double* v = out->mut_f64();
      if (fn.fn == TicketFn::kCountBefore && !fn.b.is_created && fn.b.code != 0) {
        // One pass to the first B: the A events met before it, less those
        // at B's own time (events are in time order, so every A before B
        // is at or before its time and every A after it at or after).
        for (uint32_t i = 0; i < n; ++i) {
          const Slice s = slice(ticket(i));
          uint32_t count = 0, same = 0;  // A events so far; those at the time of the last event
          int64_t last = INT64_MIN;
          uint32_t e = s.begin;
          for (; e < s.end && s.code[e] != fn.b.code; ++e) {
            same = s.time[e] == last ? same : 0;
            last = s.time[e];
            const uint32_t a = fn.a.code != 0 && s.code[e] == fn.a.code;
            count += a;
            same += a;
          }
          v[i] = e < s.end && s.time[e] == last ? count - same : count;
        }
        return;
      }
      for (uint32_t i = 0; i < n; ++i) {
        const uint32_t t = ticket(i);
        const Slice s = slice(t);
        int64_t limit = INT64_MAX;
        if (fn.fn == TicketFn::kCountBefore) {
          int64_t end;
          if (RefTime(s, fn.b, created[t], &end)) limit = end;
        }
        uint32_t count = 0;
        if (fn.a.code != 0)
          for (uint32_t e = s.begin; e < s.end; ++e) count += s.code[e] == fn.a.code && s.time[e] < limit;
        v[i] = count;
      }
      return;
    }
    case TicketFn::kHas: {
      out->ResetOwned(ValueType::kBool, n);
      uint8_t* v = out->mut_b8();
      if (fn.a.code != 0 && fn.a.code < 63) {
        // One test per ticket on its code mask (one pass over the events
        // per segment, shared by every has() of the statement) instead of
        // a scan of its events per function.
        const uint64_t* mask = rows.CodeMask();
        const uint64_t bit = CodeBit(fn.a.code);
        for (uint32_t i = 0; i < n; ++i) v[i] = (mask[ticket(i)] & bit) != 0 ? kTrue : kFalse;
        return;
      }
      for (uint32_t i = 0; i < n; ++i) {
        int64_t ignored;
        v[i] = FirstTime(slice(ticket(i)), fn.a.code, &ignored) ? kTrue : kFalse;
      }
      return;
    }
    case TicketFn::kFirst:
    case TicketFn::kLast: {
      out->ResetOwned(ValueType::kTime, n);
      int64_t* v = out->mut_i64();
      uint8_t* ok = out->OwnValid();
      for (uint32_t i = 0; i < n; ++i) {
        const uint32_t t = ticket(i);
        const Slice s = slice(t);
        bool found = false;
        int64_t when = 0;
        if (fn.fn == TicketFn::kFirst) {
          found = RefTime(s, fn.a, created[t], &when);
        } else {
          if (fn.a.code != 0) {
            for (uint32_t e = s.end; e > s.begin; --e) {
              if (s.code[e - 1] == fn.a.code) {
                found = true;
                when = s.time[e - 1];
                break;
              }
            }
          }
          if (!found && fn.a.is_created) {
            found = true;
            when = created[t];
          }
        }
        v[i] = when;
        ok[i] = found;
      }
      return;
    }
    case TicketFn::kAgentOf: {
      out->ResetOwned(ValueType::kString, n);
      out->str = fn.str;
      uint32_t* v = out->mut_u32();
      for (uint32_t i = 0; i < n; ++i) {
        const Slice s = slice(ticket(i));
        uint32_t agent = 0;
        if (fn.a.code != 0) {
          for (uint32_t e = s.begin; e < s.end; ++e) {
            if (s.code[e] == fn.a.code) {
              agent = seg.agent_code[e];
              break;
            }
          }
        }
        v[i] = agent;
      }
      return;
    }
    case TicketFn::kTotal: {
      const uint8_t* valid;
      const double* totals = rows.Total(fn.column_id, &valid);
      out->ResetOwned(ValueType::kNumber, n);
      double* v = out->mut_f64();
      uint8_t* ok = out->OwnValid();
      for (uint32_t i = 0; i < n; ++i) {
        const uint32_t t = ticket(i);
        v[i] = totals[t];
        ok[i] = valid[t];
      }
      return;
    }
    case TicketFn::kRepeatWithin: {
      out->ResetOwned(ValueType::kBool, n);
      uint8_t* v = out->mut_b8();
      const std::vector<uint8_t>* answers =
          repeat_answers && fn.repeat >= 0 && static_cast<size_t>(fn.repeat) < repeat_answers->size()
              ? (*repeat_answers)[fn.repeat]
              : nullptr;
      for (uint32_t i = 0; i < n; ++i) {
        const uint32_t t = ticket(i);
        // The answers use the same 0 false / 1 true / 2 null encoding.
        const uint8_t a = answers && t < answers->size() ? (*answers)[t] : kNullBool;
        v[i] = a <= kNullBool ? a : kNullBool;
      }
      return;
    }
  }
}

}  // namespace

void EvalTicketFunction(const BoundExpr& fn, SegmentRows& rows, const uint32_t* sel, uint32_t n,
                        const std::vector<const std::vector<uint8_t>*>* repeat_answers, Vec* out) {
  const std::string key = RowMemoKey(fn, Source::kTickets, rows.created_code());
  const uint32_t nt = rows.seg().num_tickets();
  // At most 9 bytes per ticket (a number or time and its validity).
  if (!key.empty()) {
    const Vec* all = Memoized<Vec>(rows.seg(), key, size_t{nt} * 9, [&](Vec* v) {
      Compute(fn, rows, nullptr, nt, repeat_answers, v);
    }, [&](const Vec& v) { return VecFits(v, fn.type, nt); });
    if (all != nullptr) {
      SelectRows(*all, sel, n, out);
      return;
    }
  }
  Compute(fn, rows, sel, n, repeat_answers, out);
}

}  // namespace kpi::query
