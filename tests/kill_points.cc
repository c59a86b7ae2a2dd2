#include "kill_points.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

extern char** environ;

namespace kpi::testing {
namespace {

// The child learns its role, arguments and report descriptor from these.
constexpr const char* kNameVar = "KPI_CRASH_CHILD";
constexpr const char* kArgsVar = "KPI_CRASH_CHILD_ARGS";
constexpr const char* kFdVar = "KPI_CRASH_CHILD_FD";
constexpr char kArgSeparator = '\x1f';

std::map<std::string, ChildBody>& Children() {
  static std::map<std::string, ChildBody> children;
  return children;
}

// In a child (kNameVar set): runs the named body before any test, and never
// returns to gtest. Registered at static initialization; gtest sets
// environments up after main has parsed its flags.
class CrashChildEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    const char* name = std::getenv(kNameVar);
    if (name == nullptr) return;
    const char* fd = std::getenv(kFdVar);
    const char* joined = std::getenv(kArgsVar);
    auto it = Children().find(name);
    if (it == Children().end() || fd == nullptr) {
      std::fprintf(stderr, "crash child: no child named '%s' in this binary\n", name);
      _exit(120);
    }
    std::vector<std::string> args;
    if (joined != nullptr && *joined != '\0') {
      std::string rest = joined;
      for (size_t at; (at = rest.find(kArgSeparator)) != std::string::npos; rest.erase(0, at + 1))
        args.push_back(rest.substr(0, at));
      args.push_back(rest);
    }
    it->second(args, std::atoi(fd));
    _exit(121);  // a body never returns
  }
};

[[maybe_unused]] ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new CrashChildEnvironment);

// Appends the whole ints in `buf` to `out`, keeping a partial one (a pipe
// write of 4 bytes is atomic, but be safe) for the next read.
void TakeInts(std::string* buf, std::vector<int>* out) {
  size_t i = 0;
  for (; i + sizeof(int) <= buf->size(); i += sizeof(int)) {
    int v = 0;
    std::memcpy(&v, buf->data() + i, sizeof v);
    out->push_back(v);
  }
  buf->erase(0, i);
}

// Starts this binary as child `name`, its reports on `report_fd` (which the
// child gets as descriptor `child_fd`); stdout to /dev/null (gtest's
// banner), stderr shared. -1 when it cannot be started.
pid_t Spawn(const std::string& name, const std::vector<std::string>& args, int report_fd, int child_fd) {
  std::string joined;
  for (size_t i = 0; i < args.size(); ++i) joined += (i ? std::string(1, kArgSeparator) : "") + args[i];
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e)
    if (std::strncmp(*e, kNameVar, std::strlen(kNameVar)) != 0) env_strings.emplace_back(*e);
  env_strings.push_back(std::string(kNameVar) + "=" + name);
  env_strings.push_back(std::string(kArgsVar) + "=" + joined);
  env_strings.push_back(std::string(kFdVar) + "=" + std::to_string(child_fd));
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string self = "/proc/self/exe";
  std::vector<char*> argv{self.data(), nullptr};

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, report_fd, child_fd);  // the copy is not close-on-exec
  pid_t pid = -1;
  if (posix_spawn(&pid, self.c_str(), &actions, nullptr, argv.data(), envp.data()) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

}  // namespace

bool RegisterCrashChild(const char* name, ChildBody body) {
  Children()[name] = body;
  return true;
}

KillOutcome RunAndKill(const std::string& name, const std::vector<std::string>& args,
                       const std::function<bool(int report)>& kill_when, unsigned delay_us,
                       std::chrono::milliseconds timeout) {
  KillOutcome out;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    out.failure = std::string("pipe: ") + std::strerror(errno);
    return out;
  }
  const int child_fd = fds[1] == 100 ? 101 : 100;
  const pid_t pid = Spawn(name, args, fds[1], child_fd);
  close(fds[1]);
  if (pid < 0) {
    out.failure = "could not start the child";
    close(fds[0]);
    return out;
  }

  std::string buf;
  char chunk[4096];
  bool eof = false;
  out.reached = !kill_when;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!out.reached && !eof) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) break;
    pollfd p{fds[0], POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    const ssize_t n = read(fds[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      eof = true;
      break;
    }
    buf.append(chunk, static_cast<size_t>(n));
    const size_t seen = out.reports.size();
    TakeInts(&buf, &out.reports);
    for (size_t i = seen; i < out.reports.size() && !out.reached; ++i) out.reached = kill_when(out.reports[i]);
  }
  if (out.reached) usleep(delay_us);
  kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  out.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  // The rest: what the child reported during the delay (its end of the pipe
  // is closed now, so this ends).
  for (ssize_t n; (n = read(fds[0], chunk, sizeof chunk)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    buf.append(chunk, static_cast<size_t>(n));
  }
  TakeInts(&buf, &out.reports);
  close(fds[0]);

  const std::string last = out.reports.empty() ? "none" : std::to_string(out.reports.back());
  if (eof || !out.killed) {
    out.failure = "the child ended by itself (" +
                  (WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                     : "status " + std::to_string(status)) +
                  ") before the kill point; last report " + last;
    out.reached = false;
  } else if (!out.reached) {
    out.failure = "the child reported no kill point within " + std::to_string(timeout.count()) +
                  " ms; last report " + last;
  }
  return out;
}

}  // namespace kpi::testing
