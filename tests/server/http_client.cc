// Test HTTP client (see http_client.h).
#include "http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <chrono>
#include <cstring>

namespace kpi::server::testing {

Connection Connection::Tcp(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    fd = -1;
  }
  return Connection(fd);
}

Connection Connection::TcpFrom(uint16_t port, const std::string& source) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  ::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0 && (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
                  ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)) {
    ::close(fd);
    fd = -1;
  }
  return Connection(fd);
}

Connection Connection::Unix(const std::string& unix_path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, unix_path.c_str(), sizeof addr.sun_path - 1);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    fd = -1;
  }
  return Connection(fd);
}

Connection::~Connection() {
  if (fd_ >= 0) ::close(fd_);
}

bool Connection::Send(const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

namespace {

using Clock = std::chrono::steady_clock;

// Reads more bytes into *buf; 0 on close, -1 on error or timeout.
ssize_t ReadSome(int fd, std::string* buf, Clock::time_point deadline) {
  while (true) {
    int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
    if (left <= 0) return -1;
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, left);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    char tmp[65536];
    ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == ECONNRESET ? 0 : -1;
    buf->append(tmp, static_cast<size_t>(n));
    return n;
  }
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

bool Connection::Read(HttpReply* reply, int timeout_ms, bool skip_interim) {
  *reply = HttpReply();
  Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string& buf = pending_;
  size_t header_end;
  while ((header_end = buf.find("\r\n\r\n")) == std::string::npos) {
    if (ReadSome(fd_, &buf, deadline) <= 0) return false;
  }
  std::string head = buf.substr(0, header_end);
  buf.erase(0, header_end + 4);
  size_t line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  if (status_line.size() < 12 || status_line.compare(0, 5, "HTTP/") != 0) return false;
  reply->status = std::atoi(status_line.c_str() + 9);
  size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string::npos) end = head.size();
    std::string line = head.substr(pos, end - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      size_t v = colon + 1;
      while (v < line.size() && line[v] == ' ') ++v;
      reply->headers[Lower(line.substr(0, colon))] = line.substr(v);
    }
    pos = end + 2;
  }
  if (reply->status == 100) {  // interim response: no body
    if (!skip_interim) return true;
    return Read(reply, timeout_ms);
  }
  auto cl = reply->headers.find("content-length");
  if (cl != reply->headers.end()) {
    size_t length = std::stoull(cl->second);
    while (buf.size() < length) {
      if (ReadSome(fd_, &buf, deadline) <= 0) return false;
    }
    reply->body = buf.substr(0, length);
    buf.erase(0, length);
  } else {
    while (ReadSome(fd_, &buf, deadline) > 0) {
    }
    reply->body = std::move(buf);
    buf.clear();
  }
  return true;
}

uint64_t Connection::SendBodyUntilReply(uint64_t total, int timeout_ms) {
  Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  static const std::string chunk(64 * 1024, 'x');
  uint64_t sent = 0;
  while (sent < total) {
    int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
    if (left <= 0) break;
    pollfd p{fd_, POLLIN | POLLOUT, 0};
    int r = ::poll(&p, 1, left);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    if (p.revents & (POLLIN | POLLERR | POLLHUP)) break;  // a response (or the end) is there
    size_t n = static_cast<size_t>(std::min<uint64_t>(chunk.size(), total - sent));
    ssize_t w = ::send(fd_, chunk.data(), n, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (w <= 0) break;
    sent += static_cast<uint64_t>(w);
  }
  return sent;
}

bool Connection::WaitClosed(int timeout_ms) {
  Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string sink;
  while (true) {
    ssize_t n = ReadSome(fd_, &sink, deadline);
    if (n == 0) return true;
    if (n < 0) return false;
  }
}

std::string BuildRequest(const std::string& method, const std::string& target, const std::string& body,
                         const std::string& extra_headers, bool keep_alive) {
  std::string r = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!body.empty() || method == "POST" || method == "PUT") r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  if (!keep_alive) r += "Connection: close\r\n";
  r += extra_headers;
  r += "\r\n";
  r += body;
  return r;
}

HttpReply Fetch(uint16_t port, const std::string& method, const std::string& target, const std::string& body,
                const std::string& extra_headers) {
  HttpReply reply;
  Connection c = Connection::Tcp(port);
  if (!c.ok() || !c.Send(BuildRequest(method, target, body, extra_headers))) return reply;
  c.Read(&reply);
  return reply;
}

}  // namespace kpi::server::testing
