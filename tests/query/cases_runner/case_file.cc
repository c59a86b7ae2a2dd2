#include "query/cases_runner/case_file.h"

#include <set>
#include <sstream>

#include "query/reference/reference_events.h"
#include "query/reference/reference_time.h"

namespace kpi::cases {

namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

bool StartsWithWord(const std::string& line, const std::string& word) {
  return line.compare(0, word.size(), word) == 0 && (line.size() == word.size() || line[word.size()] == ' ');
}

bool IsEventsLine(const std::string& trimmed) { return trimmed.compare(0, 8, "events @") == 0; }

bool IsDirective(const std::string& trimmed) {
  return IsEventsLine(trimmed) || StartsWithWord(trimmed, "query") || StartsWithWord(trimmed, "expect") ||
         StartsWithWord(trimmed, "table") || StartsWithWord(trimmed, "run");
}

bool IsComment(const std::string& trimmed) { return !trimmed.empty() && trimmed[0] == '#'; }

// One CSV-ish line: cells split at commas; "..." quotes a cell ("" is a quote).
bool SplitCells(const std::string& line, std::vector<Cell>* cells) {
  cells->clear();
  size_t i = 0;
  while (true) {
    Cell c;
    while (i < line.size() && line[i] == ' ') ++i;
    if (i < line.size() && line[i] == '"') {
      c.quoted = true;
      ++i;
      while (true) {
        if (i >= line.size()) return false;
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            c.text += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        c.text += line[i++];
      }
      while (i < line.size() && line[i] == ' ') ++i;
      if (i < line.size() && line[i] != ',') return false;
    } else {
      size_t comma = line.find(',', i);
      c.text = Trim(line.substr(i, comma == std::string::npos ? std::string::npos : comma - i));
      i = comma == std::string::npos ? line.size() : comma;
    }
    cells->push_back(std::move(c));
    if (i >= line.size()) return true;
    ++i;  // the comma
  }
}

}  // namespace

