// The watch gauges of /metrics (see server/watch_metrics.h).
#include "server/watch_metrics.h"

#include <cmath>
#include <cstdio>
#include <utility>

#include "query/value_json.h"

namespace kpi::server {

namespace {

using query::Value;
using query::ValueType;

bool IsLabelChar(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
}

// Label value escaping of the text format: backslash, double quote, newline.
void AppendLabelValue(std::string* out, const std::string& v) {
  for (char c : v) {
    if (c == '\\') out->append("\\\\");
    else if (c == '"') out->append("\\\"");
    else if (c == '\n') out->append("\\n");
    else out->push_back(c);
  }
}

std::string CellText(const Value& v) {
  switch (v.type) {
    case ValueType::kNull: return "";
    case ValueType::kBool: return v.boolean ? "true" : "false";
    case ValueType::kNumber:
    case ValueType::kDuration: return query::ExactNumberText(v.number);
    case ValueType::kTime: return query::Rfc3339InZone(v.time_ms, "UTC");
    case ValueType::kString: return v.text;
  }
  return "";
}

// A sample value: NaN for what Prometheus cannot hold otherwise.
std::string SampleText(double x) {
  if (std::isnan(x)) return "NaN";
  if (std::isinf(x)) return x > 0 ? "+Inf" : "-Inf";
  return query::ExactNumberText(x);
}

using Labels = std::vector<std::pair<std::string, std::string>>;

struct Series {
  const char* metric;
  Labels labels;
  double value;
};

void AppendSample(std::string* out, const char* metric, const Labels& labels, double value) {
  out->append(metric);
  out->push_back('{');
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append(labels[i].first);
    out->append("=\"");
    AppendLabelValue(out, labels[i].second);
    out->push_back('"');
  }
  out->append("} ");
  out->append(SampleText(value));
  out->push_back('\n');
}

bool Numeric(const Value& v) { return v.type == ValueType::kNumber || v.type == ValueType::kDuration; }

// The value / target / met series of one run.
void RunSeries(const WatchMetricsInput& w, std::vector<Series>* out) {
  const query::Result& r = w.latest->result;
  const size_t groups = std::min(w.latest->group_columns, r.columns.size());
  auto column = [&r](const char* name) {
    for (size_t i = 0; i < r.columns.size(); ++i)
      if (r.columns[i].name == name) return static_cast<int>(i);
    return -1;
  };
  const int kpi = w.def.evaluate ? column("kpi") : -1;
  const bool judged_rows = kpi >= 0 && column("value") >= 0;  // an evaluate of KPIs, not a scorecard
  const int target = column("target"), met = column("met"), value = column("value");
  for (const auto& row : r.rows) {
    if (row.size() != r.columns.size()) continue;
    Labels base = {{"watch", w.def.name}};
    for (size_t g = 0; g < groups; ++g) base.emplace_back(WatchLabelName(r.columns[g].name), CellText(row[g]));
    auto with_kpi = [&base](const std::string& k) {
      Labels l = base;
      l.insert(l.begin() + 1, {"kpi", k});
      return l;
    };
    const std::string judged_kpi = judged_rows && row[kpi].type == ValueType::kString ? row[kpi].text : w.def.name;
    if (judged_rows) {
      if (Numeric(row[value])) out->push_back({"kpistore_watch_value", with_kpi(judged_kpi), row[value].number});
    } else {
      for (size_t c = groups; c < r.columns.size(); ++c)
        if (r.columns[c].name != "target" && Numeric(row[c]))
          out->push_back({"kpistore_watch_value", with_kpi(r.columns[c].name), row[c].number});
    }
    if (target >= 0 && static_cast<size_t>(target) >= groups && Numeric(row[target]))
      out->push_back({"kpistore_watch_target", with_kpi(judged_kpi), row[target].number});
    if (met >= 0 && static_cast<size_t>(met) >= groups && row[met].type == ValueType::kBool)
      out->push_back({"kpistore_watch_met", with_kpi(judged_kpi), row[met].boolean ? 1.0 : 0.0});
  }
}

void AppendFamily(std::string* out, const char* metric, const char* type, const char* help,
                  const std::vector<Series>& series) {
  out->append("# HELP ").append(metric).append(" ").append(help).append("\n");
  out->append("# TYPE ").append(metric).append(" ").append(type).append("\n");
  for (const Series& s : series)
    if (std::string(s.metric) == metric) AppendSample(out, metric, s.labels, s.value);
}

}  // namespace

std::string WatchLabelName(const std::string& column) {
  std::string name;
  for (size_t i = 0; i < column.size(); ++i) name.push_back(IsLabelChar(column[i], false) ? column[i] : '_');
  if (name.empty() || !IsLabelChar(name[0], true) || name == "watch" || name == "kpi" || name.rfind("__", 0) == 0)
    name = "group_" + name;
  return name;
}

std::string RenderWatchMetrics(const std::vector<WatchMetricsInput>& watches) {
  std::vector<Series> series;
  for (const WatchMetricsInput& w : watches) {
    if (w.latest) RunSeries(w, &series);
    const Labels name = {{"watch", w.def.name}};
    const bool failed = w.state.last_run_ms > 0 && !w.state.last_ok;
    series.push_back({"kpistore_watch_failed", name, failed ? 1.0 : 0.0});
    series.push_back({"kpistore_watch_runs_total", name, static_cast<double>(w.state.runs)});
    series.push_back({"kpistore_watch_failures_total", name, static_cast<double>(w.state.failures)});
    series.push_back({"kpistore_watch_skipped_total", name, static_cast<double>(w.state.skipped)});
    if (w.state.last_run_ms > 0) {
      series.push_back({"kpistore_watch_last_run_timestamp_seconds", name, w.state.last_run_ms / 1000.0});
      series.push_back({"kpistore_watch_run_duration_seconds", name, w.state.last_duration_ms / 1000.0});
    }
  }
  std::string out;
  AppendFamily(&out, "kpistore_watch_value", "gauge", "The latest value a watch computed (durations in seconds).",
               series);
  AppendFamily(&out, "kpistore_watch_target", "gauge", "The target that judged the value.", series);
  AppendFamily(&out, "kpistore_watch_met", "gauge", "1 when the value met its target, 0 when it missed.", series);
  AppendFamily(&out, "kpistore_watch_failed", "gauge", "1 when the watch's last run failed.", series);
  AppendFamily(&out, "kpistore_watch_runs_total", "counter", "Runs of the watch.", series);
  AppendFamily(&out, "kpistore_watch_failures_total", "counter", "Runs of the watch that failed.", series);
  AppendFamily(&out, "kpistore_watch_skipped_total", "counter",
               "Instants the watch was due while its previous run was still going.", series);
  AppendFamily(&out, "kpistore_watch_last_run_timestamp_seconds", "gauge", "When the watch last ran.", series);
  AppendFamily(&out, "kpistore_watch_run_duration_seconds", "gauge", "How long the watch's last run took.", series);
  return out;
}

}  // namespace kpi::server
