// Aggregate functions: one family per file (count.cc, sum_avg.cc, ...),
// registered from the one table in registry.cc.
//
// An AggregateState holds the partial states of ONE aggregate of a query for
// every group a worker has seen, as a column (struct of arrays): the
// executor calls Update once per batch with the group id of each selected
// row, never once per row, so there is no virtual call per row.
//   Resize(n)     groups [old size, n) start from the initial state (init)
//   Update        folds a batch of argument values into the groups' states
//   Combine       folds another worker's states in (group ids remapped)
//   Finalize      the value of one group
//   FinalizeUnion (optional) the value of several groups together
//   EncodeGroups / DecodeGroups (kept families) the states as bytes
// Combining partial states in any order gives the same result as one
// sequential pass (up to floating-point rounding of non-integral sums, which
// use compensated summation).
// Thread safety: a state belongs to one worker until the merge, which runs
// on one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "query/binder/bound_expr.h"
#include "query/result.h"
#include "query/execution/vector.h"

namespace kpi::storage {
struct Segment;
}

namespace kpi::query {

struct AggregateInput {
  const Vec* args[2] = {nullptr, nullptr};  // aligned with the batch's selected rows
  const storage::Segment* segment = nullptr;  // the batch's segment (ticket ids)
  uint32_t segment_ordinal = 0;               // makes ticket identities unique across segments
};

class AggregateState {
 public:
  virtual ~AggregateState() = default;
  virtual void Resize(size_t groups) = 0;
  // `gids[i]` is the group of row i; nullptr puts every row in group 0.
  virtual void Update(const uint32_t* gids, uint32_t n, const AggregateInput& in) = 0;
  // Folds `other` (same concrete type) in: its group g goes to group_map[g].
  virtual void Combine(const AggregateState& other, const uint32_t* group_map) = 0;
  virtual Value Finalize(size_t group) const = 0;
  // Kept partial states (query/execution/kept_states.h): readies a state
  // to be kept and combined into others by many readers at once (a family
  // whose groups vary in size then shares its values with them instead of
  // copying), and the bytes it holds beyond kept_group_bytes per group.
  virtual void Freeze() {}
  virtual size_t HeldBytes() const { return 0; }
  // Optional, for rolling windows (query/trends/rolling.cc): the value over
  // the union of groups[0..n), read in place instead of combined into a
  // copy. Families without it return false and the caller combines.
  virtual bool FinalizeUnion(const uint32_t* groups, size_t n, Value* out) const {
    (void)groups, (void)n, (void)out;
    return false;
  }
  // Kept families (kept_group_bytes > 0): every group's state as bytes
  // (appended to *out), and back into a state created for the same spec
  // (false for bytes that are not a whole encoding of `groups` groups).
  // Kept states written to the derived-value files
  // (query/execution/disk_memo.h) go through them.
  virtual void EncodeGroups(std::string* out) const { (void)out; }
  virtual bool DecodeGroups(std::string_view bytes, size_t groups) {
    (void)bytes, (void)groups;
    return false;
  }
};

struct AggregateFamily {
  int min_args = 1, max_args = 1;
  // Checks the argument types, sets the result type; false with *error.
  bool (*check)(const std::vector<ValueType>& arg_types, ValueType* out, std::string* error) = nullptr;
  std::unique_ptr<AggregateState> (*create)(const AggregateSpec& spec, const BoundQuery& query) = nullptr;
  bool param_is_fraction = false;  // the last argument is a literal fraction in [0, 1] (percentile)
  // Bytes per group of a state whose Combine reads nothing but the other
  // state (no segment, no row values): one segment's partial states may
  // then be kept with the segment and combined by later queries
  // (query/execution/kept_states.h); what a group holds beyond it is
  // AggregateState::HeldBytes. 0: not kept.
  size_t kept_group_bytes = 0;
  // Kept states whose groups hold their values (percentiles: every value,
  // HeldBytes): combined per segment only, never rolled up per partition
  // (query/execution/kept_rollup.h), whose one memo could not hold them.
  bool kept_values = false;
};

struct AggregateEntry {
  const char* name;
  const AggregateFamily* family;
  double fixed_param;  // p50 .. p99: the fraction; otherwise -1
};

const AggregateEntry* FindAggregate(std::string_view name);
const std::vector<std::string>& AggregateNames();

// The families (one per file).
extern const AggregateFamily kCountFamily;
extern const AggregateFamily kSumFamily;
extern const AggregateFamily kAvgFamily;
extern const AggregateFamily kMinFamily;
extern const AggregateFamily kMaxFamily;
extern const AggregateFamily kPercentileFamily;
extern const AggregateFamily kRateFamily;
extern const AggregateFamily kRatioFamily;
extern const AggregateFamily kDistinctFamily;

}  // namespace kpi::query
