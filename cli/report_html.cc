// The page of `kpi report` (see cli/report_html.h).
#include "cli/report_html.h"

#include <map>

#include "cli/format.h"
#include "web/assets.h"

namespace kpi::cli {

namespace {

using query::Result;

// The element each embedded result is written in (and read back from).
constexpr std::string_view kResultOpen = "<script type=\"application/json\" class=\"kpi-result\" id=\"";
constexpr std::string_view kScriptClose = "</script>";
using query::Value;
using query::ValueType;

std::string Asset(std::string_view path) {
  const web::Asset* a = web::FindAsset(path);
  return a != nullptr ? std::string(a->body) : std::string();
}

// JSON inside <script>: "</" cannot appear, "<\/" is the same JSON string.
std::string ScriptSafe(const std::string& json) {
  std::string out;
  out.reserve(json.size());
  for (size_t i = 0; i < json.size(); ++i) {
    out.push_back(json[i]);
    if (json[i] == '<' && i + 1 < json.size() && json[i + 1] == '/') out.push_back('\\');
  }
  return out;
}

int ColumnIndex(const Result& r, const std::string& name) {
  for (size_t i = 0; i < r.columns.size(); ++i)
    if (r.columns[i].name == name) return static_cast<int>(i);
  return -1;
}

std::string Table(const Result& r) {
  std::string out = "<table><thead><tr>";
  for (const auto& c : r.columns) out += "<th>" + HtmlEscape(c.name) + "</th>";
  out += "</tr></thead><tbody>\n";
  std::vector<bool> dates(r.columns.size());
  for (size_t c = 0; c < r.columns.size(); ++c) dates[c] = ColumnShowsDates(r, c);
  const int met = ColumnIndex(r, "met");
  for (const auto& row : r.rows) {
    out += "<tr>";
    for (size_t c = 0; c < r.columns.size(); ++c) {
      const Value v = c < row.size() ? row[c] : Value{};
      std::string cls;
      if (v.type == ValueType::kNumber || v.type == ValueType::kDuration) cls = "num";
      if (static_cast<int>(c) == met && v.type == ValueType::kBool) cls = v.boolean ? "met" : "missed";
      out += cls.empty() ? "<td>" : "<td class=\"" + cls + "\">";
      out += HtmlEscape(DisplayCell(v, r.tz, dates[c])) + "</td>";
    }
    out += "</tr>\n";
  }
  return out + "</tbody></table>\n";
}

std::string Provenance(const Result& r, int id) {
  if (!r.provenance.present) return "";
  return "<p class=\"provenance\">result " + std::to_string(id) + " &middot; as of " +
         HtmlEscape(FormatTime(r.provenance.as_of_ms, "UTC")) + " &middot; hash <span class=\"hash\">" +
         HtmlEscape(r.provenance.result_hash) + "</span></p>\n";
}

}  // namespace

std::pair<size_t, size_t> MetAndMissed(const Result& r) {
  const int met = ColumnIndex(r, "met");
  size_t yes = 0, no = 0;
  if (met < 0) return {0, 0};
  for (const auto& row : r.rows) {
    if (static_cast<size_t>(met) >= row.size() || row[met].type != ValueType::kBool) continue;
    (row[met].boolean ? yes : no)++;
  }
  return {yes, no};
}

std::vector<std::pair<std::string, std::string>> EmbeddedReportResults(const std::string& html) {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t at = html.find(kResultOpen); at != std::string::npos; at = html.find(kResultOpen, at)) {
    const size_t id_from = at + kResultOpen.size();
    const size_t id_to = html.find("\">", id_from);
    if (id_to == std::string::npos) break;
    const size_t end = html.find(kScriptClose, id_to);
    if (end == std::string::npos) break;
    out.emplace_back(html.substr(id_from, id_to - id_from), html.substr(id_to + 2, end - id_to - 2));
    at = end;
  }
  return out;
}

