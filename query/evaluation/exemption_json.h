// Exemption windows as JSON, for the charts that shade them: the web UI's
// GET /v1/exemptions (server/web_ui_endpoint.h) and `kpi report`.
//
//   [{"name":"outage","kind":"exclude"|"relax",
//     "start":"2025-03-10T08:00:00Z","end":"...","start_ms":N,"end_ms":N,
//     "tz":"UTC","relax":[{"kpi":"frt","op":"<=","value":600}],
//     "text":"define exemption ..."}]
// Instants in UTC (the window is [start, end)); values as numbers
// (durations in seconds); text: the statement as written.
// Thread safety: pure function.
#pragma once

#include <string>
#include <vector>

#include "query/evaluation/definitions.h"

namespace kpi::query {

std::string ExemptionWindowsJson(const std::vector<Exemption>& exemptions);

}  // namespace kpi::query
