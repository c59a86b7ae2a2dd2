// `kpi serve`: runs the HTTP API (server/serve.h) over a store until SIGINT
// or SIGTERM. This file is the CLI side: the flags the command accepts and
// the one call main makes. Without the server library in the build
// (KPI_HAVE_SERVER unset) the command says so and exits 2.
//
// The store must exist unless `create` is set (a mistyped --db must not
// silently serve an empty new store). SIGINT and SIGTERM are blocked before
// the store opens, so no RocksDB background thread can take them: the
// server waits for them with sigwait and shuts down cleanly.
// With --backend clickhouse (cli/backend_flags.h) there is no store: the
// server runs over the ClickHouse backend (server::ServeBackend).
// Exit status: Serve's (0 clean shutdown, 1 final seal failed, 2 bad option
// or bind failure), or 2 when the store or backend cannot be opened.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "cli/backend_flags.h"

namespace kpi::cli {

struct ServeFlags {
  std::string db;                          // the local store (not with --backend clickhouse)
  BackendFlags backend;                    // --backend clickhouse: statements and uploads go to the cluster
  bool create = false;                     // create the store when missing
  std::string listen = "127.0.0.1:7070";  // host:port; empty with socket_path: no TCP
  std::string socket_path;                 // Unix-domain socket; empty: none
  int threads = 2;                         // statements run concurrently
  int exec_threads = 2;                    // scan threads per statement
  int io_threads = 2;                      // socket I/O threads
  int write_threads = 8;                   // uploads and KPI changes run concurrently (share seals)
  std::string tokens_file;                 // `<token> <role>` lines; empty: loopback/Unix clients only
  std::string tls_cert;                    // PEM certificate chain: TLS on the TCP listener
  std::string tls_key;                     // PEM private key
  bool insecure_http = false;              // allow plain HTTP on a non-loopback address
  uint64_t max_body_bytes = 64ull << 20;   // request body limit (ingest uploads)
  int query_timeout_ms = 30000;            // per-statement deadline
  uint64_t max_rows = 1000000;             // result rows per query
  int max_connections = 256;               // requests in progress; past it 503
  int max_connections_per_client = 64;     // requests in progress per address; past it 429
  int max_idle_connections = 1024;         // connections waiting for a request; the oldest is closed past it
  int max_idle_per_client = 128;           // ... per address
  double rate_limit = 10000;               // requests/s per address (burst twice that); 0: none
  int threads_per_client = 0;              // statements of one token/address at once; 0: --threads - 1
  int write_threads_per_client = 0;        // uploads of one token/address at once; 0: --write-threads
  uint64_t max_response_bytes = 256ull << 20;  // rendered result limit; past it 422
  int header_timeout_ms = 10000;           // request header (and keep-alive idle) deadline
  int body_timeout_ms = 120000;            // request body deadline
  int drain_timeout_ms = 10000;            // shutdown waits this long for in-flight requests
  bool no_sync = false;                    // skip fsync on ingest (benchmarks only)
  int watch_threads = 1;                   // watches run at once (0: none run)
  int webhook_timeout_ms = 5000;           // one alert webhook POST
  int webhook_retry_ms = 1000;             // first retry of a failed POST (then doubling)
  int watch_lease_ms = 15000;              // --backend clickhouse: the watch lease between front ends
  std::string memory_limit = "auto";       // sizes the caches (storage/memory_budget.h); "auto": from RAM; "none"
};

// Blocks until the server stops; returns the process exit status.
int RunServe(const ServeFlags& flags, std::FILE* err);

}  // namespace kpi::cli
