// Key parts: one 64-bit identity per value of a Vec row, used as group-by
// keys and by distinct(). Equal values give equal parts, different values
// different parts, within one query: dictionary strings by code, ticket ids
// by (segment ordinal, ticket index) (a ticket lives in exactly one segment),
// numbers by their bits (-0 folded into 0), times by their instant. Null is
// kNullPart.
// VecValue() turns a row of a Vec back into a result Value.
// Thread safety: pure functions.
#pragma once

#include <cstdint>

#include "query/result.h"
#include "query/execution/vector.h"

namespace kpi::storage {
class Catalog;
struct Segment;
}  // namespace kpi::storage

namespace kpi::query {

inline constexpr uint64_t kNullPart = ~uint64_t{0};

// out[i] = part of row i, for the vector's n rows.
void KeyParts(const Vec& v, uint32_t segment_ordinal, uint64_t* out);

// Row i of `v` as a Value (durations in seconds, strings decoded).
// `query` decodes the string columns of joined tables.
Value VecValue(const Vec& v, uint32_t i, const storage::Segment* segment, const storage::Catalog& catalog,
               const BoundQuery* query = nullptr);

// The value whose part is `part` in a vector of `type` and `str`: KeyParts'
// inverse (VecValue of such a row) for every type but ticket ids and
// literal strings (null for those). -0 comes back as 0 (KeyParts folds it).
Value PartValue(uint64_t part, ValueType type, const StrDomain& str, const storage::Catalog& catalog,
                const BoundQuery* query = nullptr);

}  // namespace kpi::query
