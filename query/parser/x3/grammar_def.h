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

#include "query/parser/ast.h"
#include "query/parser/x3/ast_build.h"
#include "query/parser/x3/grammar.h"
#include "query/parser/x3/state.h"
#include "query/parser/x3/tokens.h"

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
struct IsNullAction {
  bool negated;
  template <typename Context>
  void operator()(const Context& ctx) const {
    SetNode(ctx, MakeIsNull(std::move(_val(ctx)), negated));
  }
};
// case ... end: the parts gathered by case_parts.
struct CaseParts {
  std::vector<ast::ExprPtr> args;
  bool has_else = false;
};
auto const push_when_then = [](auto& ctx) {
  _val(ctx).args.push_back(std::move(boost::fusion::at_c<0>(_attr(ctx))));
  _val(ctx).args.push_back(std::move(boost::fusion::at_c<1>(_attr(ctx))));
};
auto const push_else = [](auto& ctx) {
  _val(ctx).args.push_back(std::move(_attr(ctx)));
  _val(ctx).has_else = true;
};
auto const case_action = [](auto& ctx) {
  CaseParts& parts = _attr(ctx);
  SetNode(ctx, MakeCase(std::move(parts.args), parts.has_else, MatchPos(ctx)));
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
  std::string lower = name.text;
  for (char& c : lower) c = LowerAscii(c);
  if (lower == "watch") {  // `from watch` without a name
    StateOf(ctx).Fail(name.where, "`from watch` needs the watch's name: from watch NAME");
    _pass(ctx) = false;
    return;
  }
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
  _val(ctx).during_start = ToTimeLiteral(ctx, boost::fusion::at_c<0>(_attr(ctx)));
  _val(ctx).during_end = ToTimeLiteral(ctx, boost::fusion::at_c<1>(_attr(ctx)));
};
// A second `during`, absolute or relative, is refused at its keyword.
auto const reject_second_during = [](auto& ctx) {
  RejectDuplicate(ctx, _val(ctx).during_start.has_value() || _val(ctx).during_relative.has_value(), "during");
};
// during last <duration> | today | this <period> | previous <period>
template <typename Context>
void SetRelative(const Context& ctx, ast::RelativeWindow w) {
  w.pos = MatchPos(ctx);
  _val(ctx).during_relative = std::move(w);
}
auto const set_during_last = [](auto& ctx) {
  const ast::ExprPtr& d = _attr(ctx);
  if (d->kind != ast::ExprKind::kDuration || d->number <= 0) {
    StateOf(ctx).Fail(StateOf(ctx).lines().PointerOf(d->pos),
                      "`during last` takes a positive duration such as 1h, 7d or 4w");
    _pass(ctx) = false;
    return;
  }
  ast::RelativeWindow w;
  w.kind = ast::RelativeWindow::Kind::kLast;
  w.seconds = d->number;
  w.text = "last " + ast::ToString(*d);
  SetRelative(ctx, std::move(w));
};
auto const set_during_today = [](auto& ctx) {
  ast::RelativeWindow w;
  w.kind = ast::RelativeWindow::Kind::kThis;
  w.unit = "day";
  w.text = "today";
  SetRelative(ctx, std::move(w));
};
// A calendar unit of `this` / `previous`, lower-cased; false (a hard error) otherwise.
template <typename Context>
bool RelativeUnit(const Context& ctx, const Name& name, std::string* unit) {
  *unit = name.text;
  for (char& c : *unit) c = LowerAscii(c);
  for (const char* u : {"hour", "day", "week", "month", "quarter", "year"})
    if (*unit == u) return true;
  StateOf(ctx).Fail(name.where, "unknown period '" + name.text + "': expected hour, day, week, month, quarter or year");
  _pass(ctx) = false;
  return false;
}
struct RelativeUnitAction {
  ast::RelativeWindow::Kind kind;
  template <typename Context>
  void operator()(const Context& ctx) const {
    ast::RelativeWindow w;
    w.kind = kind;
    if (!RelativeUnit(ctx, _attr(ctx), &w.unit)) return;
    w.text = std::string(kind == ast::RelativeWindow::Kind::kThis ? "this " : "previous ") + w.unit;
    SetRelative(ctx, std::move(w));
  }
};
auto const set_at = [](auto& ctx) {
  if (RejectDuplicate(ctx, _val(ctx).at_event.has_value(), "at")) return;
  _val(ctx).at_event = _attr(ctx).text;
  _val(ctx).at_pos = StateOf(ctx).PosOf(_attr(ctx).where);
};
auto const set_at_last = [](auto& ctx) {
  if (RejectDuplicate(ctx, _val(ctx).at_event.has_value(), "at")) return;
  _val(ctx).at_event = _attr(ctx).text;
  _val(ctx).at_last = true;
  _val(ctx).at_pos = StateOf(ctx).PosOf(_attr(ctx).where);
};
auto const set_rolling = [](auto& ctx) {
  if (RejectDuplicate(ctx, _val(ctx).rolling.has_value(), "rolling")) return;
  _val(ctx).rolling = _attr(ctx);
  _val(ctx).rolling_pos = MatchPos(ctx);
};
auto const set_compare = [](auto& ctx) {
  if (RejectDuplicate(ctx, _val(ctx).compare.has_value(), "compare with")) return;
  ast::CompareWith c;
  if (_attr(ctx)) c.unit = _attr(ctx)->text;
  for (char& ch : c.unit) ch = LowerAscii(ch);
  c.pos = MatchPos(ctx);
  _val(ctx).compare = std::move(c);
};
auto const set_subquery = [](auto& ctx) {
  _val(ctx).source = "select";
  _val(ctx).source_pos = MatchPos(ctx);
  _val(ctx).subquery = std::make_shared<const ast::SelectQuery>(std::move(_attr(ctx)));
};
auto const set_watch_source = [](auto& ctx) {
  _val(ctx).source = "watch";
  _val(ctx).source_pos = MatchPos(ctx);
  _val(ctx).watch = _attr(ctx).text;
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

// `order by 15m`: the column of a duration bucket, named as it reads back.
auto const set_order_step = [](auto& ctx) {
  _val(ctx).name = ast::ToString(*_attr(ctx));
  _val(ctx).pos = _attr(ctx)->pos;
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
auto const set_explained_evaluate = [](auto& ctx) {
  _val(ctx).query = _attr(ctx).query;
  _val(ctx).evaluate = std::make_shared<const ast::Evaluate>(std::move(_attr(ctx)));
};

// `agents.role`: the identifier before the dot names a joined table.
auto const member_action = [](auto& ctx) {
  const ast::ExprPtr table = _val(ctx);
  _val(ctx) = MakeText(ast::ExprKind::kColumn, table->text + "." + _attr(ctx).text, table->pos);
};
auto const arrow_in_action = [](auto& ctx) {
  auto& right = boost::fusion::at_c<0>(_attr(ctx));
  auto& calendar = boost::fusion::at_c<1>(_attr(ctx));
  if (calendar)
    SetNode(ctx, MakeArrowIn(std::move(_val(ctx)), std::move(right), calendar->text,
                             StateOf(ctx).PosOf(calendar->where)));
  else SetNode(ctx, MakePair(ast::ExprKind::kArrow, std::move(_val(ctx)), std::move(right)));
};
auto const add_join = [](auto& ctx) {
  const Name& table = boost::fusion::at_c<0>(_attr(ctx));
  _val(ctx).joins.push_back(
      ast::JoinClause{table.text, StateOf(ctx).PosOf(table.where), std::move(boost::fusion::at_c<1>(_attr(ctx)))});
};

template <typename Context>
ast::NamePos ToNamePos(const Context& ctx, const Name& name) {
  return ast::NamePos{name.text, StateOf(ctx).PosOf(name.where)};
}

// --- watches ---
auto const set_watch_every = [](auto& ctx) { _val(ctx).every = std::move(_attr(ctx)); };
auto const set_watch_keep = [](auto& ctx) { _val(ctx).keep = std::move(_attr(ctx)); };
template <typename Context>
void SetWatchedText(const Context& ctx) {
  _val(ctx).statement.assign(MatchStart(ctx), StateOf(ctx).match_end);
  _val(ctx).statement_pos = MatchPos(ctx);
}
auto const set_watch_select = [](auto& ctx) {
  _val(ctx).select = std::make_shared<const ast::SelectQuery>(std::move(_attr(ctx)));
  SetWatchedText(ctx);
};
auto const set_watch_evaluate = [](auto& ctx) {
  _val(ctx).evaluate = std::make_shared<const ast::Evaluate>(std::move(_attr(ctx)));
  SetWatchedText(ctx);
};
auto const set_watch_notify = [](auto& ctx) {
  _val(ctx).notify = _attr(ctx).text;
  _val(ctx).notify_pos = StateOf(ctx).PosOf(_attr(ctx).where);
};

// --- evaluate ---
auto const push_eval_kpi = [](auto& ctx) { _val(ctx).kpis.push_back(ToNamePos(ctx, _attr(ctx))); };
auto const set_eval_scorecard = [](auto& ctx) { _val(ctx).scorecard = ToNamePos(ctx, _attr(ctx)); };
auto const set_eval_query = [](auto& ctx) {
  _val(ctx).pos = MatchPos(ctx);
  _val(ctx).query = std::move(_attr(ctx));
};

// --- definitions of the evaluation layer ---
auto const set_def_name = [](auto& ctx) { _val(ctx).name = ToNamePos(ctx, _attr(ctx)); };
auto const set_def_kpi = [](auto& ctx) { _val(ctx).kpi = ToNamePos(ctx, _attr(ctx)); };
auto const set_cal_tz = [](auto& ctx) {
  _val(ctx).tz = _attr(ctx).text;
  _val(ctx).tz_pos = StateOf(ctx).PosOf(_attr(ctx).where);
};
// A weekday name -> its bit (bit 0 = Monday), -1 when not a day.
inline int DayBit(std::string name) {
  for (char& c : name) c = LowerAscii(c);
  static const char* const kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  for (int i = 0; i < 7; ++i)
    if (name == kDays[i]) return i;
  return -1;
}
auto const day_item_action = [](auto& ctx) {
  const Name& from = boost::fusion::at_c<0>(_attr(ctx));
  const auto& to = boost::fusion::at_c<1>(_attr(ctx));
  const int a = DayBit(from.text);
  const int b = to ? DayBit(to->text) : a;
  const Name& bad = a < 0 ? from : *to;
  if (a < 0 || b < 0) {
    StateOf(ctx).Fail(bad.where, "unknown day '" + bad.text + "': expected mon, tue, wed, thu, fri, sat or sun");
    _pass(ctx) = false;
    return;
  }
  if (b < a) {
    StateOf(ctx).Fail(from.where, "day range " + from.text + "-" + to->text + " runs backwards (write mon-fri)");
    _pass(ctx) = false;
    return;
  }
  for (int d = a; d <= b; ++d) _val(ctx).days_mask |= static_cast<uint8_t>(1u << d);
};
auto const set_open_pos = [](auto& ctx) { _val(ctx).pos = MatchPos(ctx); };
auto const push_clock_range = [](auto& ctx) { _val(ctx).ranges.push_back(_attr(ctx)); };
auto const push_open = [](auto& ctx) { _val(ctx).open.push_back(std::move(_attr(ctx))); };
auto const push_closed = [](auto& ctx) {
  ast::CalendarClosed c;
  c.first = ToTimeLiteral(ctx, boost::fusion::at_c<0>(_attr(ctx)));
  if (const auto& end = boost::fusion::at_c<1>(_attr(ctx))) c.end = ToTimeLiteral(ctx, *end);
  _val(ctx).closed.push_back(std::move(c));
};
struct CmpOpAction {
  const char* op;
  template <typename Context>
  void operator()(const Context& ctx) const {
    _val(ctx).op = op;
  }
};
struct CmpOpPosAction {
  const char* op;
  template <typename Context>
  void operator()(const Context& ctx) const {
    _val(ctx).op = op;
    _val(ctx).op_pos = MatchPos(ctx);
  }
};
auto const set_def_value = [](auto& ctx) { _val(ctx).value = std::move(_attr(ctx)); };
auto const set_def_where = [](auto& ctx) { _val(ctx).where = std::move(_attr(ctx)); };
auto const set_exemption_window = [](auto& ctx) {
  _val(ctx).start = ToTimeLiteral(ctx, boost::fusion::at_c<0>(_attr(ctx)));
  _val(ctx).end = ToTimeLiteral(ctx, boost::fusion::at_c<1>(_attr(ctx)));
};
auto const set_exclude = [](auto& ctx) { _val(ctx).exclude = true; };
auto const push_relaxation = [](auto& ctx) { _val(ctx).relax.push_back(std::move(_attr(ctx))); };
auto const set_def_tz = [](auto& ctx) {
  _val(ctx).tz = _attr(ctx).text;
  _val(ctx).tz_pos = StateOf(ctx).PosOf(_attr(ctx).where);
};
auto const push_term = [](auto& ctx) {
  ast::ScorecardTerm term;
  term.weight = std::move(boost::fusion::at_c<0>(_attr(ctx)));
  term.kpi = ToNamePos(ctx, boost::fusion::at_c<1>(_attr(ctx)));
  _val(ctx).terms.push_back(std::move(term));
};
auto const set_cap = [](auto& ctx) { _val(ctx).cap = std::move(_attr(ctx)); };
struct KindAction {
  const char* kind;
  template <typename Context>
  void operator()(const Context& ctx) const {
    _val(ctx).kind = kind;
  }
};

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
Keyword const kw_join{"join", "'join'"};
Keyword const kw_on{"on", "'on'"};
Keyword const kw_evaluate{"evaluate", "'evaluate'"};
Keyword const kw_scorecard{"scorecard", "'scorecard'"};
Keyword const kw_scorecards{"scorecards", "'scorecards'"};
Keyword const kw_calendar{"calendar", "'calendar'"};
Keyword const kw_calendars{"calendars", "'calendars'"};
Keyword const kw_target{"target", "'target'"};
Keyword const kw_targets{"targets", "'targets'"};
Keyword const kw_exemption{"exemption", "'exemption'"};
Keyword const kw_exemptions{"exemptions", "'exemptions'"};
Keyword const kw_table{"table", "'table'"};
Keyword const kw_tables{"tables", "'tables'"};
Keyword const kw_open{"open", "'open'"};
Keyword const kw_closed{"closed", "'closed'"};
Keyword const kw_exclude{"exclude", "'exclude'"};
Keyword const kw_relax{"relax", "'relax'"};
Keyword const kw_cap{"cap", "'cap'"};
Keyword const kw_case{"case", "'case'"};
Keyword const kw_when{"when", "'when'"};
Keyword const kw_then{"then", "'then'"};
Keyword const kw_else{"else", "'else'"};
Keyword const kw_end{"end", "'end'"};
Keyword const kw_is{"is", "'is'", true};
Keyword const kw_rolling{"rolling", "'rolling'"};
Keyword const kw_compare{"compare", "'compare with'"};
Keyword const kw_with{"with", "'with'"};
Keyword const kw_previous{"previous", "'previous'"};
Keyword const kw_last{"last", "'last'", true};
Keyword const kw_today{"today", "'today'", true};
Keyword const kw_watch{"watch", "'watch'"};
Keyword const kw_watches{"watches", "'watches'"};
Keyword const kw_alerts{"alerts", "'alerts'"};
Keyword const kw_every{"every", "'every'"};
Keyword const kw_keep{"keep", "'keep'", true};
Keyword const kw_statement_as{"as", "'as'"};
Keyword const kw_notify{"notify", "'notify'", true};
Keyword const kw_this{"this", "'this'", true};

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
MemberSuffix const member_suffix{};
ClockRange const clock_range{};
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
struct case_expr_class;
struct group_key_class;
struct case_parts_class;
struct eval_query_class;
struct evaluate_class;
struct calendar_open_class;
struct define_calendar_class;
struct define_target_class;
struct drop_target_class;
struct relaxation_class;
struct define_exemption_class;
struct define_scorecard_class;
struct drop_named_class;
struct define_watch_class;

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
x3::rule<case_expr_class, ast::ExprPtr> const case_expr = "case";
x3::rule<group_key_class, ast::ExprPtr> const group_key = "group";
x3::rule<case_parts_class, CaseParts> const case_parts = "case branches";
x3::rule<eval_query_class, ast::SelectQuery> const eval_query = "evaluate source";
x3::rule<evaluate_class, ast::Evaluate> const evaluate_stmt = "evaluate";
x3::rule<calendar_open_class, ast::CalendarOpen> const calendar_open = "open hours";
x3::rule<define_calendar_class, ast::DefineCalendar> const define_calendar_stmt = "define calendar";
x3::rule<define_target_class, ast::DefineTarget> const define_target_stmt = "define target";
x3::rule<drop_target_class, ast::DropTarget> const drop_target_stmt = "drop target";
x3::rule<relaxation_class, ast::Relaxation> const relaxation = "relaxation";
x3::rule<define_exemption_class, ast::DefineExemption> const define_exemption_stmt = "define exemption";
x3::rule<define_scorecard_class, ast::DefineScorecard> const define_scorecard_stmt = "define scorecard";
x3::rule<drop_named_class, ast::DropNamed> const drop_named_stmt = "drop";
x3::rule<define_watch_class, ast::DefineWatch> const define_watch_stmt = "define watch";
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
                            (kw_infix_not >> kw_in >> in_list)[InAction{true}] | (kw_in >> in_list)[InAction{false}] |
                            (kw_is >> kw_not >> kw_null)[IsNullAction{true}] | (kw_is >> kw_null)[IsNullAction{false}]);
auto const add_expr_def = mul_expr[set_val] >>
                          *((op_plus >> mul_expr)[BinaryAction{"+"}] | (op_minus >> mul_expr)[BinaryAction{"-"}]);
auto const mul_expr_def = unary_expr[set_val] >> *((op_times >> unary_expr)[BinaryAction{"*"}] |
                                                    (op_divide >> unary_expr)[BinaryAction{"/"}]);
auto const unary_expr_def =
    as_expression[located[op_minus >> depth_guard[unary_expr]][UnaryAction{"-"}] | primary[set_val]];
auto const primary_def = time_lit[timestamp_action] | number_lit[set_val] | string_lit[string_action] |
                         located[kw_true][true_action] | located[kw_false][false_action] |
                         located[kw_null][null_action] |
                         case_expr[set_val] | name_or_call[set_val] | (lparen >> expr >> rparen)[set_val];
auto const case_parts_def = +(kw_when >> expr >> kw_then >> expr)[push_when_then] >> -(kw_else >> expr[push_else]);
auto const case_expr_def = located[kw_case >> case_parts >> kw_end][case_action];
auto const name_or_call_def =
    ident[column_action] >>
    -(member_suffix[member_action] | (call_lparen >> rparen)[call_without_args] |
      (call_lparen >> (arg % comma) >> rparen)[call_with_args]);
auto const arg_def =
    expr[set_val] >>
    -((op_arrow >> expr >> -(kw_in >> label("calendar", "a calendar name")[ident]))[arrow_in_action] |
      (kw_before >> expr)[PairAction{ast::ExprKind::kBefore}]);

// select.
auto const group_item = label("group", "a group (a column, a time bucket, a duration such as 15m or agent_of(...))")
    [group_key];
auto const group_key_def = case_expr[set_val] | name_or_call[set_val] | number_lit[set_val];
auto const time_bound = label("timestamp", "a date or timestamp (YYYY-MM-DD or RFC 3339)")[time_lit];
// The window of `during`: relative (read against now when the statement
// runs) or two instants.
auto const period_unit = label("period", "hour, day, week, month, quarter or year")[ident];
auto const relative_during =
    located[kw_last >> label("duration", "a duration such as 1h or 7d")[number_lit]][set_during_last] |
    located[kw_today][set_during_today] |
    located[kw_this >> period_unit][RelativeUnitAction{ast::RelativeWindow::Kind::kThis}] |
    located[kw_previous >> period_unit][RelativeUnitAction{ast::RelativeWindow::Kind::kPrevious}];
auto const during_window =
    label("window", "a date or timestamp (YYYY-MM-DD or RFC 3339), last <duration>, today, this <period> or "
                    "previous <period>")[relative_during | located[time_bound >> dotdot >> time_bound][set_during]];
auto const source = label("source", "'events', 'tickets' or (select ...)")[located[kw_events][SourceAction{"events"}] |
                                                            located[lparen >> depth_guard[select_stmt] >> rparen][set_subquery] |
                                                            located[kw_tickets][SourceAction{"tickets"}] |
                                                            located[kw_watch >> label("watch", "a watch name")[ident]][set_watch_source] |
                                                            ident[unknown_source]];
auto const clause = located[kw_where >> expr][set_where] |
                    (located[kw_during][reject_second_during] >> during_window) |
                    (kw_at >> kw_last >> call_lparen >> label("event", "an event name")[ident] >> rparen)[set_at_last] |
                    located[kw_at >> label("event", "an event name")[ident]][set_at] |
                    located[kw_by >> (group_item % comma)][set_group_by] |
                    located[kw_having >> expr][set_having] |
                    located[kw_order >> kw_by >> (order_item % comma)][set_order_by] |
                    located[kw_limit >> limit_count][set_limit] |
                    located[kw_tz >> string_lit][set_tz] |
                    located[kw_as_of >> kw_of >> time_bound][set_as_of] |
                    located[kw_rolling >> limit_count][set_rolling] |
                    located[kw_compare >> kw_with >> kw_previous >> -label("unit", "day, week, month, quarter or year")[ident]][set_compare] |
                    (kw_join >> label("table", "a table name")[ident] >> kw_on >> expr)[add_join];
auto const order_item_def = label("name", "a result column name")[ident[set_order_name] | number_lit[set_order_step]] >>
                            -(kw_asc[no_op] | kw_desc[set_descending]);
auto const select_stmt_def = kw_select >> ((expr[push_item] >> -(kw_alias_as >> ident[set_alias])) % comma) >>
                             kw_from >> source >> *clause;

// The other statements.
auto const define_stmt_def = kw_define >> kw_kpi >> label("name", "a KPI name")[ident][set_define_name] >>
                             define_eq >> located[expr][set_define_expr];
auto const show_stmt_def =
    kw_show >> (kw_kpis[KindAction{"kpi"}] | kw_tables[KindAction{"table"}] | kw_calendars[KindAction{"calendar"}] |
                kw_targets[KindAction{"target"}] | kw_exemptions[KindAction{"exemption"}] |
                kw_scorecards[KindAction{"scorecard"}] | kw_watches[KindAction{"watch"}] |
                kw_alerts[KindAction{"alert"}]);
auto const drop_stmt_def = kw_drop >> kw_kpi >> label("name", "a KPI name")[ident][set_drop_name];
auto const explain_stmt_def =
    kw_explain >> (select_stmt[set_explained] | evaluate_stmt[set_explained_evaluate]);

// evaluate.
auto const kpi_name = label("kpi", "a KPI name")[ident];
auto const eval_query_def = kw_from >> source >> *clause;
auto const evaluate_stmt_def =
    kw_evaluate >> ((kw_scorecard >> label("scorecard", "a scorecard name")[ident])[set_eval_scorecard] |
                    (kpi_name[push_eval_kpi] % comma)) >>
    located[eval_query][set_eval_query];

// Definitions of the evaluation layer.
auto const cmp_op = op_ge[CmpOpAction{">="}] | op_gt[CmpOpAction{">"}] | op_le[CmpOpAction{"<="}] |
                    op_lt[CmpOpAction{"<"}];
auto const day_item = (label("day", "a day (mon .. sun)")[ident] >> -(op_minus >> ident))[day_item_action];
auto const calendar_open_def = located[day_item % comma][set_open_pos] >> +clock_range[push_clock_range];
auto const closed_item = (time_bound >> -(dotdot >> time_bound))[push_closed];
auto const define_calendar_stmt_def =
    kw_define >> kw_calendar >> label("name", "a calendar name")[ident][set_def_name] >> kw_tz >>
    string_lit[set_cal_tz] >> kw_open >> (calendar_open[push_open] % comma) >> -(kw_closed >> (closed_item % comma));
auto const target_op = located[op_ge][CmpOpPosAction{">="}] | located[op_gt][CmpOpPosAction{">"}] |
                       located[op_le][CmpOpPosAction{"<="}] | located[op_lt][CmpOpPosAction{"<"}];
auto const define_target_stmt_def = kw_define >> kw_target >> kpi_name[set_def_kpi] >>
                                    label("operator", "one of >= > <= <")[target_op] >> expr[set_def_value] >>
                                    -(kw_where >> expr[set_def_where]);
auto const drop_target_stmt_def = kw_drop >> kw_target >> kpi_name[set_def_kpi] >> -(kw_where >> expr[set_def_where]);
auto const relaxation_def =
    kpi_name[set_def_kpi] >> label("operator", "one of >= > <= <")[cmp_op] >> expr[set_def_value];
auto const define_exemption_stmt_def =
    kw_define >> kw_exemption >> label("name", "an exemption name")[ident][set_def_name] >>
    (kw_during >> time_bound >> dotdot >> time_bound)[set_exemption_window] >> -(kw_where >> expr[set_def_where]) >>
    label("action", "'exclude' or 'relax'")[kw_exclude[set_exclude] | (kw_relax >> (relaxation[push_relaxation] % comma))] >>
    -(kw_tz >> string_lit[set_def_tz]);
auto const weight = label("weight", "a weight (55% or 0.55)")[number_lit];
auto const define_scorecard_stmt_def =
    kw_define >> kw_scorecard >> label("name", "a scorecard name")[ident][set_def_name] >> define_eq >>
    ((weight >> kpi_name)[push_term] % op_plus) >> -(kw_cap >> number_lit[set_cap]);
auto const drop_named_stmt_def =
    kw_drop >> (kw_table[KindAction{"table"}] | kw_calendar[KindAction{"calendar"}] |
                kw_exemption[KindAction{"exemption"}] | kw_scorecard[KindAction{"scorecard"}] |
                kw_watch[KindAction{"watch"}]) >>
    label("name", "a name")[ident][set_def_name];

// define watch NAME every <duration> [keep <duration>] as <select | evaluate> [notify "<url>"]
auto const watch_duration = label("duration", "a duration such as 10s, 5m or 7d")[number_lit];
auto const define_watch_stmt_def =
    kw_define >> kw_watch >> label("name", "a watch name")[ident][set_def_name] >> kw_every >>
    watch_duration[set_watch_every] >> -(kw_keep >> watch_duration[set_watch_keep]) >> kw_statement_as >>
    label("statement", "a select or evaluate statement")[located[select_stmt][set_watch_select] |
                                                          located[evaluate_stmt][set_watch_evaluate]] >>
    -(kw_notify >> label("url", "a quoted URL (\"http://host:port/path\")")[string_lit][set_watch_notify]);

auto const statement_def =
    label("statement", "a statement (select, evaluate, define, show, drop or explain)")
        [select_stmt[set_val] | evaluate_stmt[set_val] | define_stmt[set_val] | define_calendar_stmt[set_val] |
         define_target_stmt[set_val] | define_exemption_stmt[set_val] | define_scorecard_stmt[set_val] |
         define_watch_stmt[set_val] |
         show_stmt[set_val] | drop_stmt[set_val] | drop_target_stmt[set_val] | drop_named_stmt[set_val] |
         explain_stmt[set_val]] >>
    -semicolon >> end_of_input;

BOOST_SPIRIT_DEFINE(expr, or_expr, and_expr, not_expr, cmp_expr, add_expr, mul_expr, unary_expr, primary,
                    name_or_call, arg, order_item, select_stmt, define_stmt, show_stmt, drop_stmt, explain_stmt,
                    case_expr, case_parts, group_key, eval_query, evaluate_stmt, calendar_open, define_calendar_stmt, define_target_stmt,
                    drop_target_stmt, relaxation, define_exemption_stmt, define_scorecard_stmt, drop_named_stmt,
                    define_watch_stmt, statement)

const statement_type& StatementRule() { return statement; }

}  // namespace kpi::query::x3p
