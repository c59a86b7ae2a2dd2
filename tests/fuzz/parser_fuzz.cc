// libFuzzer target for the query parser: any bytes go through ParseScript
// and ParseStatement; whatever parses is printed with ast::ToString, and
// the printed text must parse back to the same tree. A failed parse must
// give a sane position and message. Violations abort (reported as crashes).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "query/ast.h"
#include "query/parser.h"

namespace {

using kpi::query::ParseError;
namespace ast = kpi::query::ast;

[[noreturn]] void Die(const char* what, const std::string& detail) {
  std::fprintf(stderr, "parser_fuzz: %s\n%s\n", what, detail.c_str());
  std::abort();
}

bool SameTree(const ast::Expr& a, const ast::Expr& b) {
  if (a.kind != b.kind || a.text != b.text || a.boolean != b.boolean || a.negated != b.negated ||
      a.args.size() != b.args.size())
    return false;
  if (!(a.number == b.number) && !(a.number != a.number && b.number != b.number)) return false;
  for (size_t i = 0; i < a.args.size(); ++i) {
    if (a.args[i] == nullptr || b.args[i] == nullptr) return a.args[i] == b.args[i];
    if (!SameTree(*a.args[i], *b.args[i])) return false;
  }
  return true;
}

void CheckError(std::string_view text, const ParseError& e) {
  if (e.message.empty()) Die("empty error message", std::string(text));
  if (e.pos.line < 1 || e.pos.column < 1) Die("bad error position", e.ToString());
  size_t lines = 1;
  for (char c : text) lines += c == '\n';
  if (static_cast<size_t>(e.pos.line) > lines) Die("error line past the end", e.ToString());
  (void)e.ToString();
}

// An expression that parsed at expression depth 1 (item, where, having,
// KPI body) prints to text that parses, at the same depth, to the same tree.
void CheckRoundTrip(const ast::ExprPtr& e) {
  if (e == nullptr) return;
  const std::string printed = ast::ToString(*e);
  ast::Statement st;
  ParseError error;
  if (!kpi::query::ParseStatement("select " + printed + "\nfrom events", &st, &error))
    Die("printed expression does not parse", printed + "\n" + error.ToString());
  const auto* q = std::get_if<ast::SelectQuery>(&st);
  if (q == nullptr || q->items.size() != 1) Die("printed expression is not one item", printed);
  if (!SameTree(*e, *q->items[0].expr)) Die("printed expression parses to another tree", printed);
}

void CheckSelect(const ast::SelectQuery& q) {
  if (q.source != "events" && q.source != "tickets") Die("bad source", q.source);
  for (const ast::SelectItem& item : q.items) CheckRoundTrip(item.expr);
  CheckRoundTrip(q.where);
  CheckRoundTrip(q.having);
  for (const ast::ExprPtr& g : q.group_by) (void)ast::ToString(*g);
  if (q.limit && *q.limit < 0) Die("negative limit", std::to_string(*q.limit));
}

void CheckStatement(const ast::Statement& st) {
  if (const auto* q = std::get_if<ast::SelectQuery>(&st)) CheckSelect(*q);
  if (const auto* x = std::get_if<ast::Explain>(&st)) CheckSelect(x->query);
  if (const auto* d = std::get_if<ast::DefineKpi>(&st)) {
    CheckRoundTrip(d->expr);
    ast::Statement again;
    ParseError error;
    if (!kpi::query::ParseStatement("define kpi k = " + d->expr_text, &again, &error))
      Die("a KPI's expression text does not parse", d->expr_text + "\n" + error.ToString());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<ast::Statement> statements;
  ParseError error;
  if (kpi::query::ParseScript(text, &statements, &error)) {
    for (const ast::Statement& st : statements) CheckStatement(st);
  } else {
    CheckError(text, error);
  }
  ast::Statement one;
  if (kpi::query::ParseStatement(text, &one, &error)) {
    CheckStatement(one);
  } else {
    CheckError(text, error);
  }
  return 0;
}
