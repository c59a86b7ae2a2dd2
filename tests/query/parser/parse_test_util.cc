#include "parse_test_util.h"

#include <gtest/gtest.h>

#include "query/parser/x3/literals.h"

namespace kpi::query::testing {

namespace {

void Render(const ast::Expr* e, std::string* out) {
  using K = ast::ExprKind;
  if (e == nullptr) {
    *out += "<null>";
    return;
  }
  auto children = [&](size_t from) {
    for (size_t i = from; i < e->args.size(); ++i) {
      *out += ' ';
      Render(e->args[i].get(), out);
    }
  };
  auto node = [&](const std::string& head) {  // (head child child ...)
    *out += "(" + head;
    children(0);
    *out += ")";
  };
  switch (e->kind) {
    case K::kNumber: *out += x3p::ShortestDouble(e->number); break;
    case K::kPercent: *out += x3p::ShortestDouble(e->number) + "%"; break;
    case K::kDuration: *out += x3p::ShortestDouble(e->number) + "s"; break;
    case K::kString: *out += x3p::QuoteString(e->text); break;
    case K::kBool: *out += e->boolean ? "true" : "false"; break;
    case K::kNull: *out += "null"; break;
    case K::kTimestamp: *out += "@" + e->text; break;
    case K::kColumn: *out += e->text; break;
    case K::kCall:
      *out += e->text + "(";
      for (size_t i = 0; i < e->args.size(); ++i) {
        if (i > 0) *out += ' ';
        Render(e->args[i].get(), out);
      }
      *out += ")";
      break;
    case K::kUnary: node(e->text == "-" ? "neg" : e->text); break;
    case K::kBinary: node(e->text); break;
    case K::kIn: node(e->negated ? "not-in" : "in"); break;
    case K::kArrow: node("->"); break;
    case K::kBefore: node("before"); break;
    case K::kCase: node(e->boolean ? "case-else" : "case"); break;
    case K::kIsNull: node(e->negated ? "is-not-null" : "is-null"); break;
  }
}

}  // namespace

std::string Shape(const ast::Expr& e) {
  std::string out;
  Render(&e, &out);
  return out;
}

bool SameTree(const ast::Expr& a, const ast::Expr& b) {
  // A duration's text is the literal as written (`7d`), kept only to name a
  // `by 7d` column; its value is `number`.
  const bool same_text = a.kind == ast::ExprKind::kDuration || a.text == b.text;
  if (a.kind != b.kind || !same_text || a.number != b.number || a.boolean != b.boolean ||
      a.negated != b.negated || a.args.size() != b.args.size())
    return false;
  for (size_t i = 0; i < a.args.size(); ++i) {
    if ((a.args[i] == nullptr) != (b.args[i] == nullptr)) return false;
    if (a.args[i] && !SameTree(*a.args[i], *b.args[i])) return false;
  }
  return true;
}

bool Parse(const std::string& text, ast::Statement* out, std::string* error) {
  ParseError e;
  if (ParseStatement(text, out, &e)) return true;
  *error = e.ToString();
  return false;
}

ast::ExprPtr ParseExpr(const std::string& expr) {
  ast::Statement st;
  std::string error;
  if (!Parse("select " + expr + " from events", &st, &error)) {
    ADD_FAILURE() << "does not parse: " << expr << "\n" << error;
    return nullptr;
  }
  const auto& q = std::get<ast::SelectQuery>(st);
  if (q.items.size() != 1) {
    ADD_FAILURE() << "more than one item: " << expr;
    return nullptr;
  }
  return q.items[0].expr;
}

std::string ExprShape(const std::string& expr) {
  ast::Statement st;
  std::string error;
  if (!Parse("select " + expr + " from events", &st, &error)) return "ERROR: " + error;
  const auto& q = std::get<ast::SelectQuery>(st);
  if (q.items.size() != 1) return "ERROR: " + std::to_string(q.items.size()) + " items";
  return Shape(*q.items[0].expr);
}

ParseError ErrorOf(const std::string& text) {
  ast::Statement st;
  ParseError error;
  EXPECT_FALSE(ParseStatement(text, &st, &error)) << "should not parse: " << text;
  return error;
}

}  // namespace kpi::query::testing
