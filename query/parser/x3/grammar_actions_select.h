// Part of the query grammar (query/parser/x3/grammar_def.h), included only
// through it: the actions of select's clauses (items, from, join, where,
// during, at, by, having, order, limit, tz, as of, rolling, compare with).
#pragma once

#include "query/parser/x3/grammar_actions_expr.h"

namespace kpi::query::x3p::grammar_detail {

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
  // A duration bucket's column is named as written (`by 60m` -> `60m`).
  _val(ctx).name = _attr(ctx)->text.empty() ? ast::ToString(*_attr(ctx)) : _attr(ctx)->text;
  _val(ctx).pos = _attr(ctx)->pos;
};
auto const set_order_name = [](auto& ctx) {
  _val(ctx).name = _attr(ctx).text;
  _val(ctx).pos = StateOf(ctx).PosOf(_attr(ctx).where);
};
auto const set_descending = [](auto& ctx) { _val(ctx).descending = true; };

}  // namespace kpi::query::x3p::grammar_detail
