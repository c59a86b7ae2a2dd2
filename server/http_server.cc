// The Beast HTTP/1.1 server (see server/http_server.h).
#include <utility>  // before Asio: Boost 1.74 awaitable.hpp needs it under C++20

#include "server/http_server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#ifdef KPI_HAVE_TLS
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/ssl.hpp>
#endif

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "server/auth.h"
#include "server/fair_scheduler.h"
#include "server/http_message.h"
#include "server/metrics.h"
#include "server/router.h"
#include "server/tls_context.h"

namespace kpi::server {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using unix_socket = net::local::stream_protocol;
#ifdef KPI_HAVE_TLS
namespace ssl = net::ssl;
#endif

namespace {

constexpr uint32_t kHeaderLimit = 64 * 1024;
constexpr const char* kServerName = "kpistore";

std::string_view View(beast::string_view s) { return std::string_view(s.data(), s.size()); }

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Called on shutdown from any thread: close if idle, else finish the request.
  virtual void Shutdown() = 0;
  // Close if still waiting for a request header (ClientLimits chose it).
  virtual void Evict() = 0;
  // Close whatever it is doing (the drain timeout passed).
  virtual void ForceClose() = 0;
};

}  // namespace

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

// State shared by the listeners and sessions.
struct HttpServer::Impl {
  Impl(Router* r, Metrics* m, HttpServerOptions o)
      : router(r),
        metrics(m),
        options(std::move(o)),
        work(net::make_work_guard(ioc)),
        limits(options.clients),
        query_pool(Threads(options.worker_threads), PerClient(options.worker_threads_per_client, options.worker_threads),
                   options.queued_per_client),
        write_pool(Threads(options.write_threads),
                   options.write_threads_per_client > 0 ? options.write_threads_per_client : Threads(options.write_threads),
                   options.queued_per_client) {}

  static int Threads(int n) { return n > 0 ? n : 1; }
  static int PerClient(int asked, int threads) { return asked > 0 ? asked : std::max(1, Threads(threads) - 1); }

  Router* router;
  Metrics* metrics;
  HttpServerOptions options;
  net::io_context ioc;
  net::executor_work_guard<net::io_context::executor_type> work;
  ClientLimits limits;
  FairScheduler query_pool;
  FairScheduler write_pool;
  std::vector<std::thread> io_threads;

  std::optional<tcp::acceptor> tcp_acceptor;
  std::optional<unix_socket::acceptor> unix_acceptor;
  std::string bound_tcp;
  uint16_t bound_port = 0;

  std::atomic<bool> stopping{false};
  bool started = false, stopped = false;
  std::atomic<uint64_t> next_id{1};

  std::mutex sessions_mu;
  std::condition_variable sessions_cv;
  std::unordered_map<uint64_t, std::weak_ptr<SessionBase>> sessions;  // GUARDED_BY(sessions_mu)

  void Register(uint64_t id, std::weak_ptr<SessionBase> w) {
    std::lock_guard<std::mutex> lock(sessions_mu);
    sessions.emplace(id, std::move(w));
  }
  void Unregister(uint64_t id) {
    std::lock_guard<std::mutex> lock(sessions_mu);
    sessions.erase(id);
    if (sessions.empty()) sessions_cv.notify_all();
  }
  std::vector<std::shared_ptr<SessionBase>> Live() {
    std::vector<std::shared_ptr<SessionBase>> live;
    std::lock_guard<std::mutex> lock(sessions_mu);
    for (auto& [id, weak] : sessions) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
    return live;
  }
  // Closes the waiting connections ClientLimits chose to evict.
  void Evict(const std::vector<uint64_t>& ids) {
    for (uint64_t id : ids) {
      std::shared_ptr<SessionBase> session;
      {
        std::lock_guard<std::mutex> lock(sessions_mu);
        auto it = sessions.find(id);
        if (it != sessions.end()) session = it->second.lock();
      }
      if (session) session->Evict();
    }
  }

  void RunIo() {
    // A handler that throws must not take the process down: log and go on.
    while (true) {
      try {
        ioc.run();
        return;
      } catch (const std::exception& e) {
        std::fprintf(stderr, "kpi serve: internal error in an I/O handler: %s\n", e.what());
      } catch (...) {
        std::fprintf(stderr, "kpi serve: internal error in an I/O handler\n");
      }
    }
  }
};

