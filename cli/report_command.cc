// `kpi report` (see cli/report_command.h).
#include "cli/report_command.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "cli/exit_codes.h"
#include "cli/query_command.h"
#include "cli/report_html.h"
#include "cli/store_open.h"
#include "query/catalog/definition_store.h"
#include "query/engine.h"
#include "query/evaluation/definitions.h"
#include "query/evaluation/exemption_json.h"

namespace kpi::cli {

namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The names of a KPI list file: identifiers separated by commas, blanks or
// lines; `--` to the end of a line is a comment.
bool ReadKpiList(const std::string& text, std::vector<std::string>* names, std::string* error) {
  size_t line = 1;
  std::string word;
  auto flush = [&]() {
    if (word.empty()) return true;
    if (!(std::isalpha(static_cast<unsigned char>(word[0])) || word[0] == '_')) {
      *error = "line " + std::to_string(line) + ": '" + word + "' is not a KPI name";
      return false;
    }
    names->push_back(word);
    word.clear();
    return true;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '-' && i + 1 < text.size() && text[i + 1] == '-') {
      while (i < text.size() && text[i] != '\n') ++i;
      if (!flush()) return false;
      ++line;
      continue;
    }
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      word.push_back(c);
      continue;
    }
    if (!flush()) return false;
    if (c == '\n') ++line;
    else if (c != ',' && !std::isspace(static_cast<unsigned char>(c))) {
      *error = "line " + std::to_string(line) + ": unexpected '" + std::string(1, c) + "' (list KPI names)";
      return false;
    }
  }
  if (!flush()) return false;
  if (names->empty()) *error = "no KPI names in it";
  return !names->empty();
}

// Days from 1970-01-01 of a YYYY-MM-DD at `s` (civil calendar), or false.
bool DayNumber(const std::string& s, long* days) {
  int y = 0, m = 0, d = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31) return false;
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const long yoe = y - era * 400;
  const long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  *days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
  return true;
}

