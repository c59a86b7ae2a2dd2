// ForkServe: runs Serve() in a forked child over a store at `db_dir`
// (created, sync off), so a test can signal it (SIGTERM, SIGHUP) and check
// its exit. Header-only: the server test folders are separate binaries.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "server/serve.h"
#include "storage/store.h"

namespace kpi::server::testing {

struct ForkedServer {
  pid_t pid = -1;         // < 0: fork failed
  int port = 0;           // 0: the child never said where it listens
  std::FILE* log = nullptr;  // the rest of the server's log, for the test to read
};

// `configure` adjusts the options (listen is 127.0.0.1:0 and the log goes to
// the parent); `listening_format` is the sscanf pattern of the log line
// naming the port, e.g. "listening on 127.0.0.1:%d".
inline ForkedServer ForkServe(const std::string& db_dir, const std::function<void(ServeOptions*)>& configure,
                              const char* listening_format) {
  ForkedServer out;
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return out;
  out.pid = fork();
  if (out.pid < 0) return out;
  if (out.pid == 0) {
    close(pipe_fds[0]);
    std::unique_ptr<storage::Store> store;
    storage::StoreOptions store_options;
    store_options.sync = false;
    if (!storage::Store::Open(db_dir, store_options, &store).ok()) _exit(90);
    ServeOptions options;
    options.listen = "127.0.0.1:0";
    options.log = fdopen(pipe_fds[1], "w");
    configure(&options);
    int code = Serve(store.get(), options);
    store.reset();
    _exit(code);
  }
  close(pipe_fds[1]);
  out.log = fdopen(pipe_fds[0], "r");
  char line[512];
  while (out.port == 0 && std::fgets(line, sizeof line, out.log) != nullptr) std::sscanf(line, listening_format, &out.port);
  return out;
}

}  // namespace kpi::server::testing
