// Memo keys of row-context expressions (query/execution/ticket_memo.h): the
// one rule saying when a value computed over every row of a segment (its
// tickets, or its events) may be kept with the segment and served to later
// queries, and under which key.
//
// An expression qualifies when its value at a row depends only on the
// segment's data and on what the key spells out: per-ticket functions but
// repeat_within (it reads other segments) and durations in a business
// calendar (the query's calendar); over tickets the creation time, the
// latest dimension value and the last measure value of the ticket; over
// events the event's time, name, agent, sticky dimension values and
// measure values; numeric, boolean, time
// and null constants; `not`, negation, arithmetic, comparisons, `and`/`or`
// and `in` over those; dictionary values compared with string constants
// (by their resolved codes, so a constant that later enters the dictionary
// makes a different key). Anything else (joins, scalar functions, time zone
// dependent buckets, literal strings) has no key and is computed per query.
// Every key also names the source and the code of the event `created`, which the creation
// time depends on.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "query/binder/bound_expr.h"
#include "storage/store.h"

namespace kpi::query {

// Keys longer than this stand as "#sha256:", their length and their
// SHA-256 (sha256.h; no key spelled out starts with "#"): a statement with a huge
// constant list (a 100k-element `in` makes a ~2.5 MB key) would otherwise
// hash its key at every memo and file lookup, store it in every derived-
// value file's header and compare it per segment. The digest is taken
// once per key; the values stay kept and shared (docs/performance.md,
// "Memo keys of huge statements").
inline constexpr size_t kMaxMemoKeyBytes = 4096;
// `key` itself when at most kMaxMemoKeyBytes, else its digest form ("" stays "").
std::string BoundedMemoKey(std::string key);

// The key of `e` over the rows of `source`, or "" when it does not qualify
// (BoundedMemoKey: a long one digested).
// With `repeats` (per repeat_within of the query, the RepeatMemoKey of the
// answers its pre-pass found or built; "" for none) a repeat_within
// qualifies too, named by that key: for values kept no longer than those
// answers hold (kept partial states, kept_states.h), never per-row values.
std::string RowMemoKey(const BoundExpr& e, Source source, uint32_t created_code,
                       const std::vector<std::string>* repeats = nullptr);

// The key of each ticket's `at A` (`at last(A)`) placement.
std::string AtMemoKey(uint32_t code, bool last);

// The key of each ticket's bucket start for group `g` of `q`: its unit,
// step and zone and what places the tickets (creation, or the `at` event).
std::string BucketMemoKey(const BoundQuery& q, const GroupKey& g, uint32_t created_code);

// The key of each ticket's repeat_within answer (repeat_index.h), which
// depends on other segments: the window, the dimensions, the code of
// `created`, the last batch read (one key for every row visible: no `as
// of`, or one at or after the last batch of every segment in `refs`), and every
// segment version the pre-pass reads, `refs` in its order (partition,
// segment, generation; a 128-bit hash of them). A seal that rewrites or
// adds any of them makes a new key. Not for a scoped pre-pass.
std::string RepeatMemoKey(const RepeatSpec& r, uint32_t created_code, uint32_t max_batch,
                          const std::vector<storage::SegmentRef>& refs);

// The part of a key naming the segment versions refs[0..n), in that order
// (partition, segment, generation; ":" and a 128-bit hash of them in hex).
std::string VersionsKey(const storage::SegmentRef* refs, size_t n);

}  // namespace kpi::query