namespace {

using Impl = HttpServer::Impl;

bool IsLoopback(const tcp::endpoint& ep) {
  net::ip::address a = ep.address();
  if (a.is_loopback()) return true;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return net::ip::make_address_v4(net::ip::v4_mapped, a.to_v6()).is_loopback();
  }
  return false;
}

template <class Protocol>
bool TrustedPeer(typename Protocol::socket& socket);

template <>
bool TrustedPeer<tcp>(tcp::socket& socket) {
  beast::error_code ec;
  tcp::endpoint ep = socket.remote_endpoint(ec);
  return !ec && IsLoopback(ep);
}

template <>
bool TrustedPeer<unix_socket>(unix_socket::socket&) {
  return true;  // access is governed by the socket file's permissions
}

// The client a connection counts against: its remote address (v4-mapped
// addresses as plain v4); every Unix-socket client is one client.
template <class Protocol>
std::string ClientAddress(typename Protocol::socket& socket);

template <>
std::string ClientAddress<tcp>(tcp::socket& socket) {
  beast::error_code ec;
  tcp::endpoint ep = socket.remote_endpoint(ec);
  if (ec) return "?";
  net::ip::address a = ep.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return net::ip::make_address_v4(net::ip::v4_mapped, a.to_v6()).to_string();
  return a.to_string();
}

template <>
std::string ClientAddress<unix_socket>(unix_socket::socket&) {
  return "unix";
}

// True when a header line after the request line starts with a space or a
// tab: obsolete line folding (RFC 9112 5.2), which a server must reject or
// unfold; unfolding is where intermediaries disagree, so it is refused.
bool HasObsFold(std::string_view header) {
  for (size_t p = header.find("\r\n"); p != std::string_view::npos && p + 2 < header.size();
       p = header.find("\r\n", p + 2)) {
    char next = header[p + 2];
    if (next == ' ' || next == '\t') return true;
  }
  return false;
}

// The byte stream of a connection: plain, or TLS over it.
template <class Protocol, bool kTls>
struct StreamOf {
  using type = beast::basic_stream<Protocol>;
};
#ifdef KPI_HAVE_TLS
template <class Protocol>
struct StreamOf<Protocol, true> {
  using type = beast::ssl_stream<beast::basic_stream<Protocol>>;
};
#endif

// The answer to plain HTTP on the TLS port (what nginx does too): the client
// learns why, and no byte of it is read as a request.
constexpr std::string_view kPlainOnTlsPort =
    "HTTP/1.1 400 Bad Request\r\nServer: kpistore\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: 58\r\nConnection: close\r\n\r\n"
    "plain HTTP request sent to a TLS port: use https:// here\r\n";