std::string Join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string FindChromium() {
  if (const char* env = std::getenv("KPI_CHROMIUM"); env != nullptr && *env != '\0') return env;
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  for (const char* name : {"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}) {
    size_t start = 0;
    while (start <= dirs.size()) {
      const size_t end = dirs.find(':', start);
      const std::string dir = dirs.substr(start, end == std::string::npos ? std::string::npos : end - start);
      const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  return "";
}

// Prints `html_file` to `pdf_file` with headless Chromium.
bool PrintPdf(const std::string& html_file, const std::string& pdf_file, std::string* error) {
  const std::string chromium = FindChromium();
  if (chromium.empty()) {
    *error = "a PDF needs headless Chromium (apt-get install chromium, or KPI_CHROMIUM=/path/to/chrome); "
             "write --out FILE.html instead";
    return false;
  }
  const std::string url = "file://" + std::filesystem::absolute(html_file).string();
  const std::string print = "--print-to-pdf=" + pdf_file;
  std::vector<std::string> args = {chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                                   "--disable-dev-shm-usage", print, url};
  pid_t pid = fork();
  if (pid < 0) {
    *error = "cannot start " + chromium;
    return false;
  }
  if (pid == 0) {
    // Chromium talks on stdout/stderr ("bytes written to file"): keep ours clean.
    std::FILE* null = std::fopen("/dev/null", "w");
    if (null != nullptr) {
      dup2(fileno(null), 1);
      dup2(fileno(null), 2);
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::error_code ec;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || std::filesystem::file_size(pdf_file, ec) == 0 || ec) {
    *error = chromium + " did not print " + pdf_file + " (exit " +
             std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")";
    return false;
  }
  return true;
}

const std::string* Cell(const query::Result& r, const std::vector<query::Value>& row, const std::string& column) {
  for (size_t i = 0; i < r.columns.size() && i < row.size(); ++i)
    if (r.columns[i].name == column && row[i].type == query::ValueType::kString) return &row[i].text;
  return nullptr;
}

}  // namespace

std::string ReportBucket(const std::string& bucket, const std::string& during) {
  if (bucket != "auto") return bucket;
  const size_t dots = during.find("..");
  long from = 0, to = 0;
  if (dots == std::string::npos) return "week";
  std::string a = during.substr(0, dots), b = during.substr(dots + 2);
  a.erase(0, a.find_first_not_of(" \t"));
  b.erase(0, b.find_first_not_of(" \t"));
  if (!DayNumber(a, &from) || !DayNumber(b, &to)) return "week";
  const long days = to - from;
  return days <= 62 ? "day" : days <= 400 ? "week" : "month";
}

int RunReport(const ReportFlags& flags, std::FILE* out, std::FILE* err) {
  if (flags.scorecard.empty() == flags.kpi_file.empty()) {
    std::fprintf(err, "kpi report: give either --scorecard NAME or -f FILE (a list of KPI names)\n");
    return kExitUsage;
  }
  const bool pdf = EndsWith(flags.out, ".pdf");
  if (!pdf && !EndsWith(flags.out, ".html") && !EndsWith(flags.out, ".htm")) {
    std::fprintf(err, "kpi report: --out must end in .html or .pdf (got '%s')\n", flags.out.c_str());
    return kExitUsage;
  }
  const std::string bucket = ReportBucket(flags.bucket, flags.during);
  if (bucket != "day" && bucket != "week" && bucket != "month" && bucket != "quarter" && bucket != "hour") {
    std::fprintf(err, "kpi report: --bucket must be auto, hour, day, week, month or quarter\n");
    return kExitUsage;
  }
  std::unique_ptr<storage::Store> store;
  Status s = OpenExistingStore(flags.db, &store);
  if (!s.ok()) {
    std::fprintf(err, "kpi report: %s\n", s.ToString().c_str());
    return kExitUsage;
  }
  query::Engine engine(store.get());

  std::vector<std::string> kpis;
  if (!flags.kpi_file.empty()) {
    std::string text, error;
    if (!ReadWholeFile(flags.kpi_file, kMaxScriptBytes, &text, &error)) {
      std::fprintf(err, "kpi report: %s\n", error.c_str());
      return kExitUsage;
    }
    if (!ReadKpiList(text, &kpis, &error)) {
      std::fprintf(err, "kpi report: %s: %s\n", flags.kpi_file.c_str(), error.c_str());
      return kExitUsage;
    }
  } else {
    query::LoadedDefinitions defs;
    s = query::LoadAllDefinitions(*store, std::nullopt, &defs);
    if (!s.ok()) {
      std::fprintf(err, "kpi report: %s\n", s.ToString().c_str());
      return kExitUsage;
    }
    auto it = defs.scorecards.find(flags.scorecard);
    if (it == defs.scorecards.end()) {
      std::fprintf(err, "kpi report: unknown scorecard '%s' (show scorecards lists them)\n", flags.scorecard.c_str());
      return kExitRejects;
    }
    for (const auto& [weight, kpi] : it->second.terms) kpis.push_back(kpi);
  }

  const std::string window = " from tickets during " + flags.during;
  const std::string groups = flags.by.empty() ? "" : " by " + flags.by;
  query::ExecOptions options;
  // Runs one statement as of the report's instant (set by the first).
  auto run = [&](const std::string& title, const std::string& statement, ReportResult* into) {
    into->title = title;
    query::QueryError error;
    Status st = engine.Execute(statement, options, &into->result, &error);
    if (!st.ok()) {
      std::fprintf(err, "kpi report: %s\n  in: %s\n", error.ToString().c_str(), statement.c_str());
      return false;
    }
    if (!options.as_of_ms && into->result.provenance.present) {
      options.as_of_ms = into->result.provenance.as_of_ms;
      // A relative window (`last 30d`, `previous month`) is read against the
      // first statement's now in every later one too.
      options.now_ms = into->result.provenance.now_ms;
    }
    return true;
  };

  ReportData report;
  report.store = flags.db;
  report.during = flags.during;
  report.by = flags.by;
  report.scorecard = flags.scorecard;
  report.generated_ms = store->NowMs();
  report.title = !flags.title.empty()     ? flags.title
                 : flags.scorecard.empty() ? "KPI review, " + flags.during
                                           : "Scorecard " + flags.scorecard + ", " + flags.during;
  if (!run("KPIs against their targets", "evaluate " + Join(kpis, ", ") + window + groups, &report.summary))
    return kExitRejects;
  if (!flags.scorecard.empty()) {
    report.has_scorecard = true;
    if (!run("Scorecard " + flags.scorecard, "evaluate scorecard " + flags.scorecard + window + groups,
             &report.scorecard_result))
      return kExitRejects;
  }
  for (const std::string& kpi : kpis) {
    report.trends.emplace_back();
    if (!run(kpi + " by " + bucket, "evaluate " + kpi + window + " by " + bucket, &report.trends.back()))
      return kExitRejects;
  }

  // What the results used: definitions (with the text of the version used)
  // and exemptions, read as of the report's instant.
  std::map<std::pair<std::string, std::string>, int64_t> used;
  std::vector<const query::Result*> all = {&report.summary.result};
  if (report.has_scorecard) all.push_back(&report.scorecard_result.result);
  for (const ReportResult& t : report.trends) all.push_back(&t.result);
  for (const query::Result* r : all)
    for (const query::DefinitionRef& d : r->provenance.definitions) used[{d.kind, d.name}] = d.version_ms;
  std::map<query::DefinitionKind, query::DefinitionMap> texts;
  query::LoadedDefinitions then;
  s = query::LoadEveryKind(*store, options.as_of_ms, &texts);
  if (s.ok()) s = query::LoadAllDefinitions(*store, options.as_of_ms, &then);
  if (!s.ok()) {
    std::fprintf(err, "kpi report: %s\n", s.ToString().c_str());
    return kExitUsage;
  }
  for (const auto& [key, version] : used) {
    ReportDefinition d{key.first, key.second, version, ""};
    for (query::DefinitionKind kind : query::kAllDefinitionKinds) {
      if (key.first != query::DefinitionKindName(kind)) continue;
      auto it = texts[kind].find(key.second);
      if (it != texts[kind].end()) d.text = it->second.text;
    }
    report.definitions.push_back(std::move(d));
  }
  std::vector<query::Exemption> shaded;
  for (const query::Exemption& x : then.exemptions) {
    if (!used.count({"exemption", x.name})) continue;
    shaded.push_back(x);
    ReportExemption e{x.name, x.exclude ? "exclude" : "relax", x.start_ms, x.end_ms, x.text, 0};
    for (const auto& row : report.summary.result.rows) {
      const std::string* from = Cell(report.summary.result, row, "target_from");
      if (from != nullptr && *from == x.name) ++e.rows_relaxed;
    }
    report.exemptions.push_back(std::move(e));
  }
  report.exemptions_json = query::ExemptionWindowsJson(shaded);

  const std::string html = RenderReportHtml(report);
  const std::string html_file = pdf ? flags.out + ".tmp.html" : flags.out;
  {
    std::ofstream f(html_file, std::ios::binary | std::ios::trunc);
    f << html;
    if (!f.good()) {
      std::fprintf(err, "kpi report: cannot write %s\n", html_file.c_str());
      return kExitUsage;
    }
  }
  if (pdf) {
    std::string error;
    const bool printed = PrintPdf(html_file, flags.out, &error);
    std::error_code ec;
    std::filesystem::remove(html_file, ec);
    if (!printed) {
      std::fprintf(err, "kpi report: %s\n", error.c_str());
      return kExitUsage;
    }
  }
  const auto [met, missed] = MetAndMissed(report.summary.result);
  std::fprintf(out, "wrote %s: %zu KPIs, %zu rows met, %zu missed, %zu results with provenance\n", flags.out.c_str(),
               kpis.size(), met, missed, all.size());
  return kExitOk;
}

}  // namespace kpi::cli
