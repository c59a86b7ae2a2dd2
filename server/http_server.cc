// The Beast HTTP/1.1 server (see server/http_server.h).
#include <utility>  // before Asio: Boost 1.74 awaitable.hpp needs it under C++20

#include "server/http_server.h"

#include <sys/stat.h>
#include <unistd.h>

#include "server/http_server_impl.h"
#include "server/http_session.h"

namespace kpi::server {

bool SplitHostPort(const std::string& listen, std::string* host, uint16_t* port) {
  std::string h, p;
  if (!listen.empty() && listen[0] == '[') {
    size_t close = listen.find(']');
    if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':') return false;
    h = listen.substr(1, close - 1);
    p = listen.substr(close + 2);
  } else {
    size_t colon = listen.rfind(':');
    if (colon == std::string::npos) return false;
    h = listen.substr(0, colon);
    p = listen.substr(colon + 1);
    if (h.find(':') != std::string::npos) return false;  // bare IPv6 needs brackets
  }
  if (p.empty() || p.size() > 5) return false;
  unsigned value = 0;
  for (char c : p) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > 65535) return false;
  *host = h.empty() ? "0.0.0.0" : h;
  *port = static_cast<uint16_t>(value);
  return true;
}

namespace {

using namespace http_detail;

// Accepts connections on one acceptor until it is closed.
template <class Protocol>
class Listener : public std::enable_shared_from_this<Listener<Protocol>> {
 public:
  Listener(typename Protocol::acceptor* acceptor, Impl* server)
      : acceptor_(acceptor), server_(server), retry_(acceptor->get_executor()) {}

  void Accept() {
    acceptor_->async_accept(net::make_strand(server_->ioc),
                            [self = this->shared_from_this()](beast::error_code ec, typename Protocol::socket s) {
                              self->OnAccept(ec, std::move(s));
                            });
  }

 private:
  void OnAccept(beast::error_code ec, typename Protocol::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_->is_open()) return;
    if (ec) {
      // Out of file descriptors and the like: back off briefly, keep serving.
      retry_.expires_after(std::chrono::milliseconds(50));
      retry_.async_wait([self = this->shared_from_this()](beast::error_code) { self->Accept(); });
      return;
    }
    if (server_->stopping.load()) {
      beast::error_code ignored;
      socket.close(ignored);
      return;
    }
    // Every connection gets in; it holds a slot only once a request arrives
    // (server/client_limits.h), and waiting ones are evicted oldest first.
    // The TCP listener speaks TLS when the server has a context; a new
    // connection takes the context of the moment (reloads apply from there).
#ifdef KPI_HAVE_TLS
    if constexpr (std::is_same_v<Protocol, tcp>) {
      if (server_->options.tls != nullptr) {
        std::make_shared<Session<tcp, true>>(std::move(socket), server_, server_->options.tls->Current())->Start();
        return Accept();
      }
    }
#endif
    std::make_shared<Session<Protocol>>(std::move(socket), server_)->Start();
    Accept();
  }

  typename Protocol::acceptor* acceptor_;
  Impl* server_;
  net::steady_timer retry_;
};

template <class Acceptor, class Endpoint>
Status OpenAcceptor(Acceptor* acceptor, const Endpoint& endpoint, bool reuse_address, const std::string& what) {
  beast::error_code ec;
  acceptor->open(endpoint.protocol(), ec);
  if (!ec && reuse_address) acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Status::IOError("cannot listen on " + what + ": " + ec.message());
  return Status::OK();
}

}  // namespace

HttpServer::HttpServer(Router* router, Metrics* metrics, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(router, metrics, std::move(options))) {}

HttpServer::~HttpServer() { Stop(); }

std::string HttpServer::tcp_address() const { return impl_->bound_tcp; }
uint16_t HttpServer::tcp_port() const { return impl_->bound_port; }

