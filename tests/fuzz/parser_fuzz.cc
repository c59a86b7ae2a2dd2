// libFuzzer target for the query parser: any bytes go through ParseScript
// and ParseStatement; whatever parses is printed with ast::ToString, and
// the printed text must parse back to the same tree. A failed parse must
// give a sane position and message. The statements of the evaluation layer
// are checked for their shape too: names with positions, comparison ops,
// evaluate with KPIs or a scorecard, calendar ranges inside a day, an
// exemption that excludes or relaxes; and of the trend grammar (issue 10):
// case and is [not] null shapes anywhere in a tree, nested sources with
// their subquery (checked recursively), at last with its event, rolling
// with a by, compare with a lower-case word as its unit. Violations abort (reported as
// crashes).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "query/parser/ast.h"
#include "query/parser/parser.h"

namespace {

using kpi::query::ParseError;
namespace ast = kpi::query::ast;

[[noreturn]] void Die(const char* what, const std::string& detail) {
  std::fprintf(stderr, "parser_fuzz: %s\n%s\n", what, detail.c_str());
  std::abort();
}

// Structural equality as tests/query/parser/parse_test_util.h's SameTree
// (which needs gtest, so this target cannot link it): a duration's text is
// the literal as written (`7d` prints back as `1w`), only its value counts.
bool SameTree(const ast::Expr& a, const ast::Expr& b) {
  const bool same_text = a.kind == ast::ExprKind::kDuration || a.text == b.text;
  if (a.kind != b.kind || !same_text || a.boolean != b.boolean || a.negated != b.negated ||
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

// case: condition / value pairs, then the else value when `boolean` says
// there is one; is [not] null: one operand. Everywhere in the tree.
void CheckShapes(const ast::Expr& e) {
  if (e.kind == ast::ExprKind::kCase) {
    const size_t branches = e.args.size() - (e.boolean ? 1 : 0);
    if (e.args.size() < 2 || branches % 2 != 0 || (e.boolean && e.args.size() < 3))
      Die("case with a bad shape", ast::ToString(e));
  }
  if (e.kind == ast::ExprKind::kIsNull && e.args.size() != 1) Die("is null with a bad shape", ast::ToString(e));
  for (const ast::ExprPtr& a : e.args)
    if (a != nullptr) CheckShapes(*a);
}

void CheckExpr(const ast::ExprPtr& e) {
  if (e == nullptr) return;
  CheckShapes(*e);
  CheckRoundTrip(e);
}

// The unit is any lower-case word (the binder names the unknown ones:
// `compare with previous decade`), or empty.
bool IsCompareUnit(const std::string& u) {
  for (char c : u)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

void CheckSelect(const ast::SelectQuery& q) {
  // A nested source: "select" with its subquery, checked like any select.
  if (q.source == "select") {
    if (q.subquery == nullptr) Die("nested source without a select", "");
    CheckSelect(*q.subquery);
  } else if (q.source == "watch") {
    // `from watch NAME`: a watch's run history, named by an identifier.
    if (q.watch.empty()) Die("watch source without a name", "");
    if (q.subquery != nullptr) Die("a subquery on a watch source", q.watch);
  } else if (q.source != "events" && q.source != "tickets") {
    Die("bad source", q.source);
  } else if (q.subquery != nullptr) {
    Die("a subquery on a plain source", q.source);
  }
  if (q.at_last && !q.at_event) Die("at last without an event", "");
  if (q.at_event && q.at_event->empty()) Die("at with an empty event", "");
  if (q.rolling && q.group_by.empty()) Die("rolling without by", "");
  if (q.compare && !IsCompareUnit(q.compare->unit)) Die("bad compare unit", q.compare->unit);
  for (const ast::SelectItem& item : q.items) CheckExpr(item.expr);
  for (const ast::JoinClause& j : q.joins) {
    if (j.table.empty()) Die("join without a table", "");
    CheckExpr(j.on);
  }
  CheckExpr(q.where);
  CheckExpr(q.having);
  for (const ast::ExprPtr& g : q.group_by) {
    if (g == nullptr) Die("null group expression", "");
    CheckShapes(*g);
    (void)ast::ToString(*g);
  }
  if (q.limit && *q.limit < 0) Die("negative limit", std::to_string(*q.limit));
}

void CheckName(const ast::NamePos& n, const char* what) {
  if (n.name.empty()) Die("empty name", what);
  if (n.pos.line < 1 || n.pos.column < 1) Die("bad name position", what + std::string(" ") + n.name);
}

bool IsComparison(const std::string& op) { return op == ">=" || op == ">" || op == "<=" || op == "<"; }

// A target's or relaxation's value: a number literal, maybe negated.
void CheckLiteral(const ast::ExprPtr& e, const char* what) {
  if (e == nullptr) Die("missing literal", what);
  CheckRoundTrip(e);
}

// evaluate: the KPI list or a scorecard, never both or neither; its query
// has no select items.
void CheckEvaluate(const ast::Evaluate& e) {
  if (e.kpis.empty() == !e.scorecard) Die("evaluate needs KPIs or a scorecard, not both", "");
  for (const ast::NamePos& k : e.kpis) CheckName(k, "evaluate kpi");
  if (e.scorecard) CheckName(*e.scorecard, "evaluate scorecard");
  if (!e.query.items.empty()) Die("evaluate with select items", "");
  CheckSelect(e.query);
}

void CheckCalendar(const ast::DefineCalendar& c) {
  CheckName(c.name, "calendar");
  if (c.open.empty()) Die("calendar without open hours", c.name.name);
  for (const ast::CalendarOpen& o : c.open) {
    if (o.days_mask == 0 || o.days_mask > 0x7F) Die("bad days mask", c.name.name);
    if (o.ranges.empty()) Die("open group without ranges", c.name.name);
    for (const auto& [begin, end] : o.ranges)
      if (begin < 0 || end > 1440 || end <= begin) Die("bad opening range", c.name.name);
  }
}

void CheckStatement(const ast::Statement& st) {
  if (const auto* q = std::get_if<ast::SelectQuery>(&st)) CheckSelect(*q);
  if (const auto* x = std::get_if<ast::Explain>(&st)) {
    if (x->evaluate) CheckEvaluate(*x->evaluate);
    else CheckSelect(x->query);
  }
  if (const auto* e = std::get_if<ast::Evaluate>(&st)) CheckEvaluate(*e);
  if (const auto* c = std::get_if<ast::DefineCalendar>(&st)) CheckCalendar(*c);
  if (const auto* t = std::get_if<ast::DefineTarget>(&st)) {
    CheckName(t->kpi, "target");
    if (!IsComparison(t->op)) Die("bad target op", t->op);
    CheckLiteral(t->value, "target value");
    CheckRoundTrip(t->where);
  }
  if (const auto* t = std::get_if<ast::DropTarget>(&st)) {
    CheckName(t->kpi, "drop target");
    CheckRoundTrip(t->where);
  }
  if (const auto* x = std::get_if<ast::DefineExemption>(&st)) {
    CheckName(x->name, "exemption");
    if (x->exclude == !x->relax.empty()) Die("exemption must exclude or relax, not both", x->name.name);
    for (const ast::Relaxation& r : x->relax) {
      CheckName(r.kpi, "relaxation");
      if (!IsComparison(r.op)) Die("bad relaxation op", r.op);
      CheckLiteral(r.value, "relaxation value");
    }
    CheckRoundTrip(x->where);
  }
  if (const auto* c = std::get_if<ast::DefineScorecard>(&st)) {
    CheckName(c->name, "scorecard");
    if (c->terms.empty()) Die("scorecard without terms", c->name.name);
    for (const ast::ScorecardTerm& term : c->terms) {
      CheckName(term.kpi, "scorecard kpi");
      CheckLiteral(term.weight, "weight");
    }
    if (c->cap) CheckLiteral(c->cap, "cap");
  }
  if (const auto* d = std::get_if<ast::DropNamed>(&st)) {
    if (d->kind != "table" && d->kind != "calendar" && d->kind != "exemption" && d->kind != "scorecard")
      Die("bad drop kind", d->kind);
    CheckName(d->name, "drop");
  }
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
