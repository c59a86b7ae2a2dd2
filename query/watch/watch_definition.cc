// Watch definitions (see query/watch/watch_definition.h).
#include "query/watch/watch_definition.h"

#include <cmath>
#include <variant>

#include "query/parser/parser.h"
#include "query/watch/webhook_url.h"

namespace kpi::query {

namespace {

bool Fail(const ast::SourcePos& pos, std::string message, DefinitionError* error) {
  error->pos = pos;
  error->message = std::move(message);
  return false;
}

// At most 10^12 seconds (as repeat_within's window): the scheduler adds
// periods and phases in milliseconds, which must not overflow.
constexpr double kMaxPeriodSeconds = 1e12;

// Milliseconds of a duration literal up to kMaxPeriodSeconds; false for
// anything else.
bool DurationMs(const ast::ExprPtr& e, int64_t* ms) {
  if (e == nullptr || e->kind != ast::ExprKind::kDuration || !std::isfinite(e->number) ||
      e->number > kMaxPeriodSeconds)
    return false;
  *ms = static_cast<int64_t>(std::llround(e->number * 1000));
  return true;
}

}  // namespace

bool ReadWatch(const ast::DefineWatch& d, WatchDefinition* out, DefinitionError* error) {
  *out = WatchDefinition{};
  out->name = d.name.name;
  if (!DurationMs(d.every, &out->every_ms))
    return Fail(d.every ? d.every->pos : d.name.pos,
                "`every` takes a duration such as 10s, 5m or 1h (at most 10^12 seconds)", error);
  if (out->every_ms < 1000) return Fail(d.every->pos, "a watch runs at most once a second: `every` must be at least 1s", error);
  if (d.keep) {
    if (!DurationMs(d.keep, &out->keep_ms))
      return Fail(d.keep->pos, "`keep` takes a duration such as 7d or 12w (at most 10^12 seconds)", error);
    if (out->keep_ms < out->every_ms)
      return Fail(d.keep->pos, "`keep` must be at least `every`: the history would hold no run", error);
  }
  const ast::SelectQuery* q = d.select ? d.select.get() : d.evaluate ? &d.evaluate->query : nullptr;
  if (q == nullptr) return Fail(d.statement_pos, "a watch needs a select or evaluate statement", error);
  if (q->as_of)
    return Fail(q->as_of->pos, "a watch runs its statement against now: `as of` would freeze every run", error);
  if (d.select) {
    for (const ast::SelectItem& item : d.select->items)
      if (item.alias == "run_at")
        return Fail(item.pos, "`run_at` is the run instant's column in `from watch " + d.name.name +
                                  "`: give this item another name", error);
  }
  out->statement = d.statement;
  out->evaluate = d.evaluate != nullptr;
  out->group_columns = q->group_by.size();
  if (d.evaluate) {
    out->judged = !d.evaluate->scorecard.has_value();
  } else {
    for (const ast::SelectItem& item : d.select->items) out->judged = out->judged || item.alias == "met";
  }
  if (d.notify) {
    WebhookUrl url;
    std::string why;
    if (!ParseWebhookUrl(*d.notify, &url, &why)) return Fail(d.notify_pos, why, error);
    if (!out->judged)
      return Fail(d.notify_pos,
                  "notify needs rows that say whether they met their target: watch an evaluate of KPIs, or a select "
                  "with a boolean item named `met`",
                  error);
    out->notify = d.notify;
  }
  out->text = d.text;
  return true;
}

bool WatchFromStored(const StoredDefinition& def, WatchDefinition* out, std::string* why) {
  ast::Statement st;
  ParseError perr;
  if (!ParseStatement(def.text, &st, &perr)) {
    *why = perr.ToString();
    return false;
  }
  auto* d = std::get_if<ast::DefineWatch>(&st);
  if (d == nullptr) {
    *why = "not a define watch statement";
    return false;
  }
  d->text = def.text;
  DefinitionError error;
  if (!ReadWatch(*d, out, &error)) {
    *why = error.message;
    return false;
  }
  out->defined_at_ms = def.defined_at_ms;
  out->owner = def.owner;
  return true;
}

std::map<std::string, WatchDefinition> WatchesFrom(const DefinitionMap& defs, std::vector<std::string>* bad) {
  std::map<std::string, WatchDefinition> out;
  for (const auto& [name, def] : defs) {
    WatchDefinition w;
    std::string why;
    if (WatchFromStored(def, &w, &why)) out[name] = std::move(w);
    else if (bad) bad->push_back("watch " + name);
  }
  return out;
}

}  // namespace kpi::query
