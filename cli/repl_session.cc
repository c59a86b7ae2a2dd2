// ReplSession (see cli/repl_session.h).
#include "cli/repl_session.h"

#include "cli/statement_runner.h"
#include "cli/statement_splitter.h"
#include "query/text_width.h"

namespace kpi::cli {

namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

const char* FormatName(OutputFormat f) {
  switch (f) {
    case OutputFormat::kTable: return "table";
    case OutputFormat::kCsv: return "csv";
    case OutputFormat::kJson: return "json";
  }
  return "table";
}

}  // namespace

const char* ReplHelpText() {
  return "Statements end with ';' and may span lines:\n"
         "  select count() as tickets, p90(duration(created -> agent_reply)) as frt_p90\n"
         "  from tickets during 2025-01-01 .. 2025-04-01 by channel;\n"
         "  define kpi frt = duration(created -> agent_reply);   show kpis;   drop kpi frt;\n"
         "  explain select ...;\n"
         "  select count() as n from tickets during last 7d by day;   (also today, this week, previous month)\n"
         "  show watches;   show alerts;   select ... from watch NAME;\n"
         "Commands:\n"
         "  .help                     this text\n"
         "  .format table|csv|json    how results are printed\n"
         "  .timer on|off             print the time and rows read of each statement\n"
         "  .quit                     leave (also .exit or Ctrl-D)\n"
         "Tab completes keywords, columns, event names and KPI names. Ctrl-C cancels\n"
         "the running query or the statement being typed.\n";
}

ReplSession::ReplSession(const query::Backend* engine, OutputFormat format, bool timer, std::FILE* out,
                         std::FILE* err, const std::atomic<bool>* cancel)
    : engine_(engine), format_(format), timer_(timer), out_(out), err_(err), cancel_(cancel) {}

ReplSession::LineResult ReplSession::HandleLine(const std::string& line, std::string* ran_statement) {
  ran_statement->clear();
  if (pending_.empty()) {
    std::string trimmed = Trim(line);
    if (trimmed.empty()) return LineResult::kReady;
    if (trimmed[0] == '.') {
      *ran_statement = trimmed;
      return Command(trimmed);
    }
  }
  if (pending_.size() + line.size() + 1 > kMaxPendingBytes) {
    std::fprintf(err_, "error: statement longer than %s: dropped (a ';' missing?)\n",
                 FormatBytes(kMaxPendingBytes).c_str());
    failed_ = true;
    pending_.clear();
    return LineResult::kReady;
  }
  // Strings and `--` comments end at their line (the grammar's rule, which
  // query::SplitScript follows), and pending_ holds no top-level ';': so the
  // new line alone says whether the statement ended, and each line is
  // scanned once (rescanning pending_ per line was quadratic).
  const std::string added = line + '\n';
  if (pending_.empty() && IsBlankScript(added)) return LineResult::kReady;  // only comments so far
  const size_t in_line = EndOfLastTerminator(added);
  pending_ += added;
  if (in_line == 0) return LineResult::kContinue;
  const size_t done = pending_.size() - added.size() + in_line;
  // Run every complete statement; what follows the last ';' stays pending,
  // indented to its column so error carets still line up.
  std::string text = pending_.substr(0, done);
  std::string rest = pending_.substr(done);
  pending_.clear();
  if (!IsBlankScript(rest)) {
    size_t line_start = text.rfind('\n');
    line_start = line_start == std::string::npos ? 0 : line_start + 1;
    pending_.assign(query::CountCharacters(std::string_view(text).substr(line_start)), ' ');  // columns count characters
    pending_ += rest;
  }
  *ran_statement = Trim(text);
  Run(text);
  return pending_.empty() ? LineResult::kReady : LineResult::kContinue;
}

void ReplSession::Finish() {
  if (pending_.empty() || IsBlankScript(pending_)) return;
  std::string text;
  text.swap(pending_);
  Run(text);
}

void ReplSession::Run(const std::string& text) {
  RunSettings settings;
  settings.format = format_;
  settings.timer = timer_;
  settings.stop_on_error = false;
  settings.cancel = cancel_;
  if (!RunScript(*engine_, text, settings, out_, err_)) failed_ = true;
}

ReplSession::LineResult ReplSession::Command(const std::string& line) {
  std::string name = line, arg;
  size_t space = line.find_first_of(" \t");
  if (space != std::string::npos) {
    name = line.substr(0, space);
    arg = Trim(line.substr(space + 1));
  }
  if (name == ".quit" || name == ".exit" || name == ".q") return LineResult::kQuit;
  if (name == ".help" || name == ".h") {
    std::fputs(ReplHelpText(), out_);
  } else if (name == ".format" || name == ".mode") {
    if (arg.empty()) {
      std::fprintf(out_, "format %s\n", FormatName(format_));
    } else if (!ParseOutputFormat(arg, &format_)) {
      std::fprintf(err_, "error: .format takes table, csv or json (got '%s')\n", arg.c_str());
      failed_ = true;
    }
  } else if (name == ".timer") {
    if (arg == "on") {
      timer_ = true;
    } else if (arg == "off") {
      timer_ = false;
    } else {
      std::fprintf(err_, "error: .timer takes on or off\n");
      failed_ = true;
    }
  } else {
    std::fprintf(err_, "error: unknown command %s (try .help)\n", name.c_str());
    failed_ = true;
  }
  std::fflush(out_);
  std::fflush(err_);
  return LineResult::kReady;
}

}  // namespace kpi::cli
