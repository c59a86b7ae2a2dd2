#include "cli/gen/event_order.h"

#include <algorithm>
#include <cmath>

#include "cli/gen/random.h"

namespace kpi::gen {

namespace {

constexpr uint64_t kLateStream = 31;
constexpr uint64_t kShuffleStream = 32;

// std heaps are max-heaps: "less" means "later" to keep the earliest on top.
bool LaterThan(const CompactEvent& a, const CompactEvent& b) { return EarlierThan(b, a); }

void Shuffle(std::vector<CompactEvent>::iterator begin, std::vector<CompactEvent>::iterator end,
             Rng& rng) {
  for (auto n = end - begin; n > 1; --n) {
    std::swap(begin[n - 1],
              begin[static_cast<std::ptrdiff_t>(rng.Below(static_cast<uint64_t>(n)))]);
  }
}

}  // namespace

LateSelector::LateSelector(const GenOptions& options)
    : seed_(options.seed), all_late_(options.late_fraction >= 1.0) {
  // 2^64 * f, computed without overflow; f <= 0 (or NaN) selects nothing.
  const double f = options.late_fraction;
  threshold_ = f > 0 && f < 1 ? static_cast<uint64_t>(std::ldexp(f, 64)) : 0;
}

bool LateSelector::IsLate(const CompactEvent& e) const {
  return all_late_ || HashKey(seed_, kLateStream, e.ticket, e.seq) < threshold_;
}

TimeOrderedStream::TimeOrderedStream(const GenOptions& options, Lateness lateness)
    : source_(options), late_(options), lateness_(lateness) {}

bool TimeOrderedStream::Next(CompactEvent* out) {
  for (;;) {
    // Every event of tickets not yet created is at or after their creation,
    // so the heap's earliest event is final once it is not after that.
    if (!heap_.empty() && (source_.done() || heap_.front().ts_ms <= source_.next_created_ms())) {
      std::pop_heap(heap_.begin(), heap_.end(), LaterThan);
      *out = heap_.back();
      heap_.pop_back();
      return true;
    }
    if (source_.done()) return false;
    scratch_.clear();
    source_.Emit(&scratch_);
    for (const CompactEvent& e : scratch_) {
      if (!late_.Keeps(lateness_, e)) continue;
      heap_.push_back(e);
      std::push_heap(heap_.begin(), heap_.end(), LaterThan);
    }
    peak_pending_ = std::max(peak_pending_, heap_.size());
  }
}

void ShuffledEvents(const GenOptions& options, std::vector<CompactEvent>* out) {
  out->clear();
  out->reserve(static_cast<size_t>(options.tickets) * 15 / 2);  // ~6.9 events per ticket
  TicketSource source(options);
  while (!source.done()) source.Emit(out);
  // stable_partition: its result, unlike std::partition's, is fully specified.
  LateSelector late(options);
  auto late_begin = out->end();
  if (options.late_fraction > 0) {
    late_begin = std::stable_partition(out->begin(), out->end(),
                                       [&](const CompactEvent& e) { return !late.IsLate(e); });
  }
  Rng rng(HashKey(options.seed, kShuffleStream, 0));
  Shuffle(out->begin(), late_begin, rng);
  Shuffle(late_begin, out->end(), rng);
}

}  // namespace kpi::gen
