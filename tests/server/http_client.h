// A tiny blocking HTTP/1.1 client over raw sockets for the server tests:
// no Beast here, so the tests compile fast and exercise the server with
// exactly the bytes they choose (malformed requests included).
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace kpi::server::testing {

struct HttpReply {
  int status = 0;                             // 0: no (complete) response
  std::map<std::string, std::string> headers;  // keys lower-cased
  std::string body;
};

// A connected socket, closed by the destructor.
class Connection {
 public:
  // Connects to 127.0.0.1:port, or to the Unix socket at `unix_path`.
  static Connection Tcp(uint16_t port);
  static Connection Unix(const std::string& unix_path);
  // Connects from the loopback address `source` (e.g. "127.0.0.2"): another
  // client, as far as per-address limits go.
  static Connection TcpFrom(uint16_t port, const std::string& source);
  Connection(Connection&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  ~Connection();
  bool ok() const { return fd_ >= 0; }

  bool Send(const std::string& bytes);
  // Reads one response (Content-Length or until close). False on timeout or
  // when the peer closed before a complete response.
  bool Read(HttpReply* reply, int timeout_ms = 20000, bool skip_interim = true);
  // Sends `total` bytes of body ('x') in chunks while watching for a
  // response; stops when one starts to arrive, when the peer stops taking
  // bytes (closed or reset) or after `timeout_ms`. Returns the bytes sent;
  // read the response with Read() afterwards.
  uint64_t SendBodyUntilReply(uint64_t total, int timeout_ms);
  // Waits until the peer closes the connection (true) or `timeout_ms` passes.
  bool WaitClosed(int timeout_ms);

 private:
  explicit Connection(int fd) : fd_(fd) {}
  int fd_ = -1;
  std::string pending_;  // bytes read past the previous response
};

// "METHOD target HTTP/1.1" with Host, Content-Length and the extra header
// lines given as "Name: value\r\n..." (may be empty).
std::string BuildRequest(const std::string& method, const std::string& target, const std::string& body = "",
                         const std::string& extra_headers = "", bool keep_alive = false);

// One request on a fresh connection.
HttpReply Fetch(uint16_t port, const std::string& method, const std::string& target, const std::string& body = "",
                const std::string& extra_headers = "");

}  // namespace kpi::server::testing