std::string HtmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string RenderReportHtml(const ReportData& report) {
  // Every result in page order; ids are their 1-based places.
  std::vector<const ReportResult*> results = {&report.summary};
  if (report.has_scorecard) results.push_back(&report.scorecard_result);
  for (const ReportResult& t : report.trends) results.push_back(&t);
  auto id_of = [&](const ReportResult* r) {
    for (size_t i = 0; i < results.size(); ++i)
      if (results[i] == r) return static_cast<int>(i + 1);
    return 0;
  };

  std::string h = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" +
                  HtmlEscape(report.title) + "</title>\n<style>\n" + Asset("/ui/report.css") + "</style>\n</head>\n<body>\n";
  h += "<h1>" + HtmlEscape(report.title) + "</h1>\n<p class=\"meta\">store <code>" + HtmlEscape(report.store) +
       "</code> &middot; during " + HtmlEscape(report.during);
  if (!report.by.empty()) h += " &middot; by " + HtmlEscape(report.by);
  h += " &middot; generated " + HtmlEscape(FormatTime(report.generated_ms, "UTC"));
  if (report.summary.result.provenance.present)
    h += " &middot; data as of " + HtmlEscape(FormatTime(report.summary.result.provenance.as_of_ms, "UTC"));
  h += "</p>\n";

  const auto [met, missed] = MetAndMissed(report.summary.result);
  h += "<div class=\"summary\"><div><b>" + std::to_string(report.trends.size()) + "</b>KPIs</div><div><b>" +
       std::to_string(met) + "</b>rows met their target</div><div><b>" + std::to_string(missed) +
       "</b>rows missed it</div>";
  if (report.has_scorecard && report.by.empty() && !report.scorecard_result.result.rows.empty()) {
    const int score = ColumnIndex(report.scorecard_result.result, "score");
    if (score >= 0)
      h += "<div><b>" + HtmlEscape(DisplayCell(report.scorecard_result.result.rows[0][score], "UTC", false)) +
           "</b>score of " + HtmlEscape(report.scorecard) + "</div>";
  }
  h += "</div>\n";

  h += "<h2>" + HtmlEscape(report.summary.title) + "</h2>\n" + Table(report.summary.result) +
       Provenance(report.summary.result, id_of(&report.summary));
  if (report.has_scorecard) {
    h += "<h2>" + HtmlEscape(report.scorecard_result.title) + "</h2>\n" + Table(report.scorecard_result.result) +
         Provenance(report.scorecard_result.result, id_of(&report.scorecard_result));
  }

  h += "<h2>Trends</h2>\n<p class=\"note\">Each KPI per time bucket against its target (dashed); green: met, red: "
       "missed; shaded: exemption windows (grey: excluded, amber: relaxed).</p>\n";
  for (const ReportResult& t : report.trends) {
    const int id = id_of(&t);
    h += "<div class=\"kpi-section\"><h3>" + HtmlEscape(t.title) + "</h3>\n<div class=\"chart\" data-result=\"result-" +
         std::to_string(id) + "\" data-kind=\"evaluation\"></div>\n" + Provenance(t.result, id) + "</div>\n";
  }

  h += "<h2>Exemptions applied</h2>\n";
  if (report.exemptions.empty()) {
    h += "<p class=\"note\">No exemption applied to these results.</p>\n";
  } else {
    h += "<table><thead><tr><th>name</th><th>kind</th><th>window (UTC)</th><th>summary rows judged against it</th>"
         "<th>definition</th></tr></thead><tbody>\n";
    for (const ReportExemption& x : report.exemptions) {
      h += "<tr><td>" + HtmlEscape(x.name) + "</td><td>" + HtmlEscape(x.kind) + "</td><td>" +
           HtmlEscape(FormatTime(x.start_ms, "UTC")) + " .. " + HtmlEscape(FormatTime(x.end_ms, "UTC")) +
           "</td><td class=\"num\">" + (x.kind == "relax" ? std::to_string(x.rows_relaxed) : std::string("(tickets left out)")) +
           "</td><td class=\"code\">" + HtmlEscape(x.text) + "</td></tr>\n";
    }
    h += "</tbody></table>\n";
  }

  h += "<h2>Definitions used</h2>\n<table><thead><tr><th>kind</th><th>name</th><th>version (UTC)</th>"
       "<th>definition</th></tr></thead><tbody>\n";
  for (const ReportDefinition& d : report.definitions) {
    h += "<tr><td>" + HtmlEscape(d.kind) + "</td><td>" + HtmlEscape(d.name) + "</td><td>" +
         HtmlEscape(FormatTime(d.version_ms, "UTC")) + "</td><td class=\"code\">" + HtmlEscape(d.text) + "</td></tr>\n";
  }
  h += "</tbody></table>\n";

  h += "<h2>Provenance</h2>\n<p class=\"note\">Every result is embedded in this file as the JSON document "
       "<code>kpi query --format json</code> prints. <code>kpi audit verify --db " + HtmlEscape(report.store) +
       " THIS-FILE.html</code> reruns every one as of its instant and compares hashes; Save JSON keeps one "
       "for <code>kpi audit verify --db " + HtmlEscape(report.store) + " result-N.json</code> (docs/provenance.md).</p>\n"
       "<table><thead><tr><th>#</th><th>result</th><th>statement</th><th>as of (UTC)</th><th>result hash</th><th></th>"
       "</tr></thead><tbody>\n";
  for (size_t i = 0; i < results.size(); ++i) {
    const query::Provenance& p = results[i]->result.provenance;
    h += "<tr><td>" + std::to_string(i + 1) + "</td><td>" + HtmlEscape(results[i]->title) + "</td><td class=\"code\">" +
         HtmlEscape(p.statement) + "</td><td>" + HtmlEscape(FormatTime(p.as_of_ms, "UTC")) +
         "</td><td class=\"hash\">" + HtmlEscape(p.result_hash) +
         "</td><td><button type=\"button\" class=\"save-result\" data-result=\"result-" + std::to_string(i + 1) +
         "\">Save JSON</button></td></tr>\n";
  }
  h += "</tbody></table>\n";

  for (size_t i = 0; i < results.size(); ++i) {
    std::string json = FormatJson(results[i]->result);
    while (!json.empty() && json.back() == '\n') json.pop_back();
    h += std::string(kResultOpen) + "result-" + std::to_string(i + 1) + "\">" + ScriptSafe(json) +
         std::string(kScriptClose) + "\n";
  }
  h += "<script type=\"application/json\" id=\"exemptions\">" + ScriptSafe(report.exemptions_json) + "</script>\n";
  for (const char* js : {"/ui/echarts.min.js", "/ui/charts.js", "/ui/report.js"})
    h += "<script>\n" + Asset(js) + "\n</script>\n";
  return h + "</body></html>\n";
}

}  // namespace kpi::cli
