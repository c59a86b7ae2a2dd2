// `kpi audit verify` (see cli/audit_command.h).
#include "cli/audit_command.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <sstream>
#include <variant>
#include <vector>

#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/query_command.h"
#include "cli/report_html.h"
#include "cli/store_open.h"
#include "query/engine.h"
#include "query/parser/parser.h"
#include "storage/store.h"
#include "query/evaluation/provenance.h"
#include "query/value_json.h"

namespace kpi::cli {

namespace {

using nlohmann::json;

// What the saved file says: its provenance and its table as a Result whose
// cells re-render to the same JSON text (times were saved as strings, and
// strings render as themselves).
struct SavedResult {
  std::string statement;
  int64_t as_of_ms = 0;
  std::optional<int64_t> now_ms;  // relative windows were read against it
  std::string result_hash;
  query::Result table;
};

// The document to verify: the whole file, or the one line of a
// one-document-per-line file (`kpi query --format json` with several
// statements) that has provenance.
bool PickDocument(const std::string& text, json* doc, std::string* error) {
  *doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc->is_discarded()) return true;
  std::vector<json> with_provenance;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json d = json::parse(line, nullptr, false);
    if (d.is_discarded()) {
      *error = "not JSON (line " + std::to_string(number) + " is not a JSON document either)";
      return false;
    }
    if (d.is_object() && d.contains("provenance")) with_provenance.push_back(std::move(d));
  }
  if (with_provenance.size() != 1) {
    *error = with_provenance.empty() ? "no result with provenance in it"
                                     : "holds " + std::to_string(with_provenance.size()) +
                                           " results with provenance; save the one to verify in its own file";
    return false;
  }
  *doc = std::move(with_provenance[0]);
  return true;
}

bool ReadSaved(const json& doc, SavedResult* saved, std::string* error) {
  if (!doc.is_object() || !doc.contains("provenance")) {
    *error = "no provenance (save a select or evaluate result with --format json)";
    return false;
  }
  const json& p = doc["provenance"];
  if (!p.is_object() || !p.contains("statement") || !p["statement"].is_string() || !p.contains("as_of_ms") ||
      !p["as_of_ms"].is_number_integer() || !p.contains("result_hash") || !p["result_hash"].is_string()) {
    *error = "provenance needs \"statement\" (string), \"as_of_ms\" (integer) and \"result_hash\" (string)";
    return false;
  }
  saved->statement = p["statement"].get<std::string>();
  saved->as_of_ms = p["as_of_ms"].get<int64_t>();
  saved->result_hash = p["result_hash"].get<std::string>();
  if (p.contains("now_ms")) {
    if (!p["now_ms"].is_number_integer()) {
      *error = "provenance \"now_ms\" must be an integer";
      return false;
    }
    saved->now_ms = p["now_ms"].get<int64_t>();
  }
  if (!doc.contains("columns") || !doc["columns"].is_array() || !doc.contains("rows") || !doc["rows"].is_array()) {
    *error = "\"columns\" and \"rows\" must be arrays";
    return false;
  }
  for (const json& c : doc["columns"]) {
    if (!c.is_object() || !c.contains("name") || !c["name"].is_string()) {
      *error = "every column needs a \"name\" string";
      return false;
    }
    saved->table.columns.push_back({c["name"].get<std::string>(), query::ValueType::kNull});
  }
  size_t row_number = 0;
  for (const json& row : doc["rows"]) {
    ++row_number;
    if (!row.is_array()) {
      *error = "row " + std::to_string(row_number) + " is not an array";
      return false;
    }
    std::vector<query::Value> cells;
    for (const json& cell : row) {
      if (cell.is_null()) {
        cells.push_back(query::Value::Null());
      } else if (cell.is_boolean()) {
        cells.push_back(query::Value::Bool(cell.get<bool>()));
      } else if (cell.is_number()) {
        // The shortest round-trip text of a double reads back as that double
        // and renders again to the same text.
        cells.push_back(query::Value::Number(cell.get<double>()));
      } else if (cell.is_string()) {
        cells.push_back(query::Value::String(cell.get<std::string>()));
      } else {
        *error = "row " + std::to_string(row_number) + " holds a cell that is not a JSON scalar";
        return false;
      }
    }
    saved->table.rows.push_back(std::move(cells));
  }
  return true;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string text;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) text.push_back('\n');
    text += lines[i];
  }
  return text;
}

// The first line where the saved and the rerun's canonical lines differ.
std::string FirstDifference(const std::vector<std::string>& saved, const std::vector<std::string>& now) {
  if (saved[0] != now[0]) return "columns differ:\n  saved: " + saved[0] + "\n  now:   " + now[0] + "\n";
  const size_t n = std::max(saved.size(), now.size());
  for (size_t i = 1; i < n; ++i) {
    const std::string a = i < saved.size() ? saved[i] : "(no such row)";
    const std::string b = i < now.size() ? now[i] : "(no such row)";
    if (a == b) continue;
    return "first differing row: row " + std::to_string(i) + " (saved " + std::to_string(saved.size() - 1) +
           " rows, now " + std::to_string(now.size() - 1) + ")\n  saved: " + a + "\n  now:   " + b + "\n";
  }
  return "";
}

