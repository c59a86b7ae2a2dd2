#include "query/execution/repeat_index.h"

#include <algorithm>

#include "query/execution/group_table.h"
#include "query/execution/parallel_scan.h"

namespace kpi::query {

namespace {
constexpr uint8_t kAnswerFalse = 0, kAnswerTrue = 1, kAnswerNull = 2;
constexpr size_t kMinEntriesPerThread = 100'000;  // below it a thread costs more than it saves

struct Entry {
  int64_t time;
  uint32_t slot;
  uint32_t ticket;
};
}  // namespace

void RepeatIndex::Collector::Add(const uint32_t* codes, int64_t created_ms, uint32_t slot, uint32_t ticket) {
  codes_.insert(codes_.end(), codes, codes + dims_);
  times_.push_back(created_ms);
  slots_.push_back(slot);
  tickets_.push_back(ticket);
}

RepeatIndex::RepeatIndex(size_t dims, int64_t window_ms, std::vector<std::pair<uint32_t, uint32_t>> segments)
    : dims_(dims), window_ms_(window_ms), segments_(std::move(segments)), answers_(segments_.size()) {}

void RepeatIndex::StartSegment(uint32_t slot, uint32_t num_tickets) {
  if (slot < answers_.size()) answers_[slot].assign(num_tickets, kAnswerNull);
}

void RepeatIndex::Finish(std::vector<Collector>* collectors, int threads) {
  size_t n = 0;
  for (const Collector& c : *collectors) n += c.times_.size();
  if (n == 0) return;

  // Group index of every entry: dense over small code spaces, hashed otherwise.
  std::vector<uint32_t> group(n);
  size_t groups = 0;
  std::vector<uint64_t> max_code(dims_, 0);
  for (const Collector& c : *collectors)
    for (size_t i = 0; i < c.codes_.size(); ++i) max_code[i % dims_] = std::max<uint64_t>(max_code[i % dims_], c.codes_[i]);
  uint64_t space = 1;
  bool dense = dims_ > 0;
  for (uint64_t m : max_code) {
    space *= m + 1;
    if (space > std::max<uint64_t>(uint64_t{4} * n, uint64_t{1} << 20) || space > (uint64_t{1} << 24)) {
      dense = false;
      break;
    }
  }
  if (dense) {
    size_t k = 0;
    for (const Collector& c : *collectors) {
      for (size_t e = 0; e < c.times_.size(); ++e, ++k) {
        uint64_t index = 0;
        for (size_t d = 0; d < dims_; ++d) index = index * (max_code[d] + 1) + c.codes_[e * dims_ + d];
        group[k] = static_cast<uint32_t>(index);
      }
    }
    groups = space;
  } else {
    GroupTable table(dims_);
    std::vector<uint64_t> key(dims_);
    size_t k = 0;
    for (const Collector& c : *collectors) {
      for (size_t e = 0; e < c.times_.size(); ++e, ++k) {
        for (size_t d = 0; d < dims_; ++d) key[d] = c.codes_[e * dims_ + d];
        bool inserted;
        group[k] = table.FindOrInsert(key.data(), &inserted);
      }
    }
    groups = table.size();
  }

  // Counting sort by group, then each group by time.
  std::vector<uint32_t> offsets(groups + 1, 0);
  for (uint32_t g : group) offsets[g + 1]++;
  for (size_t g = 0; g < groups; ++g) offsets[g + 1] += offsets[g];
  std::vector<Entry> sorted(n);
  {
    std::vector<uint32_t> fill(offsets.begin(), offsets.end() - 1);
    size_t k = 0;
    for (const Collector& c : *collectors)
      for (size_t e = 0; e < c.times_.size(); ++e, ++k)
        sorted[fill[group[k]]++] = Entry{c.times_[e], c.slots_[e], c.tickets_[e]};
  }
  group = {};
  // Groups are independent and each ticket is in exactly one: split them
  // over the threads by entry count; every answer is written by one thread.
  auto answer_groups = [&](size_t g_begin, size_t g_end) {
    for (size_t g = g_begin; g < g_end; ++g) {
      const uint32_t b = offsets[g], e = offsets[g + 1];
      if (e - b > 1)
        std::sort(sorted.begin() + b, sorted.begin() + e,
                  [](const Entry& x, const Entry& y) { return x.time < y.time; });
      bool have_earlier = false;
      int64_t earlier = 0;  // the latest time strictly before the current one
      for (uint32_t i = b; i < e; ++i) {
        if (i > b && sorted[i].time != sorted[i - 1].time) {
          have_earlier = true;
          earlier = sorted[i - 1].time;
        }
        const bool repeat = have_earlier && earlier >= sorted[i].time - window_ms_;
        const Entry& en = sorted[i];
        if (en.slot < answers_.size() && en.ticket < answers_[en.slot].size())
          answers_[en.slot][en.ticket] = repeat ? kAnswerTrue : kAnswerFalse;
      }
    }
  };
  if (threads <= 1 || n < kMinEntriesPerThread) {
    answer_groups(0, groups);
    return;
  }
  std::vector<size_t> cuts = {0};
  for (int t = 1; t < threads; ++t) {
    const uint32_t target = static_cast<uint32_t>(n * t / threads);
    cuts.push_back(static_cast<size_t>(std::lower_bound(offsets.begin(), offsets.end() - 1, target) - offsets.begin()));
  }
  cuts.push_back(groups);
  // No stop conditions: the caller checks them around the pre-pass.
  (void)RunParallel(threads, cuts.size() - 1, StopConditions{}, [&](int, size_t c) {
    answer_groups(cuts[c], cuts[c + 1]);
    return Status::OK();
  });
}

const std::vector<uint8_t>* RepeatIndex::Answers(uint32_t partition, uint32_t segment) const {
  auto it = std::lower_bound(segments_.begin(), segments_.end(), std::make_pair(partition, segment));
  if (it == segments_.end() || *it != std::make_pair(partition, segment)) return nullptr;
  return &answers_[it - segments_.begin()];
}

}  // namespace kpi::query
