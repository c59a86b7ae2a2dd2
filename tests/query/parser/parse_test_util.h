// Helpers for the parser tests: parse-or-fail shortcuts and a compact
// S-expression rendering of a tree ("(and (= x 1) (not has(y)))") so a test
// states the expected shape in one readable line.
#pragma once

#include <string>

#include "query/parser/ast.h"
#include "query/parser/parser.h"

namespace kpi::query::testing {

// Tree shape: numbers as their value ("0.85"), durations "900s", percents
// "0.85%" (the stored fraction), strings quoted, timestamps "@2025-01-01",
// columns bare, calls "name(a b)", operators "(op a b)", unary minus "(neg a)",
// `in` "(in x a b)" / "(not-in x a b)", "(-> a b)", "(before a b)".
std::string Shape(const ast::Expr& e);

// Structural equality: kinds, text (not a duration's written form), values, flags
// and children; not positions.
bool SameTree(const ast::Expr& a, const ast::Expr& b);

// ParseStatement; on failure *error gets ParseError::ToString().
bool Parse(const std::string& text, ast::Statement* out, std::string* error);

// `select <expr> from events`, parsed; the item's expression or null (with
// the error added as a test failure).
ast::ExprPtr ParseExpr(const std::string& expr);

// Shape of ParseExpr(expr), or "ERROR: <message>".
std::string ExprShape(const std::string& expr);

// The error of a statement that must not parse (a test failure otherwise).
ParseError ErrorOf(const std::string& text);

}  // namespace kpi::query::testing
