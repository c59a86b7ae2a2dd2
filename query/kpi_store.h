// Named KPIs: the kpi kind of the catalog of definitions
// (query/catalog/definition_store.h: namespaces "kpi" / "kpi_history",
// stored text = the expression as written, re-parsed on load as
// `define kpi <name> = <text>`, so the stored form never depends on the
// AST's layout). `as of T` evaluates named KPIs as they were defined at T.
// Thread safety: functions over a MetaReader / MetaWriter (query/catalog/meta_store.h), which are thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "query/binder/binder.h"
#include "query/catalog/definition_store.h"
#include "storage/status.h"

namespace kpi::query {

inline constexpr const char* kKpiNamespace = "kpi";


// Defines (or redefines) `name` at `at_ms`: current definition and history.
Status SaveKpi(const MetaWriter& store, const std::string& name, const std::string& expr_text, int64_t at_ms,
               const std::string& owner = "");
// Drops `name` at `at_ms` (the caller checked it exists).
Status DropKpi(const MetaWriter& store, const std::string& name, int64_t at_ms);

// Stored KPI definitions (catalog entries of kind kpi) as parsed KPIs; the
// ones whose text no longer parses are reported in *bad.
Status ToKpis(const DefinitionMap& stored, KpiMap* out, std::vector<std::string>* bad);

// Every stored KPI whose text still parses (the others are reported in *bad).
Status LoadKpis(const MetaReader& store, KpiMap* out, std::vector<std::string>* bad);
// The KPIs as they were defined at `as_of_ms` (latest define at or before
// it, unless a later drop at or before it removed the KPI). `current` is
// LoadKpis's result, for definitions older than the history.
Status LoadKpisAsOf(const MetaReader& store, int64_t as_of_ms, const KpiMap& current, KpiMap* out,
                    std::vector<std::string>* bad);

}  // namespace kpi::query
