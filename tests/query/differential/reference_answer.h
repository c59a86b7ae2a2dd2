// One generated statement's reference answer, computed once and held, so
// that the engine's answers to it (from several processes, caches and
// derived-value files: memo_differential_test.cc) are each compared with
// it as differential_test.cc compares one (compare.h).
// Thread safety: a ReferenceAnswer is immutable once made.
#pragma once

#include <optional>
#include <string>

#include "query/backend/backend.h"
#include "query/differential/random_query.h"
#include "query/parser/ast.h"
#include "query/reference/reference_tickets.h"
#include "query/result.h"
#include "storage/status.h"

namespace kpi::differential {

struct ReferenceAnswer {
  std::string text;
  std::optional<int64_t> now_ms;  // the `now` a relative window is read against
  query::ast::SelectQuery select;  // relative windows resolved
  Status status;
  query::Result result, unlimited;  // `unlimited`: without `limit`, when it has one
};

// The reference's answer to `g` over `log`; false with *why when the
// parser refuses the statement or the reference cannot resolve its window
// (a fault of the generator or the reference, not of the engine).
bool AnswerWithReference(const reference::EventLog& log, const GeneratedQuery& g, ReferenceAnswer* out,
                         std::string* why);

// "" when the engine's outcome agrees with the reference's (both refusing
// the statement is agreement), else what differs with both tables.
// *both_refuse: whether both refused it.
std::string CheckWithReference(const ReferenceAnswer& ref, const Status& engine_status,
                               const query::QueryError& engine_error, const query::Result& engine,
                               bool* both_refuse = nullptr);

}  // namespace kpi::differential
