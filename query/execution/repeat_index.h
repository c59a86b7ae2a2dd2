// RepeatIndex: the answers of repeat_within(d, dims...) for every ticket,
// computed in a pre-pass so the main scan only reads them.
//
// The pre-pass scans every ticket that may matter (the query window widened
// by d before it, so earlier contacts outside the window count) with one
// Collector per worker, adding (dimension codes, creation time, segment
// slot, ticket index) for each ticket whose dimensions are all non-null.
// Finish() (on up to `threads` threads) groups the tickets by their codes (a dense index over the codes
// when the code space is small; otherwise hash tables, one per partition of
// the tickets by a hash of their codes, sized to stay in the CPU caches),
// sorts each group by
// creation time and answers, for each ticket, whether another one of its
// group was created in [created - d, created): exactly d earlier counts, the
// same instant does not. Tickets with a null dimension answer null.
//
// Thread safety: each Collector belongs to one worker; StartSegment may be
// called concurrently for distinct slots; Finish is called once (it may
// start threads of its own); the const accessors may then be used by many
// threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace kpi::query {

class RepeatIndex {
 public:
  // `segments`: (partition, segment) of each slot, sorted ascending.
  RepeatIndex(size_t dims, int64_t window_ms, std::vector<std::pair<uint32_t, uint32_t>> segments);

  class Collector {
   public:
    explicit Collector(size_t dims) : dims_(dims) {}
    // Room for `tickets` entries (the vectors then grow without copying).
    void Reserve(size_t tickets);
    void Add(const uint32_t* codes, int64_t created_ms, uint32_t slot, uint32_t ticket);

   private:
    friend class RepeatIndex;
    size_t dims_;
    std::vector<uint32_t> codes_;  // dims_ per entry
    std::vector<int64_t> times_;
    std::vector<uint32_t> slots_, tickets_;
  };

  // Gives slot `slot` room for `num_tickets` answers (null until Finish).
  void StartSegment(uint32_t slot, uint32_t num_tickets);
  void Finish(std::vector<Collector>* collectors, int threads = 1);
  // Slot `slot`'s answers, as Finish left them (null before StartSegment),
  // to keep; or kept ones, adopted instead of a pre-pass (the caller vouches
  // that they are what Finish would give).
  std::shared_ptr<const std::vector<uint8_t>> SlotAnswers(uint32_t slot) const;
  void Adopt(uint32_t slot, std::shared_ptr<const std::vector<uint8_t>> answers);

  // Per ticket of segment (partition, segment): 1 true, 0 false, 2 null;
  // nullptr when the pre-pass did not scan that segment.
  const std::vector<uint8_t>* Answers(uint32_t partition, uint32_t segment) const;

 private:
  struct Entry;
  // Answers the tickets of one group, [b, e): sorted by creation time.
  void AnswerGroup(Entry* b, Entry* e);
  void FinishPartitioned(const std::vector<Collector>& collectors, int threads, size_t n);

  size_t dims_;
  int64_t window_ms_;
  std::vector<std::pair<uint32_t, uint32_t>> segments_;
  std::vector<std::shared_ptr<const std::vector<uint8_t>>> answers_;  // per slot
  std::vector<std::vector<uint8_t>*> writable_;  // per slot: its answers while Finish fills them
};

}  // namespace kpi::query
