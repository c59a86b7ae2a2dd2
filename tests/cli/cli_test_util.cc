#include "cli_test_util.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <thread>

#include <cerrno>
#include <cstdlib>
#include <regex>
#include <stdexcept>

#include "test_util.h"

namespace kpi::testing {

namespace {

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace

KpiRun RunKpi(const std::vector<std::string>& args, const std::string& cwd, const std::string& stdin_text,
              bool has_stdin) {
  static int counter = 0;
  const std::string base = cwd + "/.run" + std::to_string(counter++);
  std::string cmd = "cd " + ShellQuote(cwd) + " && " + ShellQuote(KPI_BINARY);
  for (const std::string& a : args) cmd += " " + ShellQuote(a);
  if (has_stdin) {
    WriteFile(base + ".in", stdin_text);
    cmd += " <" + ShellQuote(base + ".in");
  } else {
    cmd += " </dev/null";
  }
  cmd += " >" + ShellQuote(base + ".out") + " 2>" + ShellQuote(base + ".err");
  KpiRun run;
  int status = std::system(cmd.c_str());
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  run.out = ReadFile(base + ".out");
  run.err = ReadFile(base + ".err");
  return run;
}

KpiRun RunKpiWhileServing(const std::string& db, const std::vector<std::string>& args, const std::string& cwd) {
  std::string run = ShellQuote(KPI_BINARY);
  for (const std::string& a : args) run += " " + ShellQuote(a);
  const std::string script = "cd " + ShellQuote(cwd) + " || exit 98; " + ShellQuote(KPI_BINARY) + " serve --db " +
                             ShellQuote(db) + " --listen 127.0.0.1:0 2>serve.log & pid=$!; i=0; "
                             "while ! grep -q listening serve.log 2>/dev/null; do "
                             "  i=$((i+1)); [ $i -gt 600 ] && { kill -9 $pid; exit 99; }; sleep 0.05; done; " +
                             run + " </dev/null >served.out 2>served.err; echo $? > served.rc; "
                             "kill -TERM $pid; wait $pid";
  WriteFile(cwd + "/served.sh", script);
  const int status = std::system(("sh " + ShellQuote(cwd + "/served.sh")).c_str());
  KpiRun out;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    out.err = ReadFile(cwd + "/serve.log");
    return out;
  }
  out.exit_code = std::stoi(ReadFile(cwd + "/served.rc"));
  out.out = ReadFile(cwd + "/served.out");
  out.err = ReadFile(cwd + "/served.err");
  return out;
}

int RunKpiKilledAfter(const std::vector<std::string>& args, const std::string& cwd, std::chrono::milliseconds after,
                      bool* killed) {
  *killed = false;
  std::vector<char*> argv;  // built before the fork: the child only calls async-signal-safe functions
  argv.push_back(const_cast<char*>(KPI_BINARY));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    const int null = ::open("/dev/null", O_RDWR);
    if (::chdir(cwd.c_str()) != 0 || null < 0) _exit(127);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execv(KPI_BINARY, argv.data());
    _exit(127);
  }
  // Wait for it to end, at most `after`: a pidfd turns readable when it does.
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  bool ended = false;
  if (pidfd >= 0) {
    pollfd p{pidfd, POLLIN, 0};
    ended = ::poll(&p, 1, static_cast<int>(after.count())) > 0;
    ::close(pidfd);
  } else {
    std::this_thread::sleep_for(after);  // a kernel without pidfds (before 5.3)
  }
  if (!ended) *killed = ::kill(pid, SIGKILL) == 0;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) return -1;
  *killed = false;  // it ended by itself before the signal arrived
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int RunKpiKilledWhen(const std::vector<std::string>& args, const std::string& cwd, const std::function<bool()>& ready,
                     std::chrono::microseconds delay, std::chrono::milliseconds timeout, bool* killed, bool* timed_out) {
  *killed = false;
  *timed_out = false;
  std::vector<char*> argv;  // built before the fork: the child only calls async-signal-safe functions
  argv.push_back(const_cast<char*>(KPI_BINARY));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const std::string out_path = cwd + "/run.out", err_path = cwd + "/run.err";
  const pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    const int null = ::open("/dev/null", O_RDONLY);
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (::chdir(cwd.c_str()) != 0 || null < 0 || out < 0 || err < 0) _exit(127);
    ::dup2(null, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execv(KPI_BINARY, argv.data());
    _exit(127);
  }
  int status = 0;
  bool ended = false;
  for (const auto guard = std::chrono::steady_clock::now() + timeout;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      ended = true;
      break;
    }
    if (ready()) {
      std::this_thread::sleep_for(delay);
      break;
    }
    if (std::chrono::steady_clock::now() >= guard) {
      *timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (ended) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  *killed = ::kill(pid, SIGKILL) == 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) return -1;
  *killed = false;  // it ended by itself before the signal arrived
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void WriteGzip(const std::string& path, const std::string& content) {
  gzFile f = gzopen(path.c_str(), "wb");
  if (f == nullptr) throw std::runtime_error("cannot write " + path);
  gzwrite(f, content.data(), static_cast<unsigned>(content.size()));
  gzclose(f);
}

long long SummaryField(const std::string& summary, const std::string& key) {
  std::smatch m;
  if (!std::regex_search(summary, m, std::regex(key + " ([0-9,]+)"))) return -1;
  std::string digits;
  for (char c : m[1].str()) {
    if (c != ',') digits += c;
  }
  return std::stoll(digits);
}

long long StoredEvents(const std::string& db, const std::string& cwd) {
  KpiRun run = RunKpi({"info", "--db", db, "--format", "json"}, cwd);
  if (run.exit_code != 0) return -1;
  std::smatch m;
  if (!std::regex_search(run.out, m, std::regex("\"events\":([0-9]+)"))) return -1;
  return std::stoll(m[1].str());
}

}  // namespace kpi::testing
