// ReplSession: the REPL's state machine, free of any terminal handling.
//
// Feed it input lines one at a time. A line starting with '.' while no
// statement is pending is a command (.help, .format table|csv|json,
// .timer on|off, .quit / .exit); anything else is appended to the pending
// statement text, which runs (cli/statement_runner.h) once it ends with a
// top-level ';'. Finish() runs what is left at end of input. Errors do not
// end the session; failed() tells whether any statement or command failed.
// Thread safety: one thread; the engine must outlive the session.
#pragma once

#include <atomic>
#include <cstdio>
#include <string>

#include "cli/format.h"
#include "query/backend/backend.h"

namespace kpi::cli {

// The longest pending statement (its lines and their newlines): a longer
// one is dropped with an error, so that piping /dev/zero or a file with no
// ';' in it does not hold the machine's memory (nor rescan it per line).
inline constexpr size_t kMaxPendingBytes = size_t{1} << 20;

class ReplSession {
 public:
  ReplSession(const query::Backend* engine, OutputFormat format, bool timer, std::FILE* out, std::FILE* err,
              const std::atomic<bool>* cancel);

  enum class LineResult {
    kContinue,   // more input is needed for the pending statement
    kReady,      // nothing pending: show the main prompt
    kQuit,       // .quit / .exit
  };
  // Handles one line (without its newline). *ran_statement is set to the
  // statement text when one ran (for the history), else cleared.
  LineResult HandleLine(const std::string& line, std::string* ran_statement);
  // Runs a pending statement that lacks its ';' (end of input).
  void Finish();
  // Drops the pending statement (Ctrl-C at a continuation prompt).
  void ClearPending() { pending_.clear(); }
  bool has_pending() const { return !pending_.empty(); }
  bool failed() const { return failed_; }

 private:
  LineResult Command(const std::string& line);
  void Run(const std::string& text);

  const query::Backend* engine_;
  OutputFormat format_;
  bool timer_;
  std::FILE* out_;
  std::FILE* err_;
  const std::atomic<bool>* cancel_;
  std::string pending_;
  bool failed_ = false;
};

// The help text of the REPL (.help).
const char* ReplHelpText();

}  // namespace kpi::cli
