// Internal to server/http_server.cc: one connection's life (see the
// contract in server/http_server.h): who the peer is, the framing checks on
// its header, and the Session that reads, admits, routes and answers its
// requests. Include only from http_server.cc: Beast stays in one translation
// unit.
#pragma once

#include "server/http_server_impl.h"

#include "server/auth.h"
#include "server/http_message.h"
#include "server/metrics.h"
#include "server/router.h"
#include "server/tls_context.h"

namespace kpi::server::http_detail {

using Impl = HttpServer::Impl;

inline bool IsLoopback(const tcp::endpoint& ep) {
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
inline bool TrustedPeer<tcp>(tcp::socket& socket) {
  beast::error_code ec;
  tcp::endpoint ep = socket.remote_endpoint(ec);
  return !ec && IsLoopback(ep);
}

template <>
inline bool TrustedPeer<unix_socket>(unix_socket::socket&) {
  return true;  // access is governed by the socket file's permissions
}

// The client a connection counts against: its remote address (v4-mapped
// addresses as plain v4); every Unix-socket client is one client.
template <class Protocol>
std::string ClientAddress(typename Protocol::socket& socket);

template <>
inline std::string ClientAddress<tcp>(tcp::socket& socket) {
  beast::error_code ec;
  tcp::endpoint ep = socket.remote_endpoint(ec);
  if (ec) return "?";
  net::ip::address a = ep.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return net::ip::make_address_v4(net::ip::v4_mapped, a.to_v6()).to_string();
  return a.to_string();
}

template <>
inline std::string ClientAddress<unix_socket>(unix_socket::socket&) {
  return "unix";
}

// True when a header line after the request line starts with a space or a
// tab: obsolete line folding (RFC 9112 5.2), which a server must reject or
// unfold; unfolding is where intermediaries disagree, so it is refused.
inline bool HasObsFold(std::string_view header) {
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
inline constexpr std::string_view kPlainOnTlsPort =
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

}  // namespace kpi::server::http_detail
