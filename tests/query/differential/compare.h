// Comparing the engine's result with the reference's in the differential
// tests (differential_test.cc, evaluation_differential_test.cc): same columns
// (names and types); without `order by` the rows in the same order; with
// `order by` the same rows as a multiset whose order-by columns read the same
// sequence (ties may reorder rows); with `order by` and `limit`, the engine's
// rows are rows of the reference's full answer (`ref_unlimited`). Numbers
// agree within 1e-9 relative. Thread safety: pure functions.
#pragma once

#include <string>

#include "query/parser/ast.h"
#include "query/result.h"
#include "storage/status.h"

namespace kpi::differential {

// "" when the engine's result agrees with the reference's, else what differs.
std::string Compare(const query::Result& eng, const query::Result& ref, const query::Result& ref_unlimited,
                    const query::ast::SelectQuery& q);

enum class Outcome { kAgree, kBothRefuse, kDiffer };

// One statement's two outcomes: both refusing it is agreement; one refusing
// it, or Compare finding a difference, is kDiffer with *why.
// `engine_error`: the engine's error text (QueryError::ToString()).
Outcome CompareOutcomes(const Status& engine_status, const std::string& engine_error, const query::Result& eng,
                        const Status& ref_status, const query::Result& ref, const query::Result& ref_unlimited,
                        const query::ast::SelectQuery& q, std::string* why);

}  // namespace kpi::differential
