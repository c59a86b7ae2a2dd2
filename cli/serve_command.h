// `kpi serve`: runs the HTTP API (server/serve.h) over a store until SIGINT
// or SIGTERM. This file is the CLI side: the flags the command accepts and
// the one call main makes. Without the server library in the build
// (KPI_HAVE_SERVER unset) the command says so and exits 2.
//
// The store must exist unless `create` is set (a mistyped --db must not
// silently serve an empty new store). SIGINT and SIGTERM are blocked before
// the store opens, so no RocksDB background thread can take them: the
// server waits for them with sigwait and shuts down cleanly.
// Exit status: Serve's (0 clean shutdown, 1 final seal failed, 2 bad option
// or bind failure), or 2 when the store cannot be opened.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace kpi::cli {

struct ServeFlags {
  std::string db;
  bool create = false;                     // create the store when missing
  std::string listen = "127.0.0.1:7070";  // host:port; empty with socket_path: no TCP
  std::string socket_path;                 // Unix-domain socket; empty: none
  int threads = 2;                         // statements run concurrently
  int exec_threads = 2;                    // scan threads per statement
  int io_threads = 2;                      // socket I/O threads
  int write_threads = 2;                   // uploads and KPI changes run concurrently
  std::string tokens_file;                 // `<token> <role>` lines; empty: loopback/Unix clients only
  uint64_t max_body_bytes = 64ull << 20;   // request body limit (ingest uploads)
  int query_timeout_ms = 30000;            // per-statement deadline
  uint64_t max_rows = 1000000;             // result rows per query
  int max_connections = 256;               // past it new clients get 503
  bool no_sync = false;                    // skip fsync on ingest (benchmarks only)
};

// Blocks until the server stops; returns the process exit status.
int RunServe(const ServeFlags& flags, std::FILE* err);

}  // namespace kpi::cli
