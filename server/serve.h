// Serve: the entry point of `kpi serve`: runs the HTTP API over an open
// Store until SIGINT or SIGTERM, then shuts down cleanly.
//
// With tls_cert_file and tls_key_file the TCP listener speaks TLS
// (server/tls_context.h); SIGHUP re-reads both files: new connections use
// the new certificate, open ones finish with the old; a failed reload is
// logged and the old certificate stays. Without TLS, SIGHUP is logged and
// ignored. Plain HTTP listens only on a loopback address or a Unix socket
// unless insecure_http is set (tokens and data would cross the network in
// clear text).
//
// Watches (`define watch`) run on their schedules and their alert
// notifications go out to their webhooks (server/watch_scheduler.h,
// server/webhook_sender.h) while the server runs; both stop first at shutdown.
// Startup prints to `log` (stderr by default) where it listens
// ("listening on 127.0.0.1:7070", "listening on unix:/run/kpi.sock") and,
// without a token file, that only loopback and Unix-socket clients are
// served. Shutdown: stop accepting, answer every request already received,
// seal whatever is staged, return 0.
// Returns the process exit status: 0 after a clean shutdown; 2 for a bad
// option (unreadable token file, malformed listen address, nothing to listen
// on, plain HTTP on a non-loopback address, a TLS certificate or key that
// cannot be loaded, TLS not compiled in) or when a listener cannot be bound;
// 1 when the final seal fails.
// Serve blocks SIGINT, SIGTERM and SIGHUP in the calling thread (and so in
// every thread it starts) and waits for them with sigwait; call it from the
// main thread before starting other threads.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace kpi::storage {
class Store;
}
namespace kpi::query {
class Backend;
}

namespace kpi::server {

struct ServeOptions {
  std::string listen = "127.0.0.1:7070";  // host:port, [v6]:port; port 0 picks one; empty: no TCP
  std::string socket_path;                // Unix-domain socket path; empty: none
  std::string tokens_file;                // `<token> <role>` lines; empty: loopback/Unix clients only
  std::string tls_cert_file;              // PEM chain, leaf first; with tls_key_file: TLS on the TCP listener
  std::string tls_key_file;               // PEM private key of the certificate
  bool insecure_http = false;             // allow plain HTTP on a non-loopback TCP address
  uint64_t max_body_bytes = uint64_t{64} << 20;  // larger request bodies get 413
  int query_timeout_ms = 30000;           // per statement; past it 504
  uint64_t max_rows = 1'000'000;          // result rows per query; past it 422
  int max_connections = 256;              // connections with a request in progress; past it 503
  int max_connections_per_client = 64;    // ... from one address; past it 429
  int max_idle_connections = 1024;        // connections waiting for a request; past it the oldest is closed
  int max_idle_per_client = 128;          // ... from one address; past it that address's oldest is closed
  double rate_limit = 10000;              // requests per second per address (burst: twice that); 0: none
  int query_threads_per_client = 0;       // statements of one token/address at once; 0: query_threads - 1 (>= 1)
  int write_threads_per_client = 0;       // uploads of one token/address at once; 0: write_threads
  uint64_t max_response_bytes = uint64_t{256} << 20;  // a rendered result past it: 422
  int drain_timeout_ms = 10000;           // shutdown waits this long for in-flight requests
  int io_threads = 2;                     // socket I/O
  int query_threads = 2;                  // statements run concurrently (uploads have their own threads)
  int write_threads = 8;                  // uploads and KPI changes run concurrently (share seals)
  int exec_threads = 2;                   // scan threads per statement (ExecOptions::threads)
  int header_timeout_ms = 10000;          // request line + headers, and keep-alive idle time
  int watch_threads = 1;                  // watch runs at once, at low CPU priority (server/watch_scheduler.h); 0: none
  int webhook_timeout_ms = 5000;          // one alert webhook POST (server/webhook_sender.h)
  int webhook_retry_ms = 1000;            // first retry of a failed POST, doubling up to 5 minutes
  int watch_lease_ms = 15000;             // shared backend: the watch lease (server/watch_lease.h)
  int body_timeout_ms = 120000;           // reading one request body
  std::FILE* log = stderr;                // startup/shutdown lines; never tokens
};

// Runs until SIGINT/SIGTERM. `store` must stay open until Serve returns.
int Serve(storage::Store* store, const ServeOptions& options);

// The same API over another backend (`kpi serve --backend clickhouse`,
// docs/scale-out.md): statements (/v1/query, KPI endpoints) and uploads
// (/v1/events) go to `backend`; /health and /metrics work; watches run and
// GET /v1/alerts reads the backend's metadata (Backend::Meta), and of
// several front ends on one backend only the holder of the watch lease
// (server/watch_lease.h) runs watches and sends webhooks. Definitions
// (tables, targets, exemptions, dashboards) go to the backend too; backup
// answers 501. Shutdown seals nothing (the backend's ingest is durable when
// it returns). Same exit statuses.
int ServeBackend(query::Backend* backend, const ServeOptions& options);

}  // namespace kpi::server
