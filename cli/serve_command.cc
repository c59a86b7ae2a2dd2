// `kpi serve` (see cli/serve_command.h).
#include "cli/serve_command.h"

#include "cli/exit_codes.h"

#ifdef KPI_HAVE_SERVER
#include <signal.h>

#include <memory>
#include <optional>

#include "cli/store_open.h"
#include "storage/memory_budget.h"
#include "server/serve.h"
#include "storage/store.h"
#endif

namespace kpi::cli {

#ifdef KPI_HAVE_SERVER

// The server's options from the flags.
static server::ServeOptions Options(const ServeFlags& flags, std::FILE* err) {
  server::ServeOptions options;
  options.listen = flags.listen;
  options.socket_path = flags.socket_path;
  options.tokens_file = flags.tokens_file;
  options.tls_cert_file = flags.tls_cert;
  options.tls_key_file = flags.tls_key;
  options.insecure_http = flags.insecure_http;
  options.max_body_bytes = flags.max_body_bytes;
  options.query_timeout_ms = flags.query_timeout_ms;
  options.max_rows = flags.max_rows;
  options.max_connections = flags.max_connections;
  options.max_connections_per_client = flags.max_connections_per_client;
  options.max_idle_connections = flags.max_idle_connections;
  options.max_idle_per_client = flags.max_idle_per_client;
  options.rate_limit = flags.rate_limit;
  options.query_threads_per_client = flags.threads_per_client;
  options.write_threads_per_client = flags.write_threads_per_client;
  options.max_response_bytes = flags.max_response_bytes;
  options.header_timeout_ms = flags.header_timeout_ms;
  options.body_timeout_ms = flags.body_timeout_ms;
  options.drain_timeout_ms = flags.drain_timeout_ms;
  options.io_threads = flags.io_threads;
  options.write_threads = flags.write_threads;
  options.query_threads = flags.threads;
  options.exec_threads = flags.exec_threads;
  options.watch_threads = flags.watch_threads;
  options.webhook_timeout_ms = flags.webhook_timeout_ms;
  options.webhook_retry_ms = flags.webhook_retry_ms;
  options.watch_lease_ms = flags.watch_lease_ms;
  options.log = err;
  return options;
}

int RunServe(const ServeFlags& flags, std::FILE* err) {
  // Before any thread exists (RocksDB starts some in Open): every thread
  // inherits the mask, so only the server's sigwait sees these signals.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);  // TLS reload (server/serve.h), not the default "terminate"
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  std::unique_ptr<query::Backend> backend;
  if (Status b = OpenBackend(flags.backend, !flags.db.empty(), &backend); !b.ok()) {
    std::fprintf(err, "kpi serve: %s\n", b.message().c_str());
    return kExitUsage;
  }
  if (backend && !flags.db.empty()) {
    std::fprintf(err, "kpi serve: --db and --backend clickhouse exclude each other\n");
    return kExitUsage;
  }
  std::optional<storage::MemoryBudget> budget;
  if (std::string error; !ReadBudgetFromFlag(flags.memory_limit, &budget, &error)) {
    std::fprintf(err, "kpi serve: --memory-limit: %s\n", error.c_str());
    return kExitUsage;
  }
  server::ServeOptions options = Options(flags, err);
  if (backend) return server::ServeBackend(backend.get(), options);
  std::unique_ptr<storage::Store> store;
  Status s;
  if (flags.create) {
    storage::StoreOptions options;
    options.sync = !flags.no_sync;
    if (budget) storage::ApplyBudget(*budget, &options);
    s = storage::Store::Open(flags.db, options, &store);
  } else {
    s = OpenExistingStore(flags.db, &store, !flags.no_sync, /*read_only_until_write=*/false,  // many clients
                          budget ? &*budget : nullptr);
  }
  if (!s.ok()) {
    std::fprintf(err, "kpi serve: %s%s\n", s.ToString().c_str(),
                 s.code() == Status::Code::kNotFound ? " (or pass --create)" : "");
    return kExitUsage;
  }
  return server::Serve(store.get(), options);
}

#else

int RunServe(const ServeFlags& flags, std::FILE* err) {
  std::fprintf(err, "kpi serve: this build has no HTTP server (server/ was not built); cannot serve %s\n",
               flags.db.c_str());
  return kExitUsage;
}

#endif

}  // namespace kpi::cli
