// Kept partial states one level up (kept_states.h): the states of a
// partition's segments combined into one, so that a repeat of a statement
// combines one state per partition (day) instead of one per segment. A
// warm statement then touches ~365 partitions a year whatever the store's
// size, not its thousands of segments (whose states no longer sit in the
// CPU caches at 20M tickets).
//
// The rule: a partition's combined states are kept under the statement's
// KeptStatesKey followed by RollupKey's versions part, which names every
// segment version (partition, segment, generation) the statement planned
// in the partition, in plan order. Any seal that adds or rewrites one of
// them (a new segment, a reseal, a delta, a correction, a retraction) makes
// a new generation and so a new key; a statement planning a different
// subset of the partition's segments (pruning) has its own key too. They
// are kept only when every one of those versions was read whole: never for
// an `as of` reading a segment with later batches (its filtered copy), nor
// with a version holding corrections (always filtered); such partitions
// combine their segments' states one by one, as without rollups.
// Statements with an aggregate keeping every value (percentiles:
// AggregateFamily::kept_values), whose combined states would not fit one
// version's memo, keep under the same key the partition's members instead
// (KeptMembers): each segment's kept states, not owned (their own memos
// keep and charge them), so a repeat combines them without looking each
// segment up; when one is gone the partition is read segment by segment.
// Where: in the memo of the partition's newest version (highest
// generation), which a change to the partition replaces, so stale rollups
// go with the versions nothing plans any more; charged to that version's
// cache entry like any memo value (KeptStatesBytes), lost with it.
// Thread safety: StatesRollup is one thread's; the functions are pure.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "query/binder/bound_expr.h"
#include "query/execution/group_table.h"
#include "query/execution/kept_states.h"
#include "storage/store.h"

namespace kpi::query {

// The key of the combined states of refs[0..n) under `states_key`.
std::string RollupKey(const std::string& states_key, const storage::SegmentRef* refs, size_t n);

// The one of refs[0..n) whose memo holds their combined states.
size_t RollupAnchor(const storage::SegmentRef* refs, size_t n);

// A partition's segments' kept states, each held by its own version's
// memo; expired when that memo is evicted.
struct KeptMembers {
  std::vector<std::weak_ptr<const KeptStates>> states;
};

// Combines segments' kept states of `q` into one (the union of their
// groups, each group's states combined in the order added).
class StatesRollup {
 public:
  explicit StatesRollup(const BoundQuery& q);
  // False (nothing added) when `s`'s group key types or string domains
  // differ from those added before: such states are not combined.
  bool Add(const KeptStates& s);
  std::shared_ptr<KeptStates> Take();

 private:
  const BoundQuery& q_;
  GroupTable table_;
  std::vector<uint32_t> map_;
  std::shared_ptr<KeptStates> out_;
};

}  // namespace kpi::query
