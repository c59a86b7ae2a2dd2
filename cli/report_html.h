// The page of `kpi report` (cli/report_command.h): one self-contained HTML
// file (styles, Apache ECharts and the UI's chart code inlined from the
// embedded web assets, web/assets.h), readable offline and printable to PDF.
//
// Sections, in order:
//   header      title, store, window, groups, when generated, as of
//   summary     KPIs judged, met, missed (and the scorecard's score)
//   KPIs        each KPI against its target (the summary `evaluate`), met
//               green, missed red, the target's source (target / exemption)
//   scorecard   the `evaluate scorecard` rows (with --scorecard)
//   trends      per KPI, its values against its target per time bucket
//               (web/charts.js, kind "evaluation"; exemption windows shaded)
//   exemptions  every exemption a result used: kind, window, text, and the
//               summary rows judged against it
//   definitions every definition a result used, with the version and the
//               text of that version
//   provenance  per result: statement, as of, result hash, and a "Save
//               JSON" button; every result is embedded whole as
//               <script type="application/json" class="kpi-result" id="result-N">
//               holding the document `kpi query --format json` prints:
//               `kpi audit verify --db DIR PAGE.html` reruns them all, and
//               a saved one reruns with `kpi audit verify --db DIR FILE`.
// Text is HTML-escaped; embedded JSON has "</" written "<\/" (still the
// same JSON) so no value can end its script element.
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "query/result.h"

namespace kpi::cli {

struct ReportResult {
  std::string title;  // "KPIs against their targets", "Trend: frt"
  query::Result result;
};

struct ReportDefinition {
  std::string kind, name;
  int64_t version_ms = 0;
  std::string text;  // of that version; "" when it could not be read
};

struct ReportExemption {
  std::string name;
  std::string kind;  // "exclude" or "relax"
  int64_t start_ms = 0, end_ms = 0;
  std::string text;
  size_t rows_relaxed = 0;  // summary rows whose target_from names it
};

struct ReportData {
  std::string title;
  std::string store;
  std::string during, by, scorecard;  // as given ("" when not)
  int64_t generated_ms = 0;
  ReportResult summary;                 // evaluate <kpis> during .. [by ..]
  bool has_scorecard = false;
  ReportResult scorecard_result;        // evaluate scorecard NAME ...
  std::vector<ReportResult> trends;     // one per KPI
  std::vector<ReportExemption> exemptions;
  std::vector<ReportDefinition> definitions;
  std::string exemptions_json;          // query/evaluation/exemption_json.h, for shading
};

std::string RenderReportHtml(const ReportData& report);

// Rows of an `evaluate` result whose met is true, and false (nulls in neither).
std::pair<size_t, size_t> MetAndMissed(const query::Result& evaluation);

// The results a report page embeds, in page order: (id "result-N", the JSON
// document). `kpi audit verify` reads a page through this.
std::vector<std::pair<std::string, std::string>> EmbeddedReportResults(const std::string& html);

// Text with & < > " ' escaped.
std::string HtmlEscape(const std::string& text);

}  // namespace kpi::cli
