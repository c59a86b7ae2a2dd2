// The definitions of the evaluation layer as the engine uses them: typed,
// validated forms of `define calendar | target | exemption | scorecard`
// statements, and the loaded set of every definition kind as of an instant.
//
// One reading of each statement: Read*() turns a parsed statement into its
// typed form or a DefinitionError with the source position of the offending
// part. The engine calls them at define time (so a bad definition never
// reaches the store) and again when it loads stored texts (re-parsed: the
// stored form is the statement as written, docs/storage-format.md).
//
// Rules checked here (evaluation-and-trends.md, sections 2-4, 6):
//   * target: a named KPI; op one of >= > <= <; a literal value (number,
//     percentage, duration, optionally negated); `where` a conjunction of
//     `dim = literal` equalities, each dimension named once.
//   * exemption: start before end (read in its tz, UTC without one); relax
//     names named KPIs with literal values and its `where` is a conjunction
//     of equalities; exclude takes any predicate (bound when evaluated).
//   * scorecard: named KPIs, each once; weights (fractions or percentages)
//     positive and summing to 1 within 1e-9; cap a positive number.
//   * calendar: a known zone, days and hours that do not overlap, closed
//     dates as YYYY-MM-DD with `a .. b` in order (query/evaluation/business_calendar.h).
// Thread safety: pure functions; LoadedDefinitions is immutable once loaded.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "query/parser/ast.h"
#include "query/binder/binder.h"
#include "query/catalog/definition_store.h"
#include "query/evaluation/business_calendar.h"
#include "query/result.h"

namespace kpi::query {

struct DefinitionError {
  std::string message;
  ast::SourcePos pos;
};

// `dim = literal`, as targets and relaxations match result rows.
struct GroupMatch {
  std::string dim;
  Value value;  // string, number (durations in seconds) or bool
};

struct TargetRule {
  std::string kpi;
  std::string op;  // ">=", ">", "<=", "<"
  double value = 0;
  std::string value_text;         // the value as written, canonical ("15m", "90%")
  std::vector<GroupMatch> where;  // sorted by dim
  std::string key;                // storage key: kpi + canonical where
  std::string text;               // the statement as written
  int64_t defined_at_ms = 0;
  std::string Describe() const;   // "fcr >= 0.8 where channel = \"chat\""
};

struct Relaxation {
  std::string kpi, op;
  double value = 0;
};

struct Exemption {
  std::string name;
  int64_t start_ms = 0, end_ms = 0;
  ast::ExprPtr where;              // exclude: any predicate; relax: equalities (also in `match`)
  std::vector<GroupMatch> match;   // relax
  bool exclude = false;
  std::vector<Relaxation> relax;
  std::string tz = "UTC";
  std::string text;
  int64_t defined_at_ms = 0;
};

struct Scorecard {
  std::string name;
  std::vector<std::pair<double, std::string>> terms;  // weight, kpi
  double cap = 1;
  std::string text;
  int64_t defined_at_ms = 0;
};

struct CalendarDefinition {
  std::string name;
  CalendarSpec spec;
  std::string text;
  int64_t defined_at_ms = 0;
};

bool ReadTarget(const ast::DefineTarget& d, const KpiMap& kpis, TargetRule* out, DefinitionError* error);
// The storage key of the target `kpi [where ...]` (drop target); false with
// *error when `where` is not a conjunction of equalities.
bool TargetKey(const ast::NamePos& kpi, const ast::ExprPtr& where, std::string* key, DefinitionError* error);
bool ReadExemption(const ast::DefineExemption& d, const KpiMap& kpis, Exemption* out, DefinitionError* error);
bool ReadScorecard(const ast::DefineScorecard& d, const KpiMap& kpis, Scorecard* out, DefinitionError* error);
bool ReadCalendar(const ast::DefineCalendar& d, CalendarDefinition* out, DefinitionError* error);

// The clock of a calendar, built once per definition text and shared
// (building one costs milliseconds). Thread-safe.
std::shared_ptr<const BusinessClock> ClockFor(const CalendarDefinition& calendar);

// A stored definition that no longer reads (a grammar change, a KPI
// redefined so its target no longer fits, a value written by another
// version): kept out of the loaded set and reported, never guessed at.
struct UnreadableDefinition {
  std::string kind;    // "calendar", "target", "exemption", "scorecard"
  std::string name;    // its storage name (a target's: kpi + canonical where)
  std::string reason;  // the parse or read error, with line:column in its text
  // "target fcr where channel = \"chat\" is stored but no longer reads (line 1,
  // column 20: ...); drop it or define it again"
  std::string Describe() const;
};

// Every definition as of an instant (or now), read from the store.
struct LoadedDefinitions {
  KpiMap kpis;
  std::map<std::string, CalendarDefinition> calendars;
  std::vector<TargetRule> targets;
  std::vector<Exemption> exemptions;  // by definition time, then name (the "defined first" rule)
  std::map<std::string, Scorecard> scorecards;
  DefinitionMap tables;               // descriptors; data loaded on join
  DefinitionMap watches;              // stored texts (query/watch/watch_definition.h reads them)
  std::vector<UnreadableDefinition> unreadable;  // stored entries that no longer read
};

// `viewer`: the scope text of the token asking (nullptr: unscoped, sees
// everything); definitions owned by other scopes are left out (VisibleTo).
// `judging` false (a plain select) leaves targets, exemptions and
// scorecards unread: their texts are parsed only where they are used.
Status LoadAllDefinitions(const MetaReader& store, std::optional<int64_t> as_of_ms, LoadedDefinitions* out,
                          const std::string* viewer = nullptr, bool judging = true);

}  // namespace kpi::query
