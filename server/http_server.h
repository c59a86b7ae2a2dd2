// HttpServer: the Boost.Beast HTTP/1.1 front of a Router.
//
// One listener per endpoint (TCP "host:port" and/or a Unix-domain socket
// path) and one session per connection, all asynchronous on a small pool of
// I/O threads. Complete requests are handed to worker pools so that a long
// query never stalls accepting or reading: reads (queries, listings,
// metrics) run on `worker_threads` threads, writes (uploads, KPI changes) on
// `write_threads` threads of their own (so uploads parse while others wait
// for their seal, and uploads that wait together share one seal and its
// fsync); /health is answered inline.
//
// Every request is admitted from its header alone, before any body byte is
// read: the header is read whole (at most 64 KiB, within header_timeout),
// checked for HTTP framing an intermediary could read differently (obsolete
// line folding, a Transfer-Encoding other than `chunked`: 400 and close,
// RFC 9112), then the client's slot and request rate (server/client_limits.h),
// then the router's path, method, credentials and declared size
// (Router::Admit). Only then is `100 Continue` sent and the body read; a
// refused request with a body gets its answer and the connection closes, the
// body unread.
// Admitted requests run on two FairSchedulers (server/fair_scheduler.h),
// keyed by bearer token (or client address): reads (queries, listings,
// metrics) on `worker_threads`, writes (uploads, definition changes) on
// `write_threads`; /health is answered inline.
//
// Limits, each answered without crashing and without holding a thread:
//   * a request body over max_body_bytes -> 413 (and the connection closes);
//     request headers over 64 KiB -> 431;
//   * a client that is silent or slow for header_timeout while sending the
//     request line and headers (or idle between keep-alive requests), or for
//     body_timeout while sending a body, is disconnected; so is one that does
//     not read its response within write_timeout;
//   * connection slots and request rates per client: `clients` below;
//   * a client with more than queued_per_client requests waiting for a
//     thread gets 429.
// TLS (options.tls, server/tls_context.h): the TCP listener speaks only
// TLS 1.2+, with HTTP/1.1 inside and everything above unchanged; the Unix
// socket stays plain. The handshake counts as the first request's header:
// a connection in its handshake is waiting (holds no slot, may be evicted)
// and has header_timeout from accept to the end of its first header. Plain
// HTTP sent to the TLS port gets a plain 400 and the connection closes.
// Each new connection takes the TLS context of the moment, so a reload
// applies to new connections while open ones finish with the old one.
// Plain HTTP on a TCP address that is not loopback is refused by Start()
// unless options.insecure_http is set.
// Stop() stops accepting, closes idle connections, lets every request
// already being read or run finish and be answered (with Connection: close)
// for up to drain_timeout; then it cancels running statements (Aborted, 503),
// closes every connection still open and joins all threads. Stop() is
// idempotent and callable from any thread except the server's own.
//
// Beast is confined to the http_server.cc translation unit (with its internal
// headers http_server_impl.h and http_session.h); this header is plain.
// Thread safety: Start/Stop/Wait from one controlling thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "server/client_limits.h"
#include "storage/status.h"

namespace kpi::server {

class Router;
class Metrics;
class TlsContext;

struct HttpServerOptions {
  std::string listen;       // "127.0.0.1:7070", "[::1]:0", "0.0.0.0:7070"; empty: no TCP listener
  std::string socket_path;  // Unix-domain socket; empty: none
  int io_threads = 2;
  int worker_threads = 2;  // concurrent queries
  int write_threads = 8;   // concurrent uploads and KPI changes (uploads share seals: server/group_commit.h)
  // Statements of one token or client running at once; 0: one less than
  // worker_threads, at least 1, so that one client never holds every query
  // thread. Uploads of one token or client at once; 0: write_threads (uploads
  // never delay queries, and concurrent uploads of one client share seals).
  int worker_threads_per_client = 0;
  int write_threads_per_client = 0;
  size_t queued_per_client = 64;  // requests waiting for a thread, per token or client; past it 429
  uint64_t max_body_bytes = uint64_t{64} << 20;
  ClientLimitOptions clients;  // connection slots and request rates (max_active is the old max_connections)
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{120000};
  std::chrono::milliseconds write_timeout{120000};
  std::chrono::milliseconds drain_timeout{10000};  // Stop(): longest wait for in-flight requests
  // TLS on the TCP listener (the Unix socket stays plain); null: plain HTTP.
  // Must outlive the server; each new connection takes tls->Current().
  TlsContext* tls = nullptr;
  // Plain HTTP on a TCP address that is not loopback: Start() refuses it
  // (InvalidArgument) unless this is set.
  bool insecure_http = false;
};

class HttpServer {
 public:
  // `router` and `metrics` must outlive the server.
  HttpServer(Router* router, Metrics* metrics, HttpServerOptions options);
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listeners and starts the threads. InvalidArgument for a bad
  // listen address, IOError when binding fails (port in use, ...).
  Status Start();
  // Bound TCP address, e.g. "127.0.0.1:7070" (the real port when 0 was asked).
  std::string tcp_address() const;
  uint16_t tcp_port() const;

  void Stop();

  struct Impl;  // opaque: the Beast objects, defined in http_server_impl.h

 private:
  std::unique_ptr<Impl> impl_;
};

// Splits "host:port" / "[v6]:port" / ":port" (host "0.0.0.0"). False if malformed.
bool SplitHostPort(const std::string& listen, std::string* host, uint16_t* port);

}  // namespace kpi::server
