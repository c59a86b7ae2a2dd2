// The steps every backend takes with a statement around running it (the
// local engine, query/engine.cc; the ClickHouse backend,
// clickhouse/clickhouse_backend.cc), so both fail, read `as of` and check
// watches by one set of rules:
//
//   FailAt             a positioned error: *error gets the message, line,
//                      column and the source line with a caret; returns
//                      InvalidArgument "line L, column C: message"
//   ParseForRun        parses `text`; a parse error is reported as FailAt
//                      does (the parser's snippet when it made one) and
//                      returns InvalidArgument with the parser's text
//   OwnAsOf            the statement's own `as of` instant, read as the
//                      binder reads it (in the query's zone); none without
//                      one or when it does not parse (the binder reports it)
//   StatementNow       the instant relative windows read against: under the
//                      statement's own `as of T`, T; else options.now_ms;
//                      else the `as of` answered; else the backend's clock
//   CheckWatchStatement `define watch`: its statement is explained (select
//                      or evaluate, into a scratch result) before the watch
//                      is stored, so a watch that does not bind (or
//                      translate) is refused; OK for any other statement
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "query/backend/backend.h"
#include "query/parser/ast.h"
#include "query/result.h"
#include "storage/status.h"

namespace kpi::query {

Status FailAt(std::string_view text, const ast::SourcePos& pos, const std::string& message, QueryError* error);

Status ParseForRun(std::string_view text, ast::Statement* st, QueryError* error);

std::optional<int64_t> OwnAsOf(const ast::SelectQuery& q);

// `now()`: the backend's clock, read only when needed.
template <typename Now>
int64_t StatementNow(std::optional<int64_t> own_as_of, const ExecOptions& options, std::optional<int64_t> as_of,
                     const Now& now) {
  if (own_as_of) return *own_as_of;
  if (options.now_ms) return *options.now_ms;
  return as_of ? *as_of : now();
}

// `select(q, true)` and `evaluate(ev, true)` explain into **answer, which
// is pointed at a scratch result meanwhile.
template <typename Select, typename Evaluate>
Status CheckWatchStatement(const ast::Statement& st, Result** answer, const Select& select, const Evaluate& evaluate) {
  const auto* w = std::get_if<ast::DefineWatch>(&st);
  if (w == nullptr) return Status::OK();
  Result scratch;
  Result* const kept = *answer;
  *answer = &scratch;
  const Status checked = w->select ? select(*w->select, true) : evaluate(*w->evaluate, true);
  *answer = kept;
  return checked;
}

}  // namespace kpi::query