Status HttpServer::Start() {
  Impl& s = *impl_;
  if (s.started) return Status::InvalidArgument("server already started");
  if (s.options.listen.empty() && s.options.socket_path.empty()) {
    return Status::InvalidArgument("nothing to listen on: give a TCP address or a socket path");
  }
  if (!s.options.listen.empty()) {
    std::string host;
    uint16_t port = 0;
    if (!SplitHostPort(s.options.listen, &host, &port)) {
      return Status::InvalidArgument("listen address must be host:port, got '" + s.options.listen + "'");
    }
    beast::error_code ec;
    tcp::resolver resolver(s.ioc);
    auto results = resolver.resolve(host, std::to_string(port), tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || results.empty()) return Status::InvalidArgument("cannot resolve listen host '" + host + "'");
    tcp::endpoint endpoint = results.begin()->endpoint();
    // Plain HTTP carries tokens and data in clear text: only where no one
    // else is on the wire, unless the operator says so.
    if (s.options.tls == nullptr && !s.options.insecure_http && !IsLoopback(endpoint)) {
      return Status::InvalidArgument("plain HTTP on the non-loopback address " + s.options.listen +
                                     " would send tokens and data in clear text: give --tls-cert and --tls-key, "
                                     "listen on a loopback address or a Unix socket (behind a TLS proxy), or pass "
                                     "--insecure-http");
    }
    s.tcp_acceptor.emplace(net::make_strand(s.ioc));
    KPI_RETURN_IF_ERROR(OpenAcceptor(&*s.tcp_acceptor, endpoint, true, s.options.listen));
    tcp::endpoint bound = s.tcp_acceptor->local_endpoint(ec);
    s.bound_port = bound.port();
    std::string addr = bound.address().to_string();
    s.bound_tcp = (bound.address().is_v6() ? "[" + addr + "]" : addr) + ":" + std::to_string(bound.port());
  }
  if (!s.options.socket_path.empty()) {
    // A socket file left by a server that died is removed; a live one is not.
    struct stat st;
    if (::lstat(s.options.socket_path.c_str(), &st) == 0) {
      if (!S_ISSOCK(st.st_mode)) {
        return Status::IOError("cannot listen on " + s.options.socket_path + ": exists and is not a socket");
      }
      unix_socket::socket probe(s.ioc);
      beast::error_code ec;
      probe.connect(unix_socket::endpoint(s.options.socket_path), ec);
      if (!ec) return Status::IOError("cannot listen on " + s.options.socket_path + ": another server is using it");
      ::unlink(s.options.socket_path.c_str());
    }
    s.unix_acceptor.emplace(net::make_strand(s.ioc));
    KPI_RETURN_IF_ERROR(OpenAcceptor(&*s.unix_acceptor, unix_socket::endpoint(s.options.socket_path), false,
                                     s.options.socket_path));
  }
  if (s.tcp_acceptor) std::make_shared<Listener<tcp>>(&*s.tcp_acceptor, &s)->Accept();
  if (s.unix_acceptor) std::make_shared<Listener<unix_socket>>(&*s.unix_acceptor, &s)->Accept();
  int n = s.options.io_threads > 0 ? s.options.io_threads : 1;
  for (int i = 0; i < n; ++i) s.io_threads.emplace_back([&s] { s.RunIo(); });
  s.started = true;
  return Status::OK();
}

void HttpServer::Stop() {
  Impl& s = *impl_;
  if (!s.started || s.stopped) return;
  s.stopped = true;
  s.stopping.store(true);
  // Close the acceptors on their strands (Asio objects are not thread-safe).
  std::mutex mu;
  std::condition_variable cv;
  int pending = 0;
  auto close_on_strand = [&](auto& acceptor) {
    {
      std::lock_guard<std::mutex> lock(mu);
      ++pending;
    }
    net::post(acceptor.get_executor(), [&] {
      beast::error_code ec;
      acceptor.close(ec);
      std::lock_guard<std::mutex> lock(mu);
      if (--pending == 0) cv.notify_all();
    });
  };
  if (s.tcp_acceptor) close_on_strand(*s.tcp_acceptor);
  if (s.unix_acceptor) close_on_strand(*s.unix_acceptor);
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return pending == 0; });
  }
  // Idle connections close now; busy ones after their response, for up to
  // the drain timeout; then running statements are cancelled and every
  // connection still open (a slow upload, say) is closed.
  for (auto& session : s.Live()) session->Shutdown();
  {
    std::unique_lock<std::mutex> lock(s.sessions_mu);
    if (!s.sessions_cv.wait_for(lock, s.options.drain_timeout, [&] { return s.sessions.empty(); })) {
      lock.unlock();
      s.router->CancelAll();
      for (auto& session : s.Live()) session->ForceClose();
      lock.lock();
      s.sessions_cv.wait(lock, [&] { return s.sessions.empty(); });
    }
  }
  s.query_pool.Shutdown();
  s.write_pool.Shutdown();
  s.work.reset();
  for (std::thread& t : s.io_threads) t.join();
  s.io_threads.clear();
  if (!s.options.socket_path.empty()) ::unlink(s.options.socket_path.c_str());
}

}  // namespace kpi::server
