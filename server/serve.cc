// `kpi serve` entry point (see server/serve.h).
#include "server/serve.h"

#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <memory>
#include <mutex>

#include "query/engine.h"
#include "server/auth.h"
#include "server/cache_metrics.h"
#include "server/delta_folder.h"
#include "server/http_server.h"
#include "server/metrics.h"
#include "server/router.h"
#include "server/tls_context.h"
#include "server/watch_scheduler.h"
#include "server/webhook_sender.h"
#include "storage/store.h"

namespace kpi::server {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

// Blocks SIGINT, SIGTERM and SIGHUP for this thread and the threads it
// starts, restoring the previous mask on destruction.
class SignalBlock {
 public:
  SignalBlock() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  ~SignalBlock() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  int Wait() {
    int sig = 0;
    while (sigwait(&set_, &sig) != 0) {
    }
    return sig;
  }

 private:
  sigset_t set_, old_;
};

// The server over `backend`; with a `store` (the local engine over it is
// `backend`), also watches, webhooks, cache metrics, delta folds and the
// final seal.
int ServeOver(storage::Store* store, query::Backend* backend, const ServeOptions& options) {
  std::FILE* log = options.log != nullptr ? options.log : stderr;
  TokenTable tokens;
  if (!options.tokens_file.empty()) {
    Status s = TokenTable::Load(options.tokens_file, &tokens);
    if (!s.ok()) {
      std::fprintf(log, "kpi serve: %s\n", s.message().c_str());
      return kExitUsage;
    }
    if (tokens.empty()) {
      std::fprintf(log, "kpi serve: token file %s lists no tokens\n", options.tokens_file.c_str());
      return kExitUsage;
    }
  }
  if (options.max_connections < 1 || options.query_timeout_ms < 1 || options.max_rows < 1 ||
      options.max_body_bytes < 1 || options.max_connections_per_client < 1 || options.max_idle_connections < 1 ||
      options.max_idle_per_client < 1 || options.rate_limit < 0 || options.max_response_bytes < 1 ||
      options.drain_timeout_ms < 0 || options.query_threads_per_client < 0 || options.write_threads_per_client < 0 ||
      options.watch_threads < 0 || options.webhook_timeout_ms < 1 || options.webhook_retry_ms < 1 ||
      options.watch_lease_ms < 3) {
    std::fprintf(log, "kpi serve: limits must be positive\n");
    return kExitUsage;
  }
  std::unique_ptr<TlsContext> tls;
  if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
    if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
      std::fprintf(log, "kpi serve: TLS needs both --tls-cert and --tls-key\n");
      return kExitUsage;
    }
    if (options.listen.empty()) {
      std::fprintf(log, "kpi serve: --tls-cert applies to the TCP listener, and --listen is empty\n");
      return kExitUsage;
    }
    Status s = TlsContext::Load(options.tls_cert_file, options.tls_key_file, &tls);
    if (!s.ok()) {
      std::fprintf(log, "kpi serve: %s\n", s.message().c_str());
      return kExitUsage;
    }
  }

  SignalBlock signals;  // before any thread starts, so all of them inherit it
  Metrics metrics;
  RouterLimits limits;
  limits.max_body_bytes = options.max_body_bytes;
  limits.query_timeout = std::chrono::milliseconds(options.query_timeout_ms);
  limits.max_result_rows = static_cast<size_t>(options.max_rows);
  limits.exec_threads = options.exec_threads > 0 ? options.exec_threads : 1;
  limits.max_response_bytes = options.max_response_bytes;
  auto run = [backend](std::string_view text, const query::ExecOptions& o, query::Result* r, query::QueryError* e) {
    return backend->Execute(text, o, r, e);
  };
  EventIngester ingest;
  if (store == nullptr)
    ingest = [backend](std::span<const RawEvent> events, std::vector<storage::EventReject>* rejects,
                       storage::IngestStats* stats) { return backend->Ingest(events, rejects, stats); };
  Router router(run, store, options.tokens_file.empty() ? nullptr : &tokens, &metrics, limits, ingest, backend);
  // Watches and their webhooks, over the backend's metadata; declared before
  // the HTTP server so that they outlive every /metrics rendering. Over a
  // shared backend (no local store) several front ends may run: only the
  // holder of the watch lease runs watches and sends (server/watch_lease.h).
  std::mutex alert_mu;
  std::unique_ptr<WebhookSender> sender;
  std::unique_ptr<WatchScheduler> watches;
  WebhookSenderOptions webhook;
  webhook.timeout = std::chrono::milliseconds(options.webhook_timeout_ms);
  webhook.first_backoff = std::chrono::milliseconds(options.webhook_retry_ms);
  WatchScheduler* leader = nullptr;  // set below; the sender asks it only after Start
  if (store == nullptr) webhook.active = [&leader] { return leader->Leading(); };
  sender = std::make_unique<WebhookSender>(backend->Meta(), &alert_mu, webhook);
  WatchSchedulerOptions scheduling;
  scheduling.threads = options.watch_threads;
  scheduling.run_timeout = std::chrono::milliseconds(options.query_timeout_ms);
  scheduling.max_result_rows = static_cast<size_t>(options.max_rows);
  if (store == nullptr) scheduling.lease = std::chrono::milliseconds(options.watch_lease_ms);
  watches = std::make_unique<WatchScheduler>(backend->Meta(), run, sender.get(), &alert_mu, scheduling);
  leader = watches.get();
  metrics.AddSource([w = watches.get()] { return w->RenderPrometheus(); });
  metrics.AddSource([w = sender.get()] { return w->RenderPrometheus(); });
  if (store != nullptr) metrics.AddSource([store] { return RenderCacheMetrics(*store); });

  HttpServerOptions http;
  http.listen = options.listen;
  http.socket_path = options.socket_path;
  http.io_threads = options.io_threads;
  http.worker_threads = options.query_threads;
  http.write_threads = options.write_threads;
  http.max_body_bytes = options.max_body_bytes;
  http.clients.max_active = options.max_connections;
  http.clients.max_active_per_client = options.max_connections_per_client;
  http.clients.max_waiting = options.max_idle_connections;
  http.clients.max_waiting_per_client = options.max_idle_per_client;
  http.clients.rate = options.rate_limit;
  http.clients.burst = 2 * options.rate_limit;
  http.worker_threads_per_client = options.query_threads_per_client;
  http.write_threads_per_client = options.write_threads_per_client;
  http.drain_timeout = std::chrono::milliseconds(options.drain_timeout_ms);
  http.header_timeout = std::chrono::milliseconds(options.header_timeout_ms);
  http.body_timeout = std::chrono::milliseconds(options.body_timeout_ms);
  http.tls = tls.get();
  http.insecure_http = options.insecure_http;
  HttpServer server(&router, &metrics, http);
  Status s = server.Start();
  if (!s.ok()) {
    std::fprintf(log, "kpi serve: %s\n", s.message().c_str());
    return kExitUsage;
  }
  if (!options.listen.empty()) {
    std::fprintf(log, "listening on %s%s\n", tls ? "https://" : "", server.tcp_address().c_str());
  }
  if (tls) std::fprintf(log, "tls: certificate %s\n", tls->Describe().c_str());
  if (!options.socket_path.empty()) std::fprintf(log, "listening on unix:%s\n", options.socket_path.c_str());
  if (options.tokens_file.empty()) {
    std::fprintf(log, "no --tokens file: serving only loopback and Unix-socket clients, with full access\n");
  } else {
    std::fprintf(log, "auth: %zu bearer token(s) from %s\n", tokens.size(), options.tokens_file.c_str());
  }
  if (store == nullptr)
    std::fprintf(log, "backend: %s (statements, uploads, watches and alerts go to it)\n", backend->Name());
  if (options.watch_threads > 0) {
    if (store == nullptr)
      std::fprintf(log, "watches: run by the front end holding the watch lease (%d ms)\n", options.watch_lease_ms);
    sender->Start();
    watches->Start();
  } else {
    std::fprintf(log, "watches: not run (--watch-threads 0)\n");
  }
  std::unique_ptr<DeltaFolder> folder;
  if (store != nullptr) {
    folder = std::make_unique<DeltaFolder>(store, DeltaFolderOptions{});
    folder->Start();
  }
  std::fflush(log);

  int sig = signals.Wait();
  for (; sig == SIGHUP; sig = signals.Wait()) {
    if (!tls) {
      std::fprintf(log, "kpi serve: SIGHUP received; nothing to reload (no TLS certificate)\n");
    } else if (Status r = tls->Reload(); r.ok()) {
      std::fprintf(log, "kpi serve: SIGHUP: TLS certificate reloaded (%s); new connections use it\n",
                   tls->Describe().c_str());
    } else {
      std::fprintf(log, "kpi serve: SIGHUP: TLS reload failed, keeping the current certificate: %s\n",
                   r.message().c_str());
    }
    std::fflush(log);
  }
  std::fprintf(log, "kpi serve: %s received, finishing in-flight requests (for up to %d ms)\n",
               sig == SIGINT ? "SIGINT" : "SIGTERM", options.drain_timeout_ms);
  std::fflush(log);
  if (folder) folder->Stop();
  watches->Stop();
  sender->Stop();
  server.Stop();
  if (store == nullptr) {
    std::fprintf(log, "kpi serve: stopped\n");
    return kExitOk;
  }
  storage::IngestStats stats;
  s = store->Seal(&stats);
  if (!s.ok()) {
    std::fprintf(log, "kpi serve: final seal failed: %s\n", s.ToString().c_str());
    return kExitFailed;
  }
  std::fprintf(log, "kpi serve: stopped\n");
  return kExitOk;
}

}  // namespace

int Serve(storage::Store* store, const ServeOptions& options) {
  query::Engine engine(store);
  return ServeOver(store, &engine, options);
}

int ServeBackend(query::Backend* backend, const ServeOptions& options) { return ServeOver(nullptr, backend, options); }

}  // namespace kpi::server
