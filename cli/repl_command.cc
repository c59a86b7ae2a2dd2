// `kpi repl` (see cli/repl_command.h): terminal handling around ReplSession.
#include "cli/repl_command.h"

#include <readline/history.h>
#include <readline/readline.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "cli/exit_codes.h"
#include "cli/repl_session.h"
#include "cli/store_open.h"
#include "query/completion.h"
#include "query/parser/parser.h"

namespace kpi::cli {

namespace {

constexpr int kHistoryEntries = 2000;

// Set by SIGINT: cancels the running query and drops the statement being
// typed. While readline waits for input the handler also clears its line.
std::atomic<bool> g_cancel{false};
volatile sig_atomic_t g_interrupted = 0;
volatile sig_atomic_t g_in_readline = 0;

// Readline's completion callbacks are plain functions: they read this list.
std::vector<std::string> g_words;

void OnSigint(int) {
  g_cancel.store(true);
  g_interrupted = 1;
  if (g_in_readline) {
    // Not async-signal-safe in theory; the usual readline idiom in practice
    // (readline is blocked in read(), its state is consistent).
    rl_crlf();
    rl_on_new_line();
    rl_replace_line("", 0);
    rl_set_prompt("kpi> ");
    rl_redisplay();
  }
}

// Readline's word: after a break character, or after an open backtick
// (rl_completer_quote_characters: a quoted name, blanks and all, the quote
// not in `text`; readline closes it after a single match).
std::vector<std::string> g_matches;

char* CompletionGenerator(const char*, int state) {
  static size_t next = 0;
  if (state == 0) next = 0;
  return next < g_matches.size() ? strdup(g_matches[next++].c_str()) : nullptr;
}

char** Complete(const char* text, int, int) {
  rl_attempted_completion_over = 1;  // no file-name completion
  const bool quoted = rl_completion_quote_character == '`';
  g_matches = query::CompletionCandidates(g_words, quoted ? "`" + std::string(text) : std::string(text));
  if (quoted)
    for (std::string& m : g_matches) {  // without the quotes readline keeps and adds
      if (!m.empty() && m.front() == '`') m.erase(0, 1);
      if (!m.empty() && m.back() == '`') m.pop_back();
    }
  return rl_completion_matches(text, CompletionGenerator);
}

void RefreshWords(const query::Backend& engine) {
  g_words = query::CompletionVocabulary(engine);
  for (const char* c : {".help", ".format", ".timer", ".quit", ".exit", "table", "csv", "json", "on", "off"}) {
    g_words.emplace_back(c);
  }
  std::sort(g_words.begin(), g_words.end());
  g_words.erase(std::unique(g_words.begin(), g_words.end()), g_words.end());
}

std::string HistoryPath(const ReplFlags& flags) {
  if (!flags.history_path.empty()) return flags.history_path;
  if (const char* env = std::getenv("KPI_HISTORY"); env != nullptr && *env != '\0') return env;
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') return std::string(home) + "/.kpi_history";
  return "";
}

// History entries are single lines: a multi-line statement is joined.
std::string OneLine(const std::string& text) {
  std::string out = text;
  std::replace(out.begin(), out.end(), '\n', ' ');
  return out;
}

int Interactive(const query::Backend& engine, ReplSession* session, const ReplFlags& flags, std::FILE* out) {
  const std::string history = HistoryPath(flags);
  using_history();
  stifle_history(kHistoryEntries);
  if (!history.empty() && read_history(history.c_str()) != 0) write_history(history.c_str());  // create it

  rl_readline_name = "kpi";
  rl_attempted_completion_function = Complete;
  rl_completer_word_break_characters = const_cast<char*>(query::kCompletionWordBreaks);
  rl_completer_quote_characters = const_cast<char*>("`");
  rl_catch_signals = 0;  // our handler clears the line itself
  RefreshWords(engine);

  struct sigaction sa {};
  sa.sa_handler = OnSigint;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);

  std::fprintf(out, "kpi repl on %s: end statements with ';', .help for help, .quit to leave\n", flags.db.c_str());
  std::fflush(out);
  bool continuation = false;
  for (;;) {
    g_in_readline = 1;
    std::unique_ptr<char, decltype(&std::free)> line(readline(continuation ? "  -> " : "kpi> "), &std::free);
    g_in_readline = 0;
    if (g_interrupted) {  // Ctrl-C while typing: what was pending is gone
      g_interrupted = 0;
      session->ClearPending();
    }
    g_cancel.store(false);  // only a Ctrl-C from now on cancels the statement
    if (!line) {  // Ctrl-D
      std::fputc('\n', out);
      break;
    }
    std::string ran;
    ReplSession::LineResult r = session->HandleLine(line.get(), &ran);
    if (!ran.empty()) {
      add_history(OneLine(ran).c_str());
      if (!history.empty()) append_history(1, history.c_str());
      RefreshWords(engine);  // `define kpi` adds names
    }
    if (r == ReplSession::LineResult::kQuit) break;
    continuation = r == ReplSession::LineResult::kContinue;
  }
  session->Finish();
  if (!history.empty()) history_truncate_file(history.c_str(), kHistoryEntries);
  return kExitOk;
}

// One line of `in` without its '\n', at most `max` bytes of it kept (the
// rest of a longer line is read and dropped). False at end of input.
bool ReadBoundedLine(std::FILE* in, size_t max, std::string* text) {
  text->clear();
  bool any = false;
  int c;
  while ((c = getc_unlocked(in)) != EOF) {
    any = true;
    if (c == '\n') return true;
    if (text->size() < max) text->push_back(static_cast<char>(c));
  }
  return any;
}

int Piped(ReplSession* session) {
  bool quit = false;
  std::string text;
  // A line of kMaxPendingBytes is already too long: the session drops it.
  while (!quit && ReadBoundedLine(stdin, kMaxPendingBytes, &text)) {
    std::string ran;
    quit = session->HandleLine(text, &ran) == ReplSession::LineResult::kQuit;
  }
  if (!quit) session->Finish();
  return session->failed() ? kExitRejects : kExitOk;
}

}  // namespace

int RunRepl(const ReplFlags& flags, std::FILE* out, std::FILE* err) {
  OutputFormat format;
  if (!ParseOutputFormat(flags.format, &format)) {
    std::fprintf(err, "kpi repl: --format must be table, csv or json (got '%s')\n", flags.format.c_str());
    return kExitUsage;
  }
  std::unique_ptr<query::Backend> backend;
  if (Status s = OpenBackend(flags.backend, !flags.db.empty(), &backend); !s.ok()) {
    std::fprintf(err, "kpi repl: %s\n", s.message().c_str());
    return kExitUsage;
  }
  std::unique_ptr<storage::Store> store;
  if (!backend) {
    Status s = OpenExistingStore(flags.db, &store);
    if (!s.ok()) {
      std::fprintf(err, "kpi repl: %s\n", s.ToString().c_str());
      return kExitUsage;
    }
    backend = std::make_unique<query::Engine>(store.get());
  }
  const query::Backend& engine = *backend;
  ReplSession session(&engine, format, flags.timer, out, err, &g_cancel);
  if (isatty(STDIN_FILENO)) return Interactive(engine, &session, flags, out);
  return Piped(&session);
}

}  // namespace kpi::cli