bool ParseCaseFile(const std::string& path, const std::string& content, CaseFile* out, std::string* error) {
  std::vector<std::string> lines;
  {
    std::istringstream in(content);
    std::string l;
    while (std::getline(in, l)) lines.push_back(l);
  }
  auto fail = [&](size_t i, const std::string& why) {
    *error = path + ":" + std::to_string(i + 1) + ": " + why;
    return false;
  };
  out->path = path;
  out->steps.clear();
  std::set<std::string> names;
  size_t i = 0;
  while (i < lines.size()) {
    const std::string t = Trim(lines[i]);
    if (t.empty() || IsComment(t)) {
      ++i;
      continue;
    }
    if (StartsWithWord(t, "events")) {  // `events @...`
      Step s;
      s.kind = Step::Kind::kEvents;
      s.line = static_cast<int>(i + 1);
      const std::string rest = Trim(t.substr(6));
      if (rest.empty() || rest[0] != '@') return fail(i, "expected `events @<RFC 3339 instant>`");
      s.ingest_text = rest.substr(1);
      if (!reference::ParseInstant(s.ingest_text, cctz::utc_time_zone(), &s.ingest_ms))
        return fail(i, "bad ingest instant '" + s.ingest_text + "'");
      ++i;
      while (i < lines.size()) {
        const std::string e = Trim(lines[i]);
        if (IsDirective(e)) break;
        if (!e.empty() && !IsComment(e)) {
          RawEvent ev;
          std::string why;
          if (!reference::ParseEventLine(e, &ev, &why)) return fail(i, "bad event line: " + why);
          ev.line = i + 1;
          s.events.push_back(std::move(ev));
        }
        ++i;
      }
      out->steps.push_back(std::move(s));
      continue;
    }
    if (StartsWithWord(t, "table")) {  // `table NAME key=COLUMN`, then CSV lines
      Step s;
      s.kind = Step::Kind::kTable;
      s.line = static_cast<int>(i + 1);
      std::istringstream words(t.substr(5));
      std::string key;
      words >> s.table >> key;
      if (s.table.empty() || key.compare(0, 4, "key=") != 0 || key.size() == 4)
        return fail(i, "expected `table NAME key=COLUMN`");
      s.table_key = key.substr(4);
      ++i;
      while (i < lines.size()) {
        const std::string r = Trim(lines[i]);
        if (r.empty() || IsDirective(r)) break;
        if (!IsComment(r)) s.csv += r + "\n";
        ++i;
      }
      if (s.csv.empty()) return fail(i - 1, "a table needs at least a header line");
      out->steps.push_back(std::move(s));
      continue;
    }
    if (StartsWithWord(t, "run")) {  // `run watch NAME @<instant>`
      Step s;
      s.kind = Step::Kind::kWatchRun;
      s.line = static_cast<int>(i + 1);
      std::istringstream words(t.substr(3));
      std::string word, at, extra;
      words >> word >> s.watch >> at >> extra;
      if (word != "watch" || s.watch.empty() || at.size() < 2 || at[0] != '@' || !extra.empty())
        return fail(i, "expected `run watch NAME @<RFC 3339 instant>`");
      s.ingest_text = at.substr(1);
      if (!reference::ParseInstant(s.ingest_text, cctz::utc_time_zone(), &s.ingest_ms))
        return fail(i, "bad run instant '" + s.ingest_text + "'");
      out->steps.push_back(std::move(s));
      ++i;
      continue;
    }
    if (StartsWithWord(t, "query")) {
      Step s;
      s.kind = Step::Kind::kStatement;
      s.line = static_cast<int>(i + 1);
      s.name = Trim(t.substr(5));
      if (s.name.empty()) return fail(i, "a query needs a name: `query <name>`");
      if (!names.insert(s.name).second) return fail(i, "duplicate query name '" + s.name + "'");
      ++i;
      std::string text;
      while (i < lines.size() && !StartsWithWord(Trim(lines[i]), "expect")) {
        const std::string q = Trim(lines[i]);
        if (IsEventsLine(q) || StartsWithWord(q, "query")) return fail(i, "query without `expect`");
        if (!IsComment(q)) text += lines[i] + "\n";
        ++i;
      }
      if (i >= lines.size()) return fail(i - 1, "query without `expect`");
      s.text = Trim(text);
      while (!s.text.empty() && s.text.back() == '\n') s.text.pop_back();
      // The expectation line.
      Expectation& x = s.expect;
      x.line = static_cast<int>(i + 1);
      const std::string head = Trim(Trim(lines[i]).substr(6));
      bool table_follows = false;
      if (head.empty()) {
        table_follows = true;
      } else if (head == "unordered") {
        table_follows = true;
        x.unordered = true;
      } else if (StartsWithWord(head, "error")) {
        x.expect_error = true;
        x.error_text = Trim(head.substr(5));
      } else if (StartsWithWord(head, "warning")) {
        x.warning_text = Trim(head.substr(7));
        if (x.warning_text.empty()) return fail(i, "`expect warning` needs a text");
        table_follows = true;
      } else if (StartsWithWord(head, "ok")) {
        x.expect_ok = true;
        x.ok_text = Trim(head.substr(2));
      } else {
        return fail(i, "unknown expectation '" + head + "'");
      }
      ++i;
      if (table_follows) {
        bool header_done = false;
        while (i < lines.size()) {
          const std::string r = Trim(lines[i]);
          if (r.empty() || IsDirective(r)) break;
          ++i;
          if (IsComment(r)) continue;
          std::vector<Cell> cells;
          if (!SplitCells(r, &cells)) return fail(i - 1, "bad table line");
          if (!header_done) {
            for (const Cell& c : cells) {
              const size_t colon = c.text.rfind(':');
              const std::string type = colon == std::string::npos ? "" : c.text.substr(colon + 1);
              if (!type.empty() && type != "number" && type != "duration" && type != "time" && type != "string" &&
                  type != "bool")
                return fail(i - 1, "unknown column type '" + type + "'");
              x.column_names.push_back(colon == std::string::npos ? c.text : c.text.substr(0, colon));
              x.column_types.push_back(type);
            }
            header_done = true;
            x.has_table = true;
          } else {
            if (cells.size() != x.column_names.size()) return fail(i - 1, "row width differs from the header");
            x.rows.push_back(std::move(cells));
          }
        }
        if (!x.has_table && x.warning_text.empty()) return fail(i - 1, "`expect` without a table header");
      }
      out->steps.push_back(std::move(s));
      continue;
    }
    return fail(i, "expected `events @...`, `table NAME key=COLUMN`, `run watch NAME @...`, `query <name>` or a "
                   "comment");
  }
  return true;
}

}  // namespace kpi::cases
