// The catalog of definitions: every kind of user definition (named KPIs,
// lookup tables, business-hours calendars, targets, exemption windows,
// scorecards) kept in metadata with one history mechanism: the local
// store's, or a ClickHouse cluster's (query/catalog/meta_store.h; the same
// keys and values in both).
//
// (watches, query/watch/watch_definition.h, are a kind too: their run
// history and alerts live in namespaces of their own, query/watch/watch_runs.h)
// For each kind K (DefinitionKindName: "kpi", "table", ...):
//   namespace K          key = name        the current definition
//   namespace K_history  key = name '\n' <16 hex digits of the instant>
//                                           one entry per define and per drop
// Both written in one atomic metadata write (MetaWriter::WriteMeta, with any
// extra writes the caller adds, e.g. a table's data), so a reader sees the
// old or the new definition, never half of it. Instants come from the
// metadata's clock (MetaReader::NowMs), the clock that stamps ingest
// batches, so `as of T` sees every definition as it was at T.
//
// Stored values (text):
//     <tag> '\n' <defined_at epoch ms, decimal> '\n' <text>
//     <tag>-dropped '\n' <dropped_at epoch ms, decimal>      (history only)
//     <tag>-owned '\n' <defined_at> '\n' <owner> '\n' <text>  (owned by a scope)
// where <tag> is "kpi1" for KPIs (the format named KPIs have always had) and
// "<kind>1" otherwise. The text is what the kind's loader re-parses: a KPI's
// expression as written, a statement (`define calendar ...`) for calendars,
// targets, exemptions and scorecards, a descriptor for tables.
// A definition made by a scoped admin is owned by that scope: <owner> is
// the scope's text as the token file writes it (Scope::text(), one line).
// Definitions without an owner (every definition of stores written before owners existed) are
// shared: visible to every token.
// Stores written before the history existed have current entries without
// history: they count from their defined_at.
// Thread safety: functions over a MetaReader / MetaWriter (query/catalog/meta_store.h), which are thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "storage/status.h"
#include "query/catalog/meta_store.h"

namespace kpi::query {

enum class DefinitionKind { kKpi, kTable, kCalendar, kTarget, kExemption, kScorecard, kDashboard, kWatch };
// The kinds statements read (LoadEveryKind, provenance, `show`, completion).
// Dashboards (the web UI's boards, server/dashboards_endpoint.h) are kept
// and versioned here too but no statement reads them, so they are not in
// this list: saving a board changes no answer's provenance.
inline constexpr DefinitionKind kAllDefinitionKinds[] = {DefinitionKind::kKpi,      DefinitionKind::kTable,
                                                         DefinitionKind::kCalendar, DefinitionKind::kTarget,
                                                         DefinitionKind::kExemption, DefinitionKind::kScorecard,
                                                         DefinitionKind::kWatch};

// "kpi", "table", "calendar", "target", "exemption", "scorecard", "dashboard", "watch".
const char* DefinitionKindName(DefinitionKind kind);

struct StoredDefinition {
  DefinitionKind kind = DefinitionKind::kKpi;
  std::string name;
  std::string text;
  int64_t defined_at_ms = 0;
  std::string owner;  // the owning scope's text; empty: shared
};
using DefinitionMap = std::map<std::string, StoredDefinition>;

// Defines (or redefines) `name` at `at_ms`: current entry, history entry and
// `extra` in one atomic write.
// `owner`: the owning scope's text (no newline), empty for shared.
Status SaveDefinition(const MetaWriter& store, DefinitionKind kind, const std::string& name, const std::string& text,
                      int64_t at_ms, std::vector<MetaWrite> extra = {}, const std::string& owner = "");

// Whether a token whose scope text is `*viewer` (nullptr: an unscoped
// token) sees `def`: unscoped tokens see everything; a scoped token sees
// shared definitions and those its exact scope owns.
bool VisibleTo(const StoredDefinition& def, const std::string* viewer);
// Removes from *defs what `viewer` does not see.
void KeepVisible(DefinitionMap* defs, const std::string* viewer);
// Several definitions of one kind (e.g. a targets file) in one atomic write.
Status SaveDefinitions(const MetaWriter& store, DefinitionKind kind,
                       const std::vector<std::pair<std::string, std::string>>& name_and_text, int64_t at_ms);
// Drops `name` at `at_ms` (the caller checked it exists).
Status DropDefinition(const MetaWriter& store, DefinitionKind kind, const std::string& name, int64_t at_ms,
                      std::vector<MetaWrite> extra = {});

// The current definitions of `kind`. Entries that do not decode are listed
// in *bad (when given) and left out.
Status LoadDefinitions(const MetaReader& store, DefinitionKind kind, DefinitionMap* out,
                       std::vector<std::string>* bad = nullptr);
// The definitions of `kind` as they were at `as_of_ms`: the latest define at
// or before it, unless a later drop at or before it removed the name.
Status LoadDefinitionsAsOf(const MetaReader& store, DefinitionKind kind, int64_t as_of_ms, DefinitionMap* out,
                           std::vector<std::string>* bad = nullptr);

// One name's history, oldest first: every define (text, owner) and drop.
struct DefinitionVersion {
  int64_t at_ms = 0;
  bool dropped = false;
  StoredDefinition definition;  // empty text for a drop
};
Status LoadDefinitionHistory(const MetaReader& store, DefinitionKind kind, const std::string& name,
                             std::vector<DefinitionVersion>* out);

// Every kind at once, read from one consistent view of the store's
// metadata (current definitions, or as of an instant): a statement never
// sees one definition change without the changes that came before it.
// `viewer`: as for VisibleTo (what it does not see is left out).
// `undecodable`, if given, gets per kind the names of stored values this
// build cannot decode (another version's format, damage): left out of *out,
// never silently. Their owner is unknown, so a scoped viewer gets them
// without names ("?"), which tells it only that some exist.
Status LoadEveryKind(const MetaReader& store, std::optional<int64_t> as_of_ms,
                     std::map<DefinitionKind, DefinitionMap>* out, const std::string* viewer = nullptr,
                     std::map<DefinitionKind, std::vector<std::string>>* undecodable = nullptr);

// The instant of the latest define or drop of any kind (0 with none).
Status LatestDefinitionChange(const MetaReader& store, int64_t* at_ms);

// 16 lower-case hex digits of an instant: the history key suffix.
std::string InstantKey(int64_t at_ms);

}  // namespace kpi::query
