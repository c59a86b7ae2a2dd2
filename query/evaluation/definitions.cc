#include "query/evaluation/definitions.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <variant>

#include <cctz/civil_time.h>

#include "query/kpi_store.h"
#include "query/parser/parser.h"
#include "query/binder/suggest.h"
#include "query/time_buckets.h"
#include "query/parser/x3/literals.h"

namespace kpi::query {

namespace {

bool Error(DefinitionError* error, const ast::SourcePos& pos, std::string message) {
  error->pos = pos;
  error->message = std::move(message);
  return false;
}

bool KnownKpi(const ast::NamePos& kpi, const KpiMap& kpis, DefinitionError* error) {
  if (kpis.count(kpi.name)) return true;
  std::vector<std::string> names;
  for (const auto& [name, def] : kpis) names.push_back(name);
  return Error(error, kpi.pos, "unknown kpi '" + kpi.name + "'" + DidYouMean(kpi.name, names) +
                                   " (targets, exemptions and scorecards name KPIs defined with `define kpi`)");
}

// A number, percentage or duration literal, optionally negated.
bool LiteralNumber(const ast::ExprPtr& e, double* out, DefinitionError* error, const ast::SourcePos& fallback) {
  if (e == nullptr) return Error(error, fallback, "expected a value");
  if (e->kind == ast::ExprKind::kUnary && e->text == "-" && e->args.size() == 1 && e->args[0] &&
      (e->args[0]->kind == ast::ExprKind::kNumber || e->args[0]->kind == ast::ExprKind::kPercent ||
       e->args[0]->kind == ast::ExprKind::kDuration)) {
    *out = -e->args[0]->number;
    return true;
  }
  if (e->kind == ast::ExprKind::kNumber || e->kind == ast::ExprKind::kPercent || e->kind == ast::ExprKind::kDuration) {
    if (!std::isfinite(e->number)) return Error(error, e->pos, "value out of range");
    *out = e->number;
    return true;
  }
  return Error(error, e->pos, "expected a number, a percentage or a duration (e.g. 0.85, 85% or 2h), not `" +
                                  ast::ToString(*e) + "`");
}

// `a = 1 and b = "x"` -> equalities; false unless exactly that shape.
bool Equalities(const ast::ExprPtr& e, std::vector<GroupMatch>* out, DefinitionError* error) {
  if (e == nullptr) return true;
  if (e->kind == ast::ExprKind::kBinary && e->text == "and" && e->args.size() == 2)
    return Equalities(e->args[0], out, error) && Equalities(e->args[1], out, error);
  const char* shape = "a conjunction of equalities (dim = \"value\" [and dim = ...]) is all a `where` may say here";
  if (e->kind != ast::ExprKind::kBinary || e->text != "=" || e->args.size() != 2 || !e->args[0] || !e->args[1])
    return Error(error, e->pos, std::string("not an equality: ") + shape);
  const ast::Expr& dim = *e->args[0];
  const ast::Expr& lit = *e->args[1];
  if (dim.kind != ast::ExprKind::kColumn && dim.kind != ast::ExprKind::kCall)
    return Error(error, dim.pos, std::string("expected a dimension on the left of `=`: ") + shape);
  GroupMatch m;
  m.dim = dim.kind == ast::ExprKind::kColumn ? dim.text : ast::ToString(dim);
  switch (lit.kind) {
    case ast::ExprKind::kString: m.value = Value::String(lit.text); break;
    case ast::ExprKind::kNumber:
    case ast::ExprKind::kPercent:
    case ast::ExprKind::kDuration: m.value = Value::Number(lit.number); break;
    case ast::ExprKind::kBool: m.value = Value::Bool(lit.boolean); break;
    default:
      return Error(error, lit.pos, "expected a literal on the right of `=` (a string, number or true/false)");
  }
  for (const GroupMatch& other : *out)
    if (other.dim == m.dim) return Error(error, dim.pos, "dimension '" + m.dim + "' is named twice");
  out->push_back(std::move(m));
  return true;
}

std::string MatchText(const std::vector<GroupMatch>& where) {
  std::string out;
  for (const GroupMatch& m : where) {
    if (!out.empty()) out += " and ";
    out += m.dim + " = ";
    if (m.value.type == ValueType::kString) out += x3p::QuoteString(m.value.text);
    else if (m.value.type == ValueType::kBool) out += m.value.boolean ? "true" : "false";
    else out += x3p::ShortestDouble(m.value.number);
  }
  return out;
}

bool CheckOp(const std::string& op, const ast::SourcePos& pos, DefinitionError* error) {
  if (op == ">=" || op == ">" || op == "<=" || op == "<") return true;
  return Error(error, pos, "expected one of >= > <= <");
}

bool ReadDate(const ast::TimeLiteral& t, cctz::civil_day* out, DefinitionError* error) {
  int y = 0, m = 0, d = 0;
  char tail = 0;
  if (t.text.size() != 10 || std::sscanf(t.text.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
    return Error(error, t.pos, "closed days are dates (YYYY-MM-DD), not '" + t.text + "'");
  *out = cctz::civil_day(y, m, d);
  if (out->year() != y || out->month() != m || out->day() != d)
    return Error(error, t.pos, "no such date '" + t.text + "'");
  return true;
}

}  // namespace

std::string TargetRule::Describe() const {
  std::string out = kpi + " " + op + " " + (value_text.empty() ? x3p::ShortestDouble(value) : value_text);
  if (!where.empty()) out += " where " + MatchText(where);
  return out;
}

bool TargetKey(const ast::NamePos& kpi, const ast::ExprPtr& where, std::string* key, DefinitionError* error) {
  std::vector<GroupMatch> match;
  if (!Equalities(where, &match, error)) return false;
  std::sort(match.begin(), match.end(), [](const GroupMatch& a, const GroupMatch& b) { return a.dim < b.dim; });
  *key = kpi.name;
  if (!match.empty()) *key += " where " + MatchText(match);
  return true;
}

bool ReadTarget(const ast::DefineTarget& d, const KpiMap& kpis, TargetRule* out, DefinitionError* error) {
  if (!KnownKpi(d.kpi, kpis, error) || !CheckOp(d.op, d.op_pos, error)) return false;
  if (!LiteralNumber(d.value, &out->value, error, d.op_pos)) return false;
  out->value_text = ast::ToString(*d.value);
  out->kpi = d.kpi.name;
  out->op = d.op;
  out->where.clear();
  if (!Equalities(d.where, &out->where, error)) return false;
  std::sort(out->where.begin(), out->where.end(), [](const GroupMatch& a, const GroupMatch& b) { return a.dim < b.dim; });
  out->key = out->kpi;
  if (!out->where.empty()) out->key += " where " + MatchText(out->where);
  out->text = d.text;
  return true;
}

bool ReadExemption(const ast::DefineExemption& d, const KpiMap& kpis, Exemption* out, DefinitionError* error) {
  out->name = d.name.name;
  out->tz = d.tz.value_or("UTC");
  cctz::time_zone tz;
  if (!LoadQueryZone(out->tz, &tz))
    return Error(error, d.tz_pos, "unknown time zone '" + out->tz + "' (use an IANA name such as \"Europe/Berlin\")");
  std::string why;
  if (!ParseQueryInstant(d.start.text, tz, &out->start_ms, &why)) return Error(error, d.start.pos, "bad start: " + why);
  if (!ParseQueryInstant(d.end.text, tz, &out->end_ms, &why)) return Error(error, d.end.pos, "bad end: " + why);
  if (out->end_ms <= out->start_ms) return Error(error, d.end.pos, "the window must end after it starts");
  out->exclude = d.exclude;
  out->where = d.where;
  out->match.clear();
  out->relax.clear();
  if (!d.exclude) {
    if (!Equalities(d.where, &out->match, error)) return false;
    for (const ast::Relaxation& r : d.relax) {
      if (!KnownKpi(r.kpi, kpis, error)) return false;
      Relaxation x;
      x.kpi = r.kpi.name;
      x.op = r.op;
      if (!LiteralNumber(r.value, &x.value, error, r.kpi.pos)) return false;
      for (const Relaxation& other : out->relax)
        if (other.kpi == x.kpi) return Error(error, r.kpi.pos, "kpi '" + x.kpi + "' is relaxed twice");
      out->relax.push_back(std::move(x));
    }
  }
  out->text = d.text;
  return true;
}

bool ReadScorecard(const ast::DefineScorecard& d, const KpiMap& kpis, Scorecard* out, DefinitionError* error) {
  out->name = d.name.name;
  out->terms.clear();
  double sum = 0;
  for (const ast::ScorecardTerm& t : d.terms) {
    if (!KnownKpi(t.kpi, kpis, error)) return false;
    if (t.weight == nullptr || (t.weight->kind != ast::ExprKind::kNumber && t.weight->kind != ast::ExprKind::kPercent))
      return Error(error, t.weight ? t.weight->pos : t.kpi.pos, "a weight is a fraction or a percentage (0.55 or 55%)");
    if (!(t.weight->number > 0) || !std::isfinite(t.weight->number))
      return Error(error, t.weight->pos, "weights must be positive");
    for (const auto& [w, k] : out->terms)
      if (k == t.kpi.name) return Error(error, t.kpi.pos, "kpi '" + k + "' appears twice in the scorecard");
    out->terms.emplace_back(t.weight->number, t.kpi.name);
    sum += t.weight->number;
  }
  if (out->terms.empty()) return Error(error, d.name.pos, "a scorecard needs at least one weighted kpi");
  if (std::fabs(sum - 1.0) > 1e-9)
    return Error(error, d.terms.front().weight->pos,
                 "weights must sum to 1 (100%), these sum to " + x3p::ShortestDouble(sum));
  out->cap = 1;
  if (d.cap) {
    if (d.cap->kind != ast::ExprKind::kNumber && d.cap->kind != ast::ExprKind::kPercent)
      return Error(error, d.cap->pos, "cap takes a number (e.g. 1.2)");
    if (!(d.cap->number > 0) || !std::isfinite(d.cap->number)) return Error(error, d.cap->pos, "cap must be positive");
    out->cap = d.cap->number;
  }
  out->text = d.text;
  return true;
}

bool ReadCalendar(const ast::DefineCalendar& d, CalendarDefinition* out, DefinitionError* error) {
  out->name = d.name.name;
  out->spec = CalendarSpec{};
  out->spec.name = d.name.name;
  out->spec.tz = d.tz;
  for (const ast::CalendarOpen& o : d.open) {
    OpenRule rule;
    rule.days_mask = o.days_mask;
    for (const auto& [b, e] : o.ranges) rule.ranges.push_back(ClockRange{b, e});
    out->spec.open.push_back(std::move(rule));
  }
  for (const ast::CalendarClosed& c : d.closed) {
    cctz::civil_day first, end;
    if (!ReadDate(c.first, &first, error)) return false;
    if (c.end) {
      if (!ReadDate(*c.end, &end, error)) return false;
      if (end <= first) return Error(error, c.end->pos, "closed dates out of order: '" + c.end->text +
                                                            "' is not after '" + c.first.text + "' (a .. b is half-open)");
    } else {
      end = first + 1;
    }
    out->spec.closed.push_back(ClosedDays{static_cast<int>(first.year()), first.month(), first.day(),
                                          static_cast<int>(end.year()), end.month(), end.day()});
  }
  CalendarProblem problem;
  if (!ValidateCalendar(out->spec, &problem)) {
    ast::SourcePos pos = d.name.pos;
    if (problem.where == CalendarProblem::Where::kTz) pos = d.tz_pos;
    if (problem.where == CalendarProblem::Where::kOpen && problem.index < d.open.size()) pos = d.open[problem.index].pos;
    if (problem.where == CalendarProblem::Where::kClosed && problem.index < d.closed.size())
      pos = d.closed[problem.index].first.pos;
    return Error(error, pos, problem.message);
  }
  out->text = d.text;
  return true;
}

std::shared_ptr<const BusinessClock> ClockFor(const CalendarDefinition& calendar) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const BusinessClock>> cache;
  const std::string key = calendar.spec.tz + "\n" + calendar.text;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  std::shared_ptr<const BusinessClock> clock = BusinessClock::Build(calendar.spec, nullptr);
  std::lock_guard<std::mutex> lock(mu);
  if (cache.size() >= 64) cache.clear();  // ~1.7 MB each: bound the cache, rebuild on demand
  cache.emplace(key, clock);
  return clock;
}

namespace {

std::string At(const ast::SourcePos& pos, const std::string& message) {
  return "line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column) + ": " + message;
}

// Each stored definition of `m` parsed as a Stmt and read by
// read(stmt, &value, &error) into a T, which keep(name, value) takes with its
// text and instant. One that does not parse or read is listed in *unreadable
// with the reason, unless excused(stmt) (parsed, and kept out silently).
template <typename Stmt, typename T, typename Read, typename Keep, typename Excused>
void ReadStored(const DefinitionMap& m, const char* label, const Read& read, const Keep& keep, const Excused& excused,
                std::vector<UnreadableDefinition>* unreadable) {
  for (const auto& [name, def] : m) {
    ast::Statement st;
    ParseError perr;
    DefinitionError error;
    T value;
    std::string reason;
    if (!ParseStatement(def.text, &st, &perr)) {
      reason = At(perr.pos, perr.message);
    } else if (const Stmt* d = std::get_if<Stmt>(&st); d == nullptr) {
      reason = std::string("the stored text is not a `define ") + label + "` statement";
    } else if (!read(*d, &value, &error)) {
      if (excused(*d)) continue;
      reason = At(error.pos, error.message);
    } else {
      value.text = def.text;
      value.defined_at_ms = def.defined_at_ms;
      keep(name, std::move(value));
      continue;
    }
    unreadable->push_back(UnreadableDefinition{label, name, std::move(reason)});
  }
}

template <typename Stmt>
bool NeverExcused(const Stmt&) {
  return false;
}

}  // namespace

std::string UnreadableDefinition::Describe() const {
  return kind + " " + name + " is stored but no longer reads (" + reason + "); drop it or define it again";
}

Status LoadAllDefinitions(const MetaReader& store, std::optional<int64_t> as_of_ms, LoadedDefinitions* out,
                          const std::string* viewer, bool judging) {
  *out = LoadedDefinitions{};
  // One consistent view of every kind: never half of a sequence of changes.
  std::map<DefinitionKind, DefinitionMap> all;
  std::map<DefinitionKind, std::vector<std::string>> undecodable;
  KPI_RETURN_IF_ERROR(LoadEveryKind(store, as_of_ms, &all, viewer, &undecodable));
  // Values this build cannot decode at all are as unreadable as texts that
  // no longer parse (the kinds a statement judges with; kpis, tables and
  // watches are looked up by name and missing ones are errors already).
  const auto report_undecodable = [&](DefinitionKind kind, const char* label) {
    for (const std::string& name : undecodable[kind])
      out->unreadable.push_back(UnreadableDefinition{label, name, "stored in a format this build does not read"});
  };
  report_undecodable(DefinitionKind::kCalendar, "calendar");
  KPI_RETURN_IF_ERROR(ToKpis(all[DefinitionKind::kKpi], &out->kpis, nullptr));
  out->tables = std::move(all[DefinitionKind::kTable]);
  out->watches = std::move(all[DefinitionKind::kWatch]);
  ReadStored<ast::DefineCalendar, CalendarDefinition>(
      all[DefinitionKind::kCalendar], "calendar",
      [](const ast::DefineCalendar& d, CalendarDefinition* c, DefinitionError* e) { return ReadCalendar(d, c, e); },
      [out](const std::string& name, CalendarDefinition c) { out->calendars[name] = std::move(c); },
      NeverExcused<ast::DefineCalendar>, &out->unreadable);
  // Only evaluate and define exemption judge: a plain select parses no
  // target, exemption or scorecard text.
  if (!judging) return Status::OK();
  report_undecodable(DefinitionKind::kTarget, "target");
  report_undecodable(DefinitionKind::kExemption, "exemption");
  report_undecodable(DefinitionKind::kScorecard, "scorecard");
  const KpiMap& kpis = out->kpis;
  // A target of a KPI dropped since is kept but never applies.
  ReadStored<ast::DefineTarget, TargetRule>(
      all[DefinitionKind::kTarget], "target",
      [&kpis](const ast::DefineTarget& d, TargetRule* t, DefinitionError* e) { return ReadTarget(d, kpis, t, e); },
      [out](const std::string&, TargetRule t) { out->targets.push_back(std::move(t)); },
      [&kpis](const ast::DefineTarget& d) { return kpis.count(d.kpi.name) == 0; }, &out->unreadable);
  ReadStored<ast::DefineExemption, Exemption>(
      all[DefinitionKind::kExemption], "exemption",
      [&kpis](const ast::DefineExemption& d, Exemption* x, DefinitionError* e) { return ReadExemption(d, kpis, x, e); },
      [out](const std::string&, Exemption x) { out->exemptions.push_back(std::move(x)); },
      NeverExcused<ast::DefineExemption>, &out->unreadable);
  std::stable_sort(out->exemptions.begin(), out->exemptions.end(), [](const Exemption& a, const Exemption& b) {
    return a.defined_at_ms != b.defined_at_ms ? a.defined_at_ms < b.defined_at_ms : a.name < b.name;
  });
  ReadStored<ast::DefineScorecard, Scorecard>(
      all[DefinitionKind::kScorecard], "scorecard",
      [&kpis](const ast::DefineScorecard& d, Scorecard* sc, DefinitionError* e) { return ReadScorecard(d, kpis, sc, e); },
      [out](const std::string& name, Scorecard sc) { out->scorecards[name] = std::move(sc); },
      NeverExcused<ast::DefineScorecard>, &out->unreadable);
  return Status::OK();
}

}  // namespace kpi::query
