#include "storage/segment_cache.h"

namespace kpi::storage {

namespace {
constexpr size_t kMemoSlackBytes = 16 << 10;
}  // namespace

std::shared_ptr<const Segment> SegmentCache::Find(uint32_t partition, uint32_t segment, uint64_t generation,
                                                  const SegmentColumns& want, uint64_t scan) {
  auto item = lru_.Find(
      Key{partition, segment, generation, kColumns}, [&](const Item& i) { return i.segment->columns.Covers(want); },
      scan);
  (item ? hits_ : misses_).fetch_add(1, std::memory_order_relaxed);
  return item ? item->segment : nullptr;
}

std::shared_ptr<MemoValues> SegmentCache::FindMemo(uint32_t partition, uint32_t segment, uint64_t generation,
                                                   uint64_t scan) {
  const Key key{partition, segment, generation, kMemo};
  auto item = lru_.Find(key, nullptr, scan);
  (item ? memo_hits_ : memo_misses_).fetch_add(1, std::memory_order_relaxed);
  if (!item) return nullptr;
  lru_.Raise(key, 1);
  return item->memo;
}

void SegmentCache::ClaimLater(std::vector<Version> versions, uint64_t scan) {
  if (scan == 0 || versions.empty()) return;
  std::lock_guard lock(pending_mu_);
  pending_.emplace_back(scan, std::move(versions));
  any_pending_.store(true, std::memory_order_release);
}

void SegmentCache::EndScan(uint64_t scan) {
  std::lock_guard lock(pending_mu_);
  std::erase_if(pending_, [scan](const auto& p) { return p.first == scan; });
  any_pending_.store(!pending_.empty(), std::memory_order_release);
}

void SegmentCache::ClaimPending() {
  if (!any_pending_.load(std::memory_order_acquire)) return;
  // Held while claiming: another reader of the scan making room waits for
  // the claims rather than evicting what they name.
  std::lock_guard lock(pending_mu_);
  for (const auto& [scan, versions] : pending_)
    for (const Version& v : versions) {
      lru_.Claim(Key{v.partition, v.segment, v.generation, kColumns}, scan);
      lru_.Claim(Key{v.partition, v.segment, v.generation, kMemo}, scan);
    }
  pending_.clear();
  any_pending_.store(false, std::memory_order_release);
}

SegmentColumns SegmentCache::CachedColumns(uint32_t partition, uint32_t segment, uint64_t generation) const {
  auto cached = lru_.Peek(Key{partition, segment, generation, kColumns});
  return cached ? cached->segment->columns : SegmentColumns();
}

std::shared_ptr<MemoValues> SegmentCache::MemoFor(const Key& memo_key, const Segment& decoded, uint64_t scan,
                                                  uint8_t rank) {
  std::shared_ptr<const Item> item = lru_.Find(memo_key, nullptr, scan);
  if (item) {
    lru_.Raise(memo_key, rank);
  } else {
    // With the values, the ticket structure a hollow segment is made of;
    // not for a version holding corrections, which a reader always filters
    // (a copy without the values).
    auto fresh = std::make_shared<Item>();
    fresh->memo =
        std::make_shared<MemoValues>(decoded.has_corrections() ? std::vector<uint32_t>() : decoded.event_begin);
    const size_t bytes = sizeof(Item) + sizeof(MemoValues) + fresh->memo->event_begin().size() * 4;
    if (!lru_.Insert(memo_key, fresh, bytes, scan, rank)) return nullptr;
    item = std::move(fresh);
  }
  const Item* which = item.get();
  // Room for twice the decoded columns (a decoded copy may hold a few of
  // them only) and a little more (values with a fixed part, on small
  // segments): every statement's values together stay of the columns' order.
  item->memo->SetAccounting(2 * decoded.MemoryBytes() + kMemoSlackBytes,
                            [this, memo_key, which](size_t grew) {
                              ClaimPending();
                              return lru_.Grow(memo_key, which, grew);
                            });
  return item->memo;
}

void SegmentCache::Insert(uint32_t partition, uint32_t segment, uint64_t generation,
                          std::shared_ptr<const Segment> value, uint64_t scan, bool values_first) {
  ClaimPending();  // before anything is evicted
  // The values first, before the segment can be found: its handle is set
  // once, while no other reader has it.
  if (!value->memo.values())
    value->memo.Attach(MemoFor(Key{partition, segment, generation, kMemo}, *value, scan, values_first ? 1 : 0));
  auto item = std::make_shared<Item>();
  const size_t bytes = value->MemoryBytes();
  item->segment = std::move(value);
  lru_.Insert(Key{partition, segment, generation, kColumns}, std::move(item), bytes, scan);
}

void SegmentCache::HollowDecoded() {
  memo_hits_.fetch_sub(1, std::memory_order_relaxed);
  memo_misses_.fetch_add(1, std::memory_order_relaxed);
}

CacheStats SegmentCache::Stats() const {
  CacheStats s = lru_.KindStats(kColumns);
  s.hits = hits_.load(std::memory_order_relaxed);
  s.misses = misses_.load(std::memory_order_relaxed);
  return s;
}

CacheStats SegmentCache::MemoStats() const {
  CacheStats s = lru_.KindStats(kMemo);
  s.hits = memo_hits_.load(std::memory_order_relaxed);
  s.misses = memo_misses_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace kpi::storage
