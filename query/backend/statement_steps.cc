// The steps every backend takes with a statement (see
// query/backend/statement_steps.h).
#include "query/backend/statement_steps.h"

#include "query/parser/parser.h"
#include "query/time_buckets.h"

namespace kpi::query {

Status FailAt(std::string_view text, const ast::SourcePos& pos, const std::string& message, QueryError* error) {
  error->message = message;
  error->line = pos.line;
  error->column = pos.column;
  error->snippet = SourceSnippet(text, pos.line, pos.column);
  return Status::InvalidArgument("line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column) + ": " +
                                 message);
}

Status ParseForRun(std::string_view text, ast::Statement* st, QueryError* error) {
  ParseError perr;
  if (ParseStatement(text, st, &perr)) return Status::OK();
  error->message = perr.message;
  error->line = perr.pos.line;
  error->column = perr.pos.column;
  error->snippet = perr.snippet.empty() ? SourceSnippet(text, perr.pos.line, perr.pos.column) : perr.snippet;
  return Status::InvalidArgument(perr.ToString());
}

std::optional<int64_t> OwnAsOf(const ast::SelectQuery& q) {
  if (!q.as_of) return std::nullopt;
  cctz::time_zone tz;
  if (!LoadQueryZone(q.tz.value_or("UTC"), &tz)) return std::nullopt;
  int64_t ms = 0;
  std::string why;
  if (!ParseQueryInstant(q.as_of->text, tz, &ms, &why)) return std::nullopt;
  return ms;
}

}  // namespace kpi::query
