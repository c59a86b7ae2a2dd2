#include "query/execution/repeat_index.h"

#include <algorithm>

#include "query/execution/group_table.h"
#include "query/execution/parallel_scan.h"

namespace kpi::query {

namespace {
constexpr uint8_t kAnswerFalse = 0, kAnswerTrue = 1, kAnswerNull = 2;
constexpr size_t kMinEntriesPerThread = 100'000;  // below it a thread costs more than it saves

// Entries per partition of the hashed path: its group table and entries
// stay in the CPU caches while it is grouped.
constexpr size_t kEntriesPerPartition = 8192;
constexpr int kMaxPartitionBits = 14;
}  // namespace

struct RepeatIndex::Entry {
  int64_t time;
  uint32_t slot;
  uint32_t ticket;
};

void RepeatIndex::AnswerGroup(Entry* b, Entry* e) {
  if (e - b > 1) std::sort(b, e, [](const Entry& x, const Entry& y) { return x.time < y.time; });
  bool have_earlier = false;
  int64_t earlier = 0;  // the latest time strictly before the current one
  for (Entry* i = b; i < e; ++i) {
    if (i > b && i->time != (i - 1)->time) {
      have_earlier = true;
      earlier = (i - 1)->time;
    }
    const bool repeat = have_earlier && earlier >= i->time - window_ms_;
    std::vector<uint8_t>* answers = i->slot < writable_.size() ? writable_[i->slot] : nullptr;
    if (answers != nullptr && i->ticket < answers->size()) (*answers)[i->ticket] = repeat ? kAnswerTrue : kAnswerFalse;
  }
}

// Large code spaces: the entries are scattered into partitions by a hash
// of their codes (a group never spans two), then each partition is grouped
// with a table of its own, on `threads` threads. One table over every
// entry would miss the CPU caches on nearly every lookup once the groups
// number millions (customers x categories at 20M tickets).
void RepeatIndex::FinishPartitioned(const std::vector<Collector>& collectors, int threads, size_t n) {
  int bits = 0;
  while (bits < kMaxPartitionBits && (n >> bits) > kEntriesPerPartition) ++bits;
  const size_t parts = size_t{1} << bits;
  // The table's own hash, scrambled again so that the partition (its top
  // bits) says nothing of the slot a partition's table gives (its low bits).
  std::vector<uint64_t> key(dims_);
  auto hash = [&](const uint32_t* codes) {
    for (size_t d = 0; d < dims_; ++d) key[d] = codes[d];
    return GroupTable::HashKey(key.data(), dims_) * 0x9E3779B97F4A7C15ull;
  };
  std::vector<uint16_t> part_of(n);
  std::vector<uint32_t> offsets(parts + 1, 0);
  {
    size_t k = 0;
    for (const Collector& c : collectors) {
      for (size_t e = 0; e < c.times_.size(); ++e, ++k) {
        const uint16_t p = bits == 0 ? 0 : static_cast<uint16_t>(hash(&c.codes_[e * dims_]) >> (64 - bits));
        part_of[k] = p;
        offsets[p + 1]++;
      }
    }
  }
  for (size_t p = 0; p < parts; ++p) offsets[p + 1] += offsets[p];
  std::vector<Entry> entries(n);
  std::vector<uint32_t> codes(n * dims_);
  {
    std::vector<uint32_t> fill(offsets.begin(), offsets.end() - 1);
    size_t k = 0;
    for (const Collector& c : collectors) {
      for (size_t e = 0; e < c.times_.size(); ++e, ++k) {
        const uint32_t at = fill[part_of[k]]++;
        entries[at] = Entry{c.times_[e], c.slots_[e], c.tickets_[e]};
        std::copy_n(&c.codes_[e * dims_], dims_, &codes[size_t{at} * dims_]);
      }
    }
  }
  part_of = {};
  // Partitions are independent and each ticket is in exactly one: every
  // answer is written by one thread.
  auto group_partition = [&](size_t p) {
    const uint32_t b = offsets[p], e = offsets[p + 1];
    if (b == e) return;
    GroupTable table(dims_);
    std::vector<uint64_t> key(dims_);
    std::vector<uint32_t> group(e - b);
    for (uint32_t i = b; i < e; ++i) {
      for (size_t d = 0; d < dims_; ++d) key[d] = codes[size_t{i} * dims_ + d];
      bool inserted;
      group[i - b] = table.FindOrInsert(key.data(), &inserted);
    }
    std::vector<uint32_t> goff(table.size() + 1, 0);
    for (uint32_t g : group) goff[g + 1]++;
    for (size_t g = 0; g < table.size(); ++g) goff[g + 1] += goff[g];
    std::vector<Entry> sorted(e - b);
    std::vector<uint32_t> fill(goff.begin(), goff.end() - 1);
    for (uint32_t i = b; i < e; ++i) sorted[fill[group[i - b]]++] = entries[i];
    for (size_t g = 0; g < table.size(); ++g) AnswerGroup(sorted.data() + goff[g], sorted.data() + goff[g + 1]);
  };
  if (threads <= 1 || n < kMinEntriesPerThread) {
    for (size_t p = 0; p < parts; ++p) group_partition(p);
    return;
  }
  // No stop conditions: the caller checks them around the pre-pass.
  (void)RunParallel(threads, parts, StopConditions{}, [&](int, size_t p) {
    group_partition(p);
    return Status::OK();
  });
}

void RepeatIndex::Collector::Reserve(size_t tickets) {
  codes_.reserve(tickets * dims_);
  times_.reserve(tickets);
  slots_.reserve(tickets);
  tickets_.reserve(tickets);
}

void RepeatIndex::Collector::Add(const uint32_t* codes, int64_t created_ms, uint32_t slot, uint32_t ticket) {
  codes_.insert(codes_.end(), codes, codes + dims_);
  times_.push_back(created_ms);
  slots_.push_back(slot);
  tickets_.push_back(ticket);
}

RepeatIndex::RepeatIndex(size_t dims, int64_t window_ms, std::vector<std::pair<uint32_t, uint32_t>> segments)
    : dims_(dims),
      window_ms_(window_ms),
      segments_(std::move(segments)),
      answers_(segments_.size()),
      writable_(segments_.size(), nullptr) {}

void RepeatIndex::StartSegment(uint32_t slot, uint32_t num_tickets) {
  if (slot >= answers_.size()) return;
  auto answers = std::make_shared<std::vector<uint8_t>>(num_tickets, kAnswerNull);
  writable_[slot] = answers.get();
  answers_[slot] = std::move(answers);
}

std::shared_ptr<const std::vector<uint8_t>> RepeatIndex::SlotAnswers(uint32_t slot) const {
  return slot < answers_.size() ? answers_[slot] : nullptr;
}

void RepeatIndex::Adopt(uint32_t slot, std::shared_ptr<const std::vector<uint8_t>> answers) {
  if (slot >= answers_.size()) return;
  writable_[slot] = nullptr;
  answers_[slot] = std::move(answers);
}

void RepeatIndex::Finish(std::vector<Collector>* collectors, int threads) {
  size_t n = 0;
  for (const Collector& c : *collectors) n += c.times_.size();
  if (n == 0) return;

  // Group index of every entry: dense over small code spaces, hashed
  // (FinishPartitioned) otherwise.
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
  if (!dense) {
    FinishPartitioned(*collectors, threads, n);
    return;
  }
  std::vector<uint32_t> group(n);
  const size_t groups = space;
  {
    size_t k = 0;
    for (const Collector& c : *collectors) {
      for (size_t e = 0; e < c.times_.size(); ++e, ++k) {
        uint64_t index = 0;
        for (size_t d = 0; d < dims_; ++d) index = index * (max_code[d] + 1) + c.codes_[e * dims_ + d];
        group[k] = static_cast<uint32_t>(index);
      }
    }
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
    for (size_t g = g_begin; g < g_end; ++g) AnswerGroup(sorted.data() + offsets[g], sorted.data() + offsets[g + 1]);
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
  return answers_[it - segments_.begin()].get();
}

}  // namespace kpi::query
