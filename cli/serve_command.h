// `kpi serve`: runs the HTTP server (server/) over a store until SIGINT or
// SIGTERM. This is the CLI side of the connection: the flags the command
// accepts and the one call main makes. The server library's entry point is
// called from serve_command.cc when the build has it (KPI_HAVE_SERVER) and
// the call is connected (KPI_SERVE_CONNECTED, set in cli/CMakeLists.txt once
// the server's entry point is final); otherwise the command explains that
// this build has no server and exits 2.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace kpi::cli {

struct ServeFlags {
  std::string db;
  std::string listen = "127.0.0.1:7070";  // host:port; empty with socket_path: no TCP
  std::string socket_path;                 // Unix-domain socket; empty: none
  int threads = 2;                         // I/O + query threads
  std::string tokens_file;                 // bearer tokens and their roles; empty: no auth
  uint64_t max_body_bytes = 64ull << 20;   // request body limit (ingest uploads)
  int query_timeout_ms = 30000;            // per-query deadline
  int max_connections = 256;               // past it new clients get 503
  bool no_sync = false;                    // skip fsync on ingest (benchmarks only)
};

// Blocks until the server stops; returns the process exit status.
int RunServe(const ServeFlags& flags, std::FILE* err);

}  // namespace kpi::cli
