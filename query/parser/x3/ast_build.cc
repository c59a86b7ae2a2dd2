#include "query/parser/x3/ast_build.h"

#include <memory>
#include <utility>

namespace kpi::query::x3p {

namespace {

std::shared_ptr<ast::Expr> Node(ast::ExprKind kind, ast::SourcePos pos) {
  auto e = std::make_shared<ast::Expr>();
  e->kind = kind;
  e->pos = pos;
  return e;
}

ast::SourcePos PosOrDefault(const ast::ExprPtr& e) { return e ? e->pos : ast::SourcePos{}; }

}  // namespace

ast::ExprPtr MakeNumber(ast::ExprKind kind, double value, ast::SourcePos pos, std::string written) {
  auto e = Node(kind, pos);
  e->number = value;
  if (kind == ast::ExprKind::kDuration) e->text = std::move(written);
  return e;
}

ast::ExprPtr MakeText(ast::ExprKind kind, std::string text, ast::SourcePos pos) {
  auto e = Node(kind, pos);
  e->text = std::move(text);
  return e;
}

ast::ExprPtr MakeMember(const std::string& table, const std::string& column, ast::SourcePos pos) {
  auto e = Node(ast::ExprKind::kColumn, pos);
  e->text = table + "." + column;
  e->boolean = true;  // a joined table's column (ast.h)
  return e;
}

ast::ExprPtr MakeBool(bool value, ast::SourcePos pos) {
  auto e = Node(ast::ExprKind::kBool, pos);
  e->boolean = value;
  return e;
}

ast::ExprPtr MakeNull(ast::SourcePos pos) { return Node(ast::ExprKind::kNull, pos); }

ast::ExprPtr MakeUnary(const char* op, ast::ExprPtr operand, ast::SourcePos pos) {
  auto e = Node(ast::ExprKind::kUnary, pos);
  e->text = op;
  e->args.push_back(std::move(operand));
  return e;
}

ast::ExprPtr MakeBinary(const char* op, ast::ExprPtr left, ast::ExprPtr right) {
  auto e = Node(ast::ExprKind::kBinary, PosOrDefault(left));
  e->text = op;
  e->args.push_back(std::move(left));
  e->args.push_back(std::move(right));
  return e;
}

ast::ExprPtr MakePair(ast::ExprKind kind, ast::ExprPtr left, ast::ExprPtr right) {
  auto e = Node(kind, PosOrDefault(left));
  e->args.push_back(std::move(left));
  e->args.push_back(std::move(right));
  return e;
}

ast::ExprPtr MakeArrowIn(ast::ExprPtr left, ast::ExprPtr right, std::string calendar, ast::SourcePos calendar_pos) {
  auto e = Node(ast::ExprKind::kArrow, PosOrDefault(left));
  e->text = calendar;
  e->args.push_back(std::move(left));
  e->args.push_back(std::move(right));
  e->args.push_back(MakeText(ast::ExprKind::kColumn, std::move(calendar), calendar_pos));
  return e;
}

ast::ExprPtr MakeIsNull(ast::ExprPtr tested, bool negated) {
  auto e = Node(ast::ExprKind::kIsNull, PosOrDefault(tested));
  e->negated = negated;
  e->args.push_back(std::move(tested));
  return e;
}

ast::ExprPtr MakeCase(std::vector<ast::ExprPtr> args, bool has_else, ast::SourcePos pos) {
  auto e = Node(ast::ExprKind::kCase, pos);
  e->boolean = has_else;
  e->args = std::move(args);
  return e;
}

ast::ExprPtr MakeIn(ast::ExprPtr tested, std::vector<ast::ExprPtr> list, bool negated) {
  auto e = Node(ast::ExprKind::kIn, PosOrDefault(tested));
  e->negated = negated;
  e->args.reserve(list.size() + 1);
  e->args.push_back(std::move(tested));
  for (auto& item : list) e->args.push_back(std::move(item));
  return e;
}

ast::ExprPtr MakeCall(const std::string& name, std::vector<ast::ExprPtr> args, ast::SourcePos pos) {
  auto e = Node(ast::ExprKind::kCall, pos);
  e->text.reserve(name.size());
  for (char c : name) e->text += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  e->args = std::move(args);
  return e;
}

}  // namespace kpi::query::x3p
