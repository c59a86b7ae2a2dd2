// Constructors for ast::Expr nodes, used by the grammar's semantic actions.
//
// Out of line (ast_build.cc) so the grammar's translation unit stays small.
// Each returns a fresh immutable node; positions are given by the caller
// (binary and pair nodes start where their left operand starts).
// Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "query/parser/ast.h"

namespace kpi::query::x3p {

// `written`: the literal as the query wrote it (kept in `text` for durations,
// so `by 60m` names its column `60m`, as written); "" for none.
ast::ExprPtr MakeNumber(ast::ExprKind kind, double value, ast::SourcePos pos, std::string written = "");
ast::ExprPtr MakeText(ast::ExprKind kind, std::string text, ast::SourcePos pos);  // kString, kColumn, kTimestamp
ast::ExprPtr MakeMember(const std::string& table, const std::string& column, ast::SourcePos pos);  // TABLE.column
ast::ExprPtr MakeBool(bool value, ast::SourcePos pos);
ast::ExprPtr MakeNull(ast::SourcePos pos);
ast::ExprPtr MakeUnary(const char* op, ast::ExprPtr operand, ast::SourcePos pos);
ast::ExprPtr MakeBinary(const char* op, ast::ExprPtr left, ast::ExprPtr right);
// `left -> right` (kArrow) or `left before right` (kBefore).
ast::ExprPtr MakePair(ast::ExprKind kind, ast::ExprPtr left, ast::ExprPtr right);
// `left -> right in calendar`: text = the calendar; args[2] its name node (for its position).
ast::ExprPtr MakeArrowIn(ast::ExprPtr left, ast::ExprPtr right, std::string calendar, ast::SourcePos calendar_pos);
ast::ExprPtr MakeIn(ast::ExprPtr tested, std::vector<ast::ExprPtr> list, bool negated);
// `x is [not] null`.
ast::ExprPtr MakeIsNull(ast::ExprPtr tested, bool negated);
// case when c1 then v1 ... [else e] end: args = c1, v1, ..., [e].
ast::ExprPtr MakeCase(std::vector<ast::ExprPtr> args, bool has_else, ast::SourcePos pos);
// The function name is lower-cased here.
ast::ExprPtr MakeCall(const std::string& name, std::vector<ast::ExprPtr> args, ast::SourcePos pos);

}  // namespace kpi::query::x3p
