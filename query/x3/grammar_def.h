// The query grammar (Boost.Spirit X3). Included only by grammar.cc.
//
// Semantic actions build the engine's ast:: nodes directly (no separate X3
// AST). Actions only ever run at the end of the parser they are attached
// to, so a branch that fails later cannot leave a half-built node behind.
//
// Expression precedence, loosest first:
//   or < and < not < comparison (= != < <= > >=, [not] in (...))
//      < + - < * / < unary - < primary
// Comparisons do not chain (`a < b < c` is an error). Binary operators are
// left-associative. Inside call arguments, `A -> B` (kArrow) and
// `A before B` (kBefore) bind loosest.
#pragma once

#include <boost/fusion/include/at_c.hpp>
#include <boost/spirit/home/x3.hpp>
#include <string>
#include <utility>
#include <vector>

#include "query/ast.h"
#include "query/x3/ast_build.h"
#include "query/x3/grammar.h"
#include "query/x3/state.h"
#include "query/x3/tokens.h"

namespace kpi::query::x3p {

namespace grammar_detail {

using x3::_attr;
using x3::_pass;
using x3::_val;

// Start of the text matched by the located[] the action is attached to.
template <typename Context>
const char* MatchStart(const Context& ctx) {
  return StateOf(ctx).match_begin;
}

template <typename Context>
ast::SourcePos MatchPos(const Context& ctx) {
  return StateOf(ctx).PosOf(MatchStart(ctx));
}

// Stores a new composite node into _val, failing the parse when it nests
// too deeply.
template <typename Context>
void SetNode(const Context& ctx, ast::ExprPtr node) {
  ParseState& state = StateOf(ctx);
  if (!state.NoteNode(node, state.lines().PointerOf(node->pos))) _pass(ctx) = false;
  _val(ctx) = std::move(node);
}

// A clause given twice is a definite error.
template <typename Context>
bool RejectDuplicate(const Context& ctx, bool already_set, const char* clause) {
  if (!already_set) return false;
  StateOf(ctx).Fail(MatchStart(ctx), std::string("duplicate '") + clause + "' clause");
  _pass(ctx) = false;
  return true;
}

template <typename Context>
ast::TimeLiteral ToTimeLiteral(const Context& ctx, const Name& name) {
  return ast::TimeLiteral{name.text, StateOf(ctx).PosOf(name.where)};
}

auto const set_val = [](auto& ctx) { _val(ctx) = std::move(_attr(ctx)); };
auto const no_op = [](auto&) {};

struct BinaryAction {
  const char* op;
  template <typename Context>
  void operator()(const Context& ctx) const {
    SetNode(ctx, MakeBinary(op, std::move(_val(ctx)), std::move(_attr(ctx))));
  }
};

struct UnaryAction {
  const char* op;
  template <typename Context>
  void operator()(const Context& ctx) const {
    SetNode(ctx, MakeUnary(op, std::move(_attr(ctx)), MatchPos(ctx)));
  }
};

struct PairAction {
  ast::ExprKind kind;
  template <typename Context>
  void operator()(const Context& ctx) const {
    SetNode(ctx, MakePair(kind, std::move(_val(ctx)), std::move(_attr(ctx))));
  }
};

struct InAction {
  bool negated;
  template <typename Context>
  void operator()(const Context& ctx) const {
    SetNode(ctx, MakeIn(std::move(_val(ctx)), std::move(_attr(ctx)), negated));
  }
};

auto const column_action = [](auto& ctx) {
  const Name& name = _attr(ctx);
  _val(ctx) = MakeText(ast::ExprKind::kColumn, name.text, StateOf(ctx).PosOf(name.where));
};
auto const call_without_args = [](auto& ctx) {
  const ast::ExprPtr callee = _val(ctx);
  SetNode(ctx, MakeCall(callee->text, {}, callee->pos));
};
auto const call_with_args = [](auto& ctx) {
  const ast::ExprPtr callee = _val(ctx);
  SetNode(ctx, MakeCall(callee->text, std::move(_attr(ctx)), callee->pos));
};
auto const timestamp_action = [](auto& ctx) {
  const Name& name = _attr(ctx);
  _val(ctx) = MakeText(ast::ExprKind::kTimestamp, name.text, StateOf(ctx).PosOf(name.where));
};
auto const string_action = [](auto& ctx) {
  Name& name = _attr(ctx);
  _val(ctx) = MakeText(ast::ExprKind::kString, std::move(name.text), StateOf(ctx).PosOf(name.where));
};
auto const true_action = [](auto& ctx) { _val(ctx) = MakeBool(true, MatchPos(ctx)); };
auto const false_action = [](auto& ctx) { _val(ctx) = MakeBool(false, MatchPos(ctx)); };
auto const null_action = [](auto& ctx) { _val(ctx) = MakeNull(MatchPos(ctx)); };

// --- select ---

auto const push_item = [](auto& ctx) {
  ast::SelectItem item;
  item.expr = std::move(_attr(ctx));
  item.pos = item.expr->pos;
  _val(ctx).items.push_back(std::move(item));
};
auto const set_alias = [](auto& ctx) { _val(ctx).items.back().alias = std::move(_attr(ctx).text); };

struct SourceAction {
  const char* source;
  template <typename Context>
  void operator()(const Context& ctx) const {
    _val(ctx).source = source;
    _val(ctx).source_pos = MatchPos(ctx);
  }
};
auto const unknown_source = [](auto& ctx) {
  const Name& name = _attr(ctx);
  std::string message = "unknown source '" + name.text + "': expected 'events' or 'tickets'";
  for (const char* source : {"events", "tickets"}) {
    if (EditDistance(name.text, source) <= 2) message += std::string(" (did you mean '") + source + "'?)";
  }
  StateOf(ctx).Fail(name.where, std::move(message));
  _pass(ctx) = false;
};

auto const set_where = [](auto& ctx) {
  if (RejectDuplicate(ctx, _val(ctx).where != nullptr, "where")) return;
  _val(ctx).where = std::move(_attr(ctx));
};
auto const set_during = [](auto& ctx) {
  if (RejectDuplicate(ctx, _val(ctx).during_start.has_value(), "during")) return;
  _val(ctx).during_start = ToTimeLiteral(ctx, boost::fusion::at_c<0>(_attr(ctx)));
  _val(ctx).during_end = ToTimeLiteral(ctx, boost::fusion::at_c<1>(_attr(ctx)));
};
auto const set_at = [](auto& ctx) {
  if (RejectDuplicate(ctx, _val(ctx).at_event.has_value(), "at")) return;
  _val(ctx).at_event = _attr(ctx).text;
  _val(ctx).at_pos = StateOf(ctx).PosOf(_attr(ctx).where);
};
auto const set_group_by = [](auto& ctx) {
  if (RejectDuplicate(ctx, !_val(ctx).group_by.empty(), "by")) return;
  _val(ctx).group_by = std::move(_attr(ctx));
};
auto const set_having = [](auto& ctx) {
  if (RejectDuplicate(ctx, _val(ctx).having != nullptr, "having")) return;
  _val(ctx).having = std::move(_attr(ctx));
};
auto const set_order_by = [](auto& ctx) {
  if (RejectDuplicate(ctx, !_val(ctx).order_by.empty(), "order by")) return;
  _val(ctx).order_by = std::move(_attr(ctx));
};
auto const set_limit = [](auto& ctx) {
  if (RejectDuplicate(ctx, _val(ctx).limit.has_value(), "limit")) return;
  _val(ctx).limit = _attr(ctx);
};
auto const set_tz = [](auto& ctx) {
  if (RejectDuplicate(ctx, _val(ctx).tz.has_value(), "tz")) return;
  _val(ctx).tz = _attr(ctx).text;
  _val(ctx).tz_pos = StateOf(ctx).PosOf(_attr(ctx).where);
};
auto const set_as_of = [](auto& ctx) {
  if (RejectDuplicate(ctx, _val(ctx).as_of.has_value(), "as of")) return;
  _val(ctx).as_of = ToTimeLiteral(ctx, _attr(ctx));
};

auto const set_order_name = [](auto& ctx) {
  _val(ctx).name = _attr(ctx).text;
  _val(ctx).pos = StateOf(ctx).PosOf(_attr(ctx).where);
};
auto const set_descending = [](auto& ctx) { _val(ctx).descending = true; };

// --- other statements ---

auto const set_define_name = [](auto& ctx) {
  _val(ctx).name = _attr(ctx).text;
  _val(ctx).pos = StateOf(ctx).PosOf(_attr(ctx).where);
};
auto const set_define_expr = [](auto& ctx) {
  _val(ctx).expr = std::move(_attr(ctx));
  _val(ctx).expr_text.assign(MatchStart(ctx), StateOf(ctx).match_end);
};
auto const set_drop_name = [](auto& ctx) {
  _val(ctx).name = _attr(ctx).text;
  _val(ctx).pos = StateOf(ctx).PosOf(_attr(ctx).where);
};
auto const set_explained = [](auto& ctx) { _val(ctx).query = std::move(_attr(ctx)); };

// --- tokens ---

Keyword const kw_select{"select", "'select'"};
Keyword const kw_from{"from", "'from'"};
Keyword const kw_where{"where", "'where'"};
Keyword const kw_during{"during", "'during'"};
Keyword const kw_at{"at", "'at'"};
Keyword const kw_by{"by", "'by'"};
Keyword const kw_having{"having", "'having'"};
Keyword const kw_order{"order", "'order by'"};
Keyword const kw_limit{"limit", "'limit'"};
Keyword const kw_tz{"tz", "'tz'"};
Keyword const kw_as_of{"as", "'as of'"};
Keyword const kw_of{"of", "'of'"};
Keyword const kw_alias_as{"as", "'as'", /*quiet=*/true};
Keyword const kw_asc{"asc", "'asc'", true};
Keyword const kw_desc{"desc", "'desc'", true};
Keyword const kw_events{"events", "'events'"};
Keyword const kw_tickets{"tickets", "'tickets'"};
Keyword const kw_or{"or", "'or'", true};
Keyword const kw_and{"and", "'and'", true};
Keyword const kw_not{"not", "'not'"};
Keyword const kw_infix_not{"not", "'not in'", true};
Keyword const kw_in{"in", "'in'", true};
Keyword const kw_before{"before", "'before'", true};
Keyword const kw_true{"true", "'true'"};
Keyword const kw_false{"false", "'false'"};
Keyword const kw_null{"null", "'null'"};
Keyword const kw_define{"define", "'define'"};
Keyword const kw_kpi{"kpi", "'kpi'"};
Keyword const kw_kpis{"kpis", "'kpis'"};
Keyword const kw_show{"show", "'show'"};
Keyword const kw_drop{"drop", "'drop'"};
Keyword const kw_explain{"explain", "'explain'"};

Punct const comma{",", "','"};
Punct const lparen{"(", "'('"};
Punct const call_lparen{"(", "'('", /*quiet=*/true};  // after a name: a call, rarely what was meant
Punct const rparen{")", "')'"};
Punct const semicolon{";", "';'", true};
Punct const dotdot{"..", "'..' and an end (during <start> .. <end>)"};
Punct const define_eq{"=", "'='"};
Punct const op_le{"<=", "'<='", true};
Punct const op_ge{">=", "'>='", true};
Punct const op_ne{"!=", "'!='", true};
Punct const op_eq{"=", "'='", true};
Punct const op_lt{"<", "'<'", true, "=>"};
Punct const op_gt{">", "'>'", true, "="};
Punct const op_plus{"+", "'+'", true};
Punct const op_minus{"-", "'-'", true, ">"};
Punct const op_times{"*", "'*'", true};
Punct const op_divide{"/", "'/'", true};
Punct const op_arrow{"->", "'->'", true};

Identifier const ident{};
StringLiteral const string_lit{};
TimeToken const time_lit{};
NumberLiteral const number_lit{};
LimitCount const limit_count{};
EndOfInput const end_of_input{};

LabelGen const as_expression = label("expression", "an expression");

}  // namespace grammar_detail

using namespace grammar_detail;

// --- rules ---

struct expr_class;
struct or_expr_class;
struct and_expr_class;
struct not_expr_class;
struct cmp_expr_class;
struct add_expr_class;
struct mul_expr_class;
struct unary_expr_class;
struct primary_class;
struct name_or_call_class;
struct arg_class;
struct order_item_class;
struct select_class;
struct define_class;
struct show_class;
struct drop_class;
struct explain_class;

x3::rule<expr_class, ast::ExprPtr> const expr = "expression";
x3::rule<or_expr_class, ast::ExprPtr> const or_expr = "or";
x3::rule<and_expr_class, ast::ExprPtr> const and_expr = "and";
x3::rule<not_expr_class, ast::ExprPtr> const not_expr = "not";
x3::rule<cmp_expr_class, ast::ExprPtr> const cmp_expr = "comparison";
x3::rule<add_expr_class, ast::ExprPtr> const add_expr = "sum";
x3::rule<mul_expr_class, ast::ExprPtr> const mul_expr = "product";
x3::rule<unary_expr_class, ast::ExprPtr> const unary_expr = "unary";
x3::rule<primary_class, ast::ExprPtr> const primary = "primary";
x3::rule<name_or_call_class, ast::ExprPtr> const name_or_call = "name or call";
x3::rule<arg_class, ast::ExprPtr> const arg = "argument";
x3::rule<order_item_class, ast::OrderItem> const order_item = "order item";
x3::rule<select_class, ast::SelectQuery> const select_stmt = "select";
x3::rule<define_class, ast::DefineKpi> const define_stmt = "define kpi";
x3::rule<show_class, ast::ShowKpis> const show_stmt = "show kpis";
x3::rule<drop_class, ast::DropKpi> const drop_stmt = "drop kpi";
x3::rule<explain_class, ast::Explain> const explain_stmt = "explain";
statement_type const statement = "statement";

// Expressions.
auto const expr_def = as_expression[depth_guard[or_expr]][set_val];
auto const or_expr_def = and_expr[set_val] >> *(kw_or >> and_expr)[BinaryAction{"or"}];
auto const and_expr_def = not_expr[set_val] >> *(kw_and >> not_expr)[BinaryAction{"and"}];
auto const not_expr_def =
    as_expression[located[kw_not >> depth_guard[not_expr]][UnaryAction{"not"}] | cmp_expr[set_val]];
auto const in_list = lparen >> (expr % comma) >> rparen;
auto const cmp_expr_def = add_expr[set_val] >>
                          -((op_le >> add_expr)[BinaryAction{"<="}] | (op_ge >> add_expr)[BinaryAction{">="}] |
                            (op_ne >> add_expr)[BinaryAction{"!="}] | (op_eq >> add_expr)[BinaryAction{"="}] |
                            (op_lt >> add_expr)[BinaryAction{"<"}] | (op_gt >> add_expr)[BinaryAction{">"}] |
                            (kw_infix_not >> kw_in >> in_list)[InAction{true}] | (kw_in >> in_list)[InAction{false}]);
auto const add_expr_def = mul_expr[set_val] >>
                          *((op_plus >> mul_expr)[BinaryAction{"+"}] | (op_minus >> mul_expr)[BinaryAction{"-"}]);
auto const mul_expr_def = unary_expr[set_val] >> *((op_times >> unary_expr)[BinaryAction{"*"}] |
                                                    (op_divide >> unary_expr)[BinaryAction{"/"}]);
auto const unary_expr_def =
    as_expression[located[op_minus >> depth_guard[unary_expr]][UnaryAction{"-"}] | primary[set_val]];
auto const primary_def = time_lit[timestamp_action] | number_lit[set_val] | string_lit[string_action] |
                         located[kw_true][true_action] | located[kw_false][false_action] |
                         located[kw_null][null_action] |
                         name_or_call[set_val] | (lparen >> expr >> rparen)[set_val];
auto const name_or_call_def =
    ident[column_action] >>
    -((call_lparen >> rparen)[call_without_args] | (call_lparen >> (arg % comma) >> rparen)[call_with_args]);
auto const arg_def = expr[set_val] >> -((op_arrow >> expr)[PairAction{ast::ExprKind::kArrow}] |
                                        (kw_before >> expr)[PairAction{ast::ExprKind::kBefore}]);

// select.
auto const group_item = label("group", "a group (a column, a time bucket or agent_of(...))")[name_or_call];
auto const time_bound = label("timestamp", "a date or timestamp (YYYY-MM-DD or RFC 3339)")[time_lit];
auto const source = label("source", "'events' or 'tickets'")[located[kw_events][SourceAction{"events"}] |
                                                            located[kw_tickets][SourceAction{"tickets"}] |
                                                            ident[unknown_source]];
auto const clause = located[kw_where >> expr][set_where] |
                    located[kw_during >> time_bound >> dotdot >> time_bound][set_during] |
                    located[kw_at >> label("event", "an event name")[ident]][set_at] |
                    located[kw_by >> (group_item % comma)][set_group_by] |
                    located[kw_having >> expr][set_having] |
                    located[kw_order >> kw_by >> (order_item % comma)][set_order_by] |
                    located[kw_limit >> limit_count][set_limit] |
                    located[kw_tz >> string_lit][set_tz] |
                    located[kw_as_of >> kw_of >> time_bound][set_as_of];
auto const order_item_def = label("name", "a result column name")[ident][set_order_name] >>
                            -(kw_asc[no_op] | kw_desc[set_descending]);
auto const select_stmt_def = kw_select >> ((expr[push_item] >> -(kw_alias_as >> ident[set_alias])) % comma) >>
                             kw_from >> source >> *clause;

// The other statements.
auto const define_stmt_def = kw_define >> kw_kpi >> label("name", "a KPI name")[ident][set_define_name] >>
                             define_eq >> located[expr][set_define_expr];
auto const show_stmt_def = (kw_show >> kw_kpis)[no_op];
auto const drop_stmt_def = kw_drop >> kw_kpi >> label("name", "a KPI name")[ident][set_drop_name];
auto const explain_stmt_def = kw_explain >> select_stmt[set_explained];

auto const statement_def =
    label("statement", "a statement (select, define kpi, show kpis, drop kpi or explain)")
        [select_stmt[set_val] | define_stmt[set_val] | show_stmt[set_val] | drop_stmt[set_val] |
         explain_stmt[set_val]] >>
    -semicolon >> end_of_input;

BOOST_SPIRIT_DEFINE(expr, or_expr, and_expr, not_expr, cmp_expr, add_expr, mul_expr, unary_expr, primary,
                    name_or_call, arg, order_item, select_stmt, define_stmt, show_stmt, drop_stmt, explain_stmt,
                    statement)

const statement_type& StatementRule() { return statement; }

}  // namespace kpi::query::x3p
