// Targets from CSV (see query/evaluation/targets_csv.h).
#include "query/evaluation/targets_csv.h"

#include <cctype>
#include <map>
#include <utility>
#include <variant>

#include "query/catalog/csv_reader.h"
#include "query/binder/schema.h"
#include "query/catalog/definition_store.h"
#include "query/definition_statements.h"
#include "query/evaluation/definitions.h"
#include "query/kpi_store.h"
#include "query/parser/parser.h"
#include "query/parser/x3/literals.h"
#include "storage/store.h"

namespace kpi::query {

namespace {

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A header name that can stand on the left of `=` as written: `channel`,
// `agents.role`, `agent_of(resolved)`. The statement's parse decides the
// rest; this only keeps a header cell from adding words of its own.
bool PlausibleDimension(std::string_view name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '(' || c == ')')) return false;
  }
  return true;
}

bool IsIdentifier(std::string_view name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

// A number cell as a literal of the language: blanks and a leading '+' go
// (the CSV rule allows them, the grammar does not).
std::string NumberLiteral(std::string_view cell) {
  cell = TrimBlanks(cell);
  if (!cell.empty() && cell.front() == '+') cell.remove_prefix(1);
  return std::string(TrimBlanks(cell));
}

struct PendingTarget {
  int64_t line = 0;
  std::string key;
  std::string text;
};

class TargetsFile {
 public:
  TargetsFile(const Schema& schema, const KpiMap& kpis, const std::string& source)
      : schema_(schema), kpis_(kpis), source_(source) {}

  bool OnRecord(const CsvRecord& r, std::string* why) {
    if (header_.empty()) return ReadHeader(r, why);
    if (r.cells.size() != header_.size()) {
      return Fail(r.line, "expected " + std::to_string(header_.size()) + " cells as in the header, found " +
                              std::to_string(r.cells.size()), why);
    }
    const std::string kpi(TrimBlanks(r.cells[0]));
    const std::string op(TrimBlanks(r.cells[1]));
    if (kpi.empty()) return Fail(r.line, "empty kpi", why);
    if (!IsIdentifier(kpi)) return Fail(r.line, "kpi '" + kpi + "' is not a name", why);
    if (op != ">=" && op != ">" && op != "<=" && op != "<")
      return Fail(r.line, "op '" + op + "' is not one of >= > <= <", why);
    double number = 0;
    if (ClassifyCsvCell(r.cells[2], &number) != CsvCellKind::kNumber) {
      return Fail(r.line, "target '" + r.cells[2] + "' is not a number, percentage or duration", why);
    }
    std::string text = "define target " + kpi + " " + op + " " + NumberLiteral(r.cells[2]);
    bool first = true;
    for (size_t i = 3; i < r.cells.size(); ++i) {
      if (TrimBlanks(r.cells[i]).empty()) continue;  // any value (blanks too: no one means " ")
      const CsvCellKind kind = ClassifyCsvCell(r.cells[i], &number);
      text += first ? " where " : " and ";
      first = false;
      text += header_[i] + " = " +
              (kind == CsvCellKind::kNumber ? NumberLiteral(r.cells[i]) : x3p::QuoteString(r.cells[i]));
    }
    ast::Statement st;
    ParseError perr;
    if (!ParseStatement(text, &st, &perr)) return Fail(r.line, perr.message + " in `" + text + "`", why);
    auto* d = std::get_if<ast::DefineTarget>(&st);
    if (d == nullptr) return Fail(r.line, "not a target: `" + text + "`", why);
    d->text = text;
    TargetRule rule;
    DefinitionError e;
    if (!ReadTarget(*d, kpis_, &rule, &e) || !CheckDimensions(rule.where, d->where, schema_, &e))
      return Fail(r.line, e.message, why);
    auto [it, inserted] = lines_.emplace(rule.key, r.line);
    if (!inserted) {
      return Fail(r.line, "duplicate target " + rule.key + " (first on line " + std::to_string(it->second) + ")",
                  why);
    }
    targets_.push_back(PendingTarget{r.line, rule.key, std::move(text)});
    return true;
  }

  bool saw_header() const { return !header_.empty(); }
  const std::vector<PendingTarget>& targets() const { return targets_; }

 private:
  bool ReadHeader(const CsvRecord& r, std::string* why) {
    static const char* const kFixed[] = {"kpi", "op", "target"};
    for (size_t i = 0; i < 3; ++i) {
      if (r.cells.size() <= i || TrimBlanks(r.cells[i]) != kFixed[i])
        return Fail(r.line, "the header must start kpi,op,target (then the dimensions)", why);
    }
    for (const std::string& cell : r.cells) {
      const std::string name(TrimBlanks(cell));
      if (header_.size() >= 3) {
        if (!PlausibleDimension(name)) return Fail(r.line, "'" + name + "' is not a dimension name", why);
        for (size_t j = 3; j < header_.size(); ++j)
          if (header_[j] == name) return Fail(r.line, "dimension '" + name + "' appears twice in the header", why);
      }
      header_.push_back(name);
    }
    return true;
  }

  bool Fail(int64_t line, const std::string& message, std::string* why) {
    *why = CsvWhere(source_, line) + message;
    return false;
  }

  const Schema& schema_;
  const KpiMap& kpis_;
  const std::string& source_;
  std::vector<std::string> header_;
  std::map<std::string, int64_t> lines_;  // target key -> line
  std::vector<PendingTarget> targets_;
};

}  // namespace

Status LoadTargetsCsv(storage::Store* store, std::string_view csv, const std::string& source,
                      TargetsLoadReport* report) {
  return LoadTargetsCsv(store, CatalogSchema(store->catalog()), csv, source, report);
}

Status LoadTargetsCsv(const MetaWriter& store, const Schema& schema, std::string_view csv, const std::string& source,
                      TargetsLoadReport* report) {
  *report = TargetsLoadReport{};
  KpiMap kpis;
  KPI_RETURN_IF_ERROR(LoadKpis(store, &kpis, nullptr));
  TargetsFile file(schema, kpis, source);
  KPI_RETURN_IF_ERROR(ReadCsv(csv, source, [&](const CsvRecord& r, std::string* why) { return file.OnRecord(r, why); }));
  if (!file.saw_header()) {
    return Status::InvalidArgument(CsvWhere(source, 1) + "empty file: expected the header kpi,op,target,<dim>,...");
  }
  DefinitionMap existing;
  KPI_RETURN_IF_ERROR(LoadDefinitions(store, DefinitionKind::kTarget, &existing));
  std::vector<std::pair<std::string, std::string>> writes;
  for (const PendingTarget& t : file.targets()) {
    writes.emplace_back(t.key, t.text);
    report->keys.push_back(t.key);
    ++(existing.count(t.key) ? report->redefined : report->defined);
  }
  report->targets = writes.size();
  report->defined_at_ms = store.NowMs();
  if (writes.empty()) return Status::OK();
  return SaveDefinitions(store, DefinitionKind::kTarget, writes, report->defined_at_ms);
}

}  // namespace kpi::query
