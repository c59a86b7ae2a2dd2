// Part of the query grammar (query/parser/x3/grammar_def.h), included only
// through it: the actions of the other statements (define, show, drop,
// explain, watches, evaluate, and the evaluation layer's definitions:
// calendars, targets, exemptions, scorecards).
#pragma once

#include "query/parser/x3/grammar_actions_select.h"

namespace kpi::query::x3p::grammar_detail {

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
  _val(ctx) = MakeMember(table->text, _attr(ctx).text, table->pos);
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

}  // namespace kpi::query::x3p::grammar_detail