// One connection: (TLS handshake,) read a request header, admit it, read its
// body, have it routed on a worker, write the response, repeat while
// keep-alive. All members are touched on the connection's strand only.
template <class Protocol, bool kTls = false>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Protocol, kTls>> {
 public:
  using Stream = typename StreamOf<Protocol, kTls>::type;

  Session(typename Protocol::socket&& socket, Impl* server)
    requires(!kTls)
      : server_(server),
        id_(server->next_id.fetch_add(1)),
        trusted_(TrustedPeer<Protocol>(socket)),
        client_(ClientAddress<Protocol>(socket)),
        stream_(std::move(socket)) {
    server_->metrics->ConnectionOpened();
  }
#ifdef KPI_HAVE_TLS
  // `context`: the server's TLS context when the connection was accepted;
  // held until the connection closes, whatever a reload does meanwhile.
  Session(typename Protocol::socket&& socket, Impl* server, std::shared_ptr<ssl::context> context)
    requires(kTls)
      : server_(server),
        id_(server->next_id.fetch_add(1)),
        trusted_(TrustedPeer<Protocol>(socket)),
        client_(ClientAddress<Protocol>(socket)),
        tls_context_(std::move(context)),
        stream_(std::move(socket), *tls_context_) {
    server_->metrics->ConnectionOpened();
  }
#endif

  ~Session() override {
    server_->metrics->ConnectionClosed();
    server_->limits.Closed(id_, client_);
    server_->Unregister(id_);
  }

  void Start() {
    server_->Register(id_, this->weak_from_this());
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->Handshake();
      } else {
        self->ReadHeader();
      }
    });
  }

  void Shutdown() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->state_ == State::kIdle || self->state_ == State::kHandshake || self->state_ == State::kLingering) {
        self->Close();
      }
    });
  }

  void Evict() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->state_ == State::kIdle || self->state_ == State::kHandshake) self->Close();
    });
  }

  void ForceClose() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] { self->Close(); });
  }

 private:
  // kHandshake: TLS handshake in progress (waiting: holds no slot);
  // kIdle: waiting for a complete request header (holds no slot);
  // kReading: admitted, reading the body; kBusy: routed on a worker;
  // kWriting: sending the response; kLingering: answered a refused request,
  // discarding what the client still sends before closing.
  enum class State { kHandshake, kIdle, kReading, kBusy, kWriting, kLingering, kClosed };

  // The socket under TLS (or the plain stream itself): timeouts, shutdown, close.
  beast::basic_stream<Protocol>& Lowest() { return beast::get_lowest_layer(stream_); }

  // The handshake counts as part of the first request's header: a waiting
  // connection (no slot, evictable) within one header_timeout from accept
  // to the end of the first header. A client that sends plain HTTP gets a
  // plain 400; anything else that is not a TLS handshake is closed.
  void Handshake() {
#ifdef KPI_HAVE_TLS
    if (server_->stopping.load()) return Close();
    state_ = State::kHandshake;
    server_->Evict(server_->limits.Waiting(id_, client_));
    Lowest().expires_after(server_->options.header_timeout);
    Lowest().async_read_some(buffer_.prepare(4096), [self = this->shared_from_this()](beast::error_code ec, size_t n) {
      if (ec || self->state_ != State::kHandshake) return self->Close();
      self->buffer_.commit(n);
      auto first = *static_cast<const unsigned char*>(self->buffer_.data().data());
      if (first >= 'A' && first <= 'Z') return self->RefusePlainHttp();
      self->stream_.async_handshake(ssl::stream_base::server, self->buffer_.data(),
                                    [self](beast::error_code e, size_t used) {
                                      if (e || self->state_ != State::kHandshake) return self->Close();
                                      self->buffer_.consume(used);
                                      self->ReadHeader(/*rearm=*/false);
                                    });
    });
#endif
  }

  void RefusePlainHttp() {
    server_->metrics->RecordRequest(Endpoint::kOther, 400, 0);
    state_ = State::kWriting;
    Lowest().expires_after(server_->options.write_timeout);
    net::async_write(Lowest(), net::buffer(kPlainOnTlsPort.data(), kPlainOnTlsPort.size()),
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->Close();
                       self->Linger();
                     });
  }

  // `rearm`: false right after the TLS handshake, which started the clock.
  void ReadHeader(bool rearm = true) {
    if (state_ == State::kClosed) return;
    if (server_->stopping.load()) return Close();
    state_ = State::kIdle;
    target_.clear();
    unread_body_ = false;
    server_->Evict(server_->limits.Waiting(id_, client_));
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(server_->options.max_body_bytes);
    scanned_ = 0;
    if (rearm) Lowest().expires_after(server_->options.header_timeout);
    ContinueHeader();
  }

  // Reads until the blank line that ends the header, then parses it whole.
  void ContinueHeader() {
    if (state_ == State::kClosed) return;
    auto data = buffer_.data();
    std::string_view bytes(static_cast<const char*>(data.data()), data.size());
    size_t end = bytes.find("\r\n\r\n", scanned_ >= 3 ? scanned_ - 3 : 0);
    if (end != std::string_view::npos) return OnHeaderBytes(bytes.substr(0, end + 4));
    if (bytes.size() >= kHeaderLimit) return WriteError(431, "request header fields too large", "");
    scanned_ = bytes.size();
    size_t room = std::max<size_t>(4096, buffer_.capacity() - buffer_.size());
    room = std::min<size_t>(room, kHeaderLimit + 4 - bytes.size());
    stream_.async_read_some(buffer_.prepare(room),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->OnReadError(ec);
                              self->buffer_.commit(n);
                              self->ContinueHeader();
                            });
  }

  void OnHeaderBytes(std::string_view header) {
    state_ = State::kReading;
    if (HasObsFold(header)) {
      return WriteError(400, "malformed HTTP request: obsolete line folding in a header field", "");
    }
    beast::error_code ec;
    size_t used = 0;
    while (used < header.size() && !ec && !parser_->is_header_done()) {
      used += parser_->put(net::buffer(header.data() + used, header.size() - used), ec);
    }
    buffer_.consume(used);
    if (ec == http::error::need_more) ec = http::error::partial_message;  // cannot happen after a whole header
    if (ec) return OnReadError(ec);
    auto& req = parser_->get();
    target_ = std::string(View(req.target()));
    for (const auto& field : req) {
      if (field.name() != http::field::transfer_encoding) continue;
      std::string_view value = View(field.value());
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
      if (!beast::iequals(beast::string_view(value.data(), value.size()), "chunked")) {
        return WriteError(400, "Transfer-Encoding other than chunked is not accepted", target_);
      }
    }
    Admit();
  }

  // Slot, rate, then the router's checks, all before the body.
  void Admit() {
    auto& req = parser_->get();
    switch (server_->limits.Request(id_, client_)) {
      case ClientLimits::Admit::kOk: break;
      case ClientLimits::Admit::kServerBusy:
        return WriteError(503, "too many requests in progress; retry later", target_);
      case ClientLimits::Admit::kClientBusy:
        return WriteError(429, "too many requests in progress from your address; retry later", target_);
      case ClientLimits::Admit::kRateLimited: {
        Response r = ErrorResponse(429, "request rate limit of your address exceeded; retry later");
        r.headers.emplace_back("Retry-After", std::to_string(server_->limits.RetryAfterSeconds()));
        return Refuse(std::move(r));
      }
    }
    request_ = std::make_shared<Request>();
    request_->method = std::string(View(req.method_string()));
    request_->target = target_;
    request_->trusted_peer = trusted_;
    for (const auto& field : req) request_->headers.emplace_back(View(field.name_string()), View(field.value()));
    Endpoint endpoint = Endpoint::kOther;
    Response refused = server_->router->Admit(*request_, parser_->content_length().value_or(0), &endpoint);
    if (refused.status != 0) {
      server_->metrics->RecordRequest(endpoint, refused.status, 0);
      return Refuse(std::move(refused));
    }
    if (beast::iequals(req[http::field::expect], "100-continue") && !parser_->is_done()) {
      continue_.emplace(http::status::continue_, req.version());
      Lowest().expires_after(server_->options.write_timeout);
      http::async_write(stream_, *continue_, [self = this->shared_from_this()](beast::error_code e, size_t) {
        if (e) return self->Close();
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    if (parser_->is_done()) return OnRequest({});
    // Beast reads at most the buffer's spare capacity (512 bytes minimum)
    // per call: after a small header that meant a syscall, a timer re-arm
    // and a handler dispatch per ~500 bytes of an upload. Room for large
    // reads, bounded by the announced body size.
    const auto length = parser_->content_length();
    if (length && *length > buffer_.capacity() - buffer_.size())
      buffer_.reserve(buffer_.size() + static_cast<size_t>(std::min<uint64_t>(*length, kBodyReadBytes)));
    Lowest().expires_after(server_->options.body_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRequest(ec); });
  }

  void OnReadError(beast::error_code ec) {
    if (state_ == State::kClosed) return;
    if (ec == http::error::body_limit) {
      return WriteError(413, "request body larger than " + std::to_string(server_->options.max_body_bytes) + " bytes",
                        target_);
    }
    if (ec == http::error::header_limit) return WriteError(431, "request header fields too large", target_);
    if (&ec.category() == &http::make_error_code(http::error::bad_target).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return WriteError(400, "malformed HTTP request: " + ec.message(), target_);
    }
    // End of stream, reset, timeout, shutdown: nothing useful to say.
    Close();
  }

  void OnRequest(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    if (state_ == State::kClosed) return;
    state_ = State::kBusy;
    http::request<http::string_body> req = parser_->release();
    // An idle keep-alive connection should not hold an upload-sized buffer.
    if (buffer_.size() == 0 && buffer_.capacity() > 64 * 1024) buffer_.shrink_to_fit();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    std::shared_ptr<Request> request = std::move(request_);
    request->body = std::move(req.body());

    if (request->target == "/health" && request->method == "GET") {
      return Write(server_->router->Route(*request));
    }
    auto work = [self = this->shared_from_this(), request] {
      Response response;
      try {
        response = self->server_->router->Route(*request);
      } catch (const std::exception& e) {
        response = ErrorResponse(500, std::string("internal error: ") + e.what());
      } catch (...) {
        response = ErrorResponse(500, "internal error");
      }
      net::post(self->stream_.get_executor(),
                [self, response = std::move(response)]() mutable { self->Write(std::move(response)); });
    };
    // Fair turns per token (or per address when there is none).
    std::string_view token = BearerToken(request->Header("Authorization"));
    std::string key = token.empty() ? "a:" + client_ : "t:" + std::string(token);
    FairScheduler& pool = Router::IsWrite(*request) ? server_->write_pool : server_->query_pool;
    if (!pool.Submit(key, std::move(work))) {
      server_->metrics->RecordRequest(Router::Classify(request->target), 429, 0);
      Write(ErrorResponse(429, "too many requests queued for this client; retry later"));
    }
  }

  // An error found before the request was admitted or while reading it.
  void WriteError(int status, const std::string& message, std::string_view target) {
    server_->metrics->RecordRequest(Router::Classify(target), status, 0);
    Response r = ErrorResponse(status, message);
    r.close = true;
    unread_body_ = true;  // whatever the client sends next is not read
    if (version_ == 0) version_ = 11;
    Write(std::move(r));
  }

  // A request refused from its header: the connection stays open only when
  // there is no body to skip.
  void Refuse(Response response) {
    if (!parser_->is_done()) response.close = unread_body_ = true;
    keep_alive_ = parser_->get().keep_alive();
    version_ = parser_->get().version();
    Write(std::move(response));
  }

  void Write(Response response) {
    if (state_ == State::kClosed) return;
    state_ = State::kWriting;
    res_.emplace();
    res_->version(version_);
    res_->result(static_cast<unsigned>(response.status));
    res_->reason(StatusReason(response.status));
    res_->set(http::field::server, kServerName);
    res_->set(http::field::content_type, response.content_type);
    for (auto& [name, value] : response.headers) res_->insert(name, value);
    res_->body() = std::move(response.body);
    keep_alive_ = keep_alive_ && !response.close && !server_->stopping.load();
    res_->keep_alive(keep_alive_);
    res_->prepare_payload();
    Lowest().expires_after(server_->options.write_timeout);
    http::async_write(stream_, *res_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
      self->OnWrite(ec);
    });
  }

  void OnWrite(beast::error_code ec) {
    res_.reset();
    if (ec) return Close();
    if (!keep_alive_) return unread_body_ ? Linger() : Close();
    version_ = 11;
    ReadHeader();
  }

  // Closing a socket with unread input makes the kernel send a reset, which
  // can destroy the response before the client reads it. So: send FIN, then
  // read and drop (never keep) what the client still sends, for a short
  // while and a bounded amount, then close.
  void Linger() {
    if (state_ == State::kClosed) return;
    state_ = State::kLingering;
    beast::error_code ignored;
    Lowest().socket().shutdown(Protocol::socket::shutdown_send, ignored);
    Lowest().expires_after(kLingerTime);
    lingered_ = 0;
    DrainSome();
  }

  void DrainSome() {
    buffer_.clear();
    // Raw bytes (TLS records unread): they are dropped anyway.
    Lowest().async_read_some(buffer_.prepare(kLingerChunk), [self = this->shared_from_this()](beast::error_code ec,
                                                                                               size_t n) {
      self->lingered_ += n;
      if (ec || self->lingered_ >= kLingerBytes || self->state_ != State::kLingering) return self->Close();
      self->DrainSome();
    });
  }

  void Close() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    beast::error_code ec;
    // Over TLS no close_notify is sent: every response is framed by
    // Content-Length or chunking, so a truncation cannot pass for an end.
    Lowest().socket().shutdown(Protocol::socket::shutdown_both, ec);
    Lowest().close();
  }

  Impl* server_;
  const uint64_t id_;
  const bool trusted_;
  const std::string client_;
#ifdef KPI_HAVE_TLS
  std::shared_ptr<ssl::context> tls_context_;  // before stream_, which uses it
#endif
  Stream stream_;
  static constexpr uint64_t kBodyReadBytes = 256 * 1024;  // largest read of a request body
  static constexpr size_t kLingerChunk = 16 * 1024;
  static constexpr uint64_t kLingerBytes = 1 << 20;  // dropped at most before closing
  static constexpr std::chrono::milliseconds kLingerTime{500};
  beast::flat_buffer buffer_;
  size_t scanned_ = 0;  // header bytes already searched for the blank line
  uint64_t lingered_ = 0;
  bool unread_body_ = false;  // the response closes a request whose input was not all read: linger
  std::string target_;
  std::shared_ptr<Request> request_;  // the admitted request, body still to come
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  std::optional<http::response<http::string_body>> res_;
  State state_ = State::kIdle;
  bool keep_alive_ = false;
  unsigned version_ = 11;
};

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
