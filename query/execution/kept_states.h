// Kept partial states: one segment's groups and aggregate states for a
// statement, kept in the segment version's memo (storage/segment_memo.h)
// so that a repeat of the statement combines them instead of reading the
// segment's rows again. Such a repeat reads no column: the segment is
// loaded hollow (hollow_scan.h), and only a miss decodes it. This is what
// lets statements over event rows (event times, agents, measures) repeat
// without decoding, which per-row memo values never could.
//
// The rule (KeptStatesKey): a statement qualifies when everything its
// states depend on is named by the key, so that two statements with the
// same key build equal states from the same segment version:
//   * its rows depend on the segment and the key only: no scope,
//     exemptions or nested select; over tickets every ticket, or those
//     holding the `at` event (AtMemoKey); a `during` window is named by
//     its bounds;
//   * its `where`, each group key (a bucket of the placement: BucketMemoKey,
//     or an expression: RowMemoKey) and each aggregate argument has a memo
//     key (memo_keys.h: no joins, scalar functions, business calendars,
//     ticket ids; repeat_within only named by the key of the answers its
//     pre-pass read, RepeatMemoKey, which names every version they depend on);
//   * each aggregate's family keeps per-segment states
//     (AggregateFamily::kept_group_bytes: count, sum, avg, rate, ratio,
//     percentiles as sorted runs), not over cycles.
// The key spells out the source, the rows, the `where`, each group key
// and each aggregate (name, parameter, argument and result types,
// arguments). Group key values are rebuilt from their key parts
// (key_parts.h PartValue), so a group costs its parts and its states only.
//
// Exactness: states are kept in the memo of the version they were built
// from, which `as of` copies and versions holding corrections never have
// (their states are built per query); a reseal is a new generation with
// memo of its own. A statement's every segment goes through its kept
// states, built on a miss, so first runs and repeats combine the same
// partial states (the states' Combine is exact for counts and for sums of
// integral values, compensated otherwise: aggregate.h).
// On disk: a process writing derived-value files (disk_memo.h: a
// one-statement `kpi query`) writes the states it keeps in a version's own
// memo under the same key, and a later process reads them for that very
// version instead of building them (never for an `as of` or corrected
// copy, which has no memo of its own).
// Budget: a kept state is a memo value like any other, charged to its
// version's cache entry (KeptStates::Bytes) and evicted with it; values
// derived while building the states are not kept (MemoBuildDepth).
// Thread safety: KeptStatesKey is a pure function; kept states are
// immutable once kept (Combine reads them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "query/aggregates/aggregate.h"
#include "query/backend/backend.h"
#include "query/binder/bound_expr.h"

namespace kpi::query {

struct KeptStates {
  size_t groups = 0;               // local groups of the segment
  std::vector<ValueType> types;    // per group key: its values' type ...
  std::vector<StrDomain> domains;  // ... and string domain (PartValue)
  std::vector<uint64_t> parts;     // per local group, one part per group key
  std::vector<std::unique_ptr<AggregateState>> aggs;  // per aggregate, `groups` groups
  size_t bytes = 0;                // what the memo is charged
};

// The key a statement's states are kept under, "" when it does not qualify
// (always under MemoOff()).
// `repeats`: the query's repeat_within answers' keys (RowMemoKey), once
// its pre-pass has run.
std::string KeptStatesKey(const BoundQuery& q, const ExecOptions& options, uint32_t created_code,
                          const std::vector<std::string>* repeats = nullptr);

// Bytes a KeptStates of `groups` groups of `q` is charged.
size_t KeptStatesBytes(const BoundQuery& q, size_t groups);

// Readies built states of `q` to be kept (AggregateState::Freeze) and
// sets their bytes: KeptStatesBytes and what the states hold beyond it.
void FinishKeptStates(const BoundQuery& q, KeptStates* s);

}  // namespace kpi::query