// Reruns one saved result and prints its verdict (prefixed by `label`).
int VerifyOne(const query::Backend& engine, const SavedResult& saved, const std::string& label, std::FILE* out) {
  query::ExecOptions options;
  options.as_of_ms = saved.as_of_ms;
  options.now_ms = saved.now_ms;  // `during last 1h` reads the window it read then
  const std::string as_of = query::Rfc3339InZone(saved.as_of_ms, "UTC");
  // Only a select or an evaluate has provenance. An edited or crafted file
  // holding another statement (`drop kpi x`, `define ...`) is not run:
  // verifying only reads the store. (One that does not parse fails below.)
  query::ast::Statement parsed;
  query::ParseError perr;
  if (query::ParseStatement(saved.statement, &parsed, &perr) &&
      !std::holds_alternative<query::ast::SelectQuery>(parsed) && !std::holds_alternative<query::ast::Evaluate>(parsed)) {
    std::fprintf(out, "%snot verified: the saved statement is not a select or an evaluate; nothing was run\n",
                 label.c_str());
    return kExitRejects;
  }
  query::Result now;
  query::QueryError qerr;
  Status s = engine.Execute(saved.statement, options, &now, &qerr);
  if (!s.ok()) {
    std::fprintf(out, "%snot verified: the statement fails as of %s: %s\n", label.c_str(), as_of.c_str(),
                 PrintableLines(qerr.message.empty() ? s.ToString() : qerr.ToString()).c_str());
    return kExitRejects;
  }

  const std::vector<std::string> saved_lines = query::CanonicalLines(saved.table);
  const std::vector<std::string> now_lines = query::CanonicalLines(now);
  const std::string saved_rows_hash = query::Xxh3Hex128(Join(saved_lines));
  const std::string now_hash = query::Xxh3Hex128(Join(now_lines));
  if (now_hash == saved.result_hash && saved_rows_hash == saved.result_hash) {
    std::fprintf(out, "%sverified: hash %s matches (%zu %s, as of %s)\n", label.c_str(), now_hash.c_str(),
                 now.rows.size(), now.rows.size() == 1 ? "row" : "rows", as_of.c_str());
    return kExitOk;
  }
  std::string report = label + "not verified (as of " + as_of + "):\n";
  if (now_hash != saved.result_hash) {
    report += "  the rerun hashes to " + now_hash + ", the saved result_hash is " + saved.result_hash + "\n";
  }
  if (saved_rows_hash != saved.result_hash) {
    report += "  the saved rows hash to " + saved_rows_hash + ", not to the saved result_hash (the file was edited)\n";
  }
  std::string diff = FirstDifference(saved_lines, now_lines);
  report += diff.empty() ? "the saved rows equal the rerun's; only the saved result_hash differs\n" : diff;
  std::fwrite(report.data(), 1, report.size(), out);
  return kExitRejects;
}

}  // namespace

int RunAuditVerify(const AuditVerifyFlags& flags, std::FILE* out, std::FILE* err) {
  const std::string name = flags.result_file == "-" ? "<stdin>" : flags.result_file;
  std::string text, error;
  if (!ReadWholeFile(flags.result_file, kMaxDataFileBytes, &text, &error)) {
    std::fprintf(err, "kpi audit verify: %s\n", error.c_str());
    return kExitUsage;
  }
  // A `kpi report` page: every result it embeds; otherwise one document.
  std::vector<std::pair<std::string, SavedResult>> saved;
  const auto embedded = EmbeddedReportResults(text);
  for (const auto& [id, json_text] : embedded) {
    json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
    SavedResult one;
    if (doc.is_discarded() || !ReadSaved(doc, &one, &error)) {
      std::fprintf(err, "kpi audit verify: %s: %s: %s\n", name.c_str(), id.c_str(),
                   doc.is_discarded() ? "not JSON" : error.c_str());
      return kExitUsage;
    }
    saved.emplace_back(id + ": ", std::move(one));
  }
  if (embedded.empty()) {
    json doc;
    SavedResult one;
    if (!PickDocument(text, &doc, &error) || !ReadSaved(doc, &one, &error)) {
      std::fprintf(err, "kpi audit verify: %s: %s\n", name.c_str(), error.c_str());
      return kExitUsage;
    }
    saved.emplace_back("", std::move(one));
  }

  std::unique_ptr<storage::Store> store;
  std::unique_ptr<query::Backend> backend;
  Status s = OpenBackendOrStore(flags.backend, flags.db, &store, &backend);
  if (!s.ok()) {
    std::fprintf(err, "kpi audit verify: %s\n", s.ToString().c_str());
    return kExitUsage;
  }
  size_t failed = 0;
  for (const auto& [label, one] : saved) failed += VerifyOne(*backend, one, label, out) != kExitOk;
  if (!embedded.empty()) {
    std::fprintf(out, "%s: %zu of %zu results verified\n", name.c_str(), saved.size() - failed, saved.size());
  }
  return failed == 0 ? kExitOk : kExitRejects;
}

}  // namespace kpi::cli
