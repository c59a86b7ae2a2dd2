// A webhook receiver for the alert tests (see webhook_receiver.h).
#include "server/watch/webhook_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

namespace kpi::server::testing {

namespace {

int Listen(uint16_t port, uint16_t* bound) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 16) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return -1;
  }
  *bound = ntohs(addr.sin_port);
  return fd;
}

// Reads one request; its body, or false when the peer did not send a whole one.
bool ReadRequest(int fd, std::string* body) {
  std::string data;
  char buf[4096];
  size_t header_end = std::string::npos;
  size_t length = 0;
  while (true) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 5000) <= 0) return false;
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return false;
    data.append(buf, static_cast<size_t>(n));
    if (header_end == std::string::npos) {
      header_end = data.find("\r\n\r\n");
      if (header_end == std::string::npos) continue;
      for (size_t at = 0; at < header_end;) {
        const size_t eol = data.find("\r\n", at);
        std::string line = data.substr(at, eol - at);
        for (char& c : line) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (line.rfind("content-length:", 0) == 0) length = std::strtoul(line.c_str() + 15, nullptr, 10);
        at = eol + 2;
      }
    }
    if (data.size() >= header_end + 4 + length) {
      *body = data.substr(header_end + 4, length);
      return true;
    }
  }
}

}  // namespace

WebhookReceiver::~WebhookReceiver() { Stop(); }

bool WebhookReceiver::Start(uint16_t port) {
  stopping_.store(false);
  fd_ = Listen(port, &port_);
  if (fd_ < 0) return false;
  thread_ = std::thread([this] { Serve(); });
  return true;
}

void WebhookReceiver::Stop() {
  stopping_.store(true);
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

void WebhookReceiver::Serve() {
  while (!stopping_.load()) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    const int client = accept(fd_, nullptr, nullptr);
    if (client < 0) continue;
    std::string body;
    if (ReadRequest(client, &body)) {
      const int status = status_.load();
      if (status >= 200 && status < 300) {
        std::lock_guard<std::mutex> lock(mu_);
        bodies_.push_back(body);
        cv_.notify_all();
      }
      const std::string reply = "HTTP/1.1 " + std::to_string(status) +
                                " Test\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      (void)!write(client, reply.data(), reply.size());
    }
    close(client);
  }
}

std::vector<std::string> WebhookReceiver::Bodies() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bodies_;
}

bool WebhookReceiver::WaitFor(size_t n, int timeout_ms) const {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return bodies_.size() >= n; });
}

uint16_t FreePort() {
  // Below the kernel's ephemeral range: a port from it (bind to 0) may be
  // handed to another process's connection or `--listen 127.0.0.1:0`
  // server (other tests under ctest -j) before the test uses it, as
  // tests/clickhouse/cluster.sh explains. Here only another test's random
  // pick can collide, and binding checks it is free now.
  int ephemeral_low = 32768;
  if (std::FILE* f = std::fopen("/proc/sys/net/ipv4/ip_local_port_range", "r")) {
    if (std::fscanf(f, "%d", &ephemeral_low) != 1) ephemeral_low = 32768;
    std::fclose(f);
  }
  std::mt19937 rng(std::random_device{}());
  for (int attempt = 0; attempt < 200 && ephemeral_low > 21000; ++attempt) {
    const auto candidate = static_cast<uint16_t>(20000 + rng() % static_cast<unsigned>(ephemeral_low - 20000));
    uint16_t bound = 0;
    const int fd = Listen(candidate, &bound);
    if (fd >= 0) {
      close(fd);
      return bound;
    }
  }
  uint16_t port = 0;  // a machine with an unusual range: any free port
  const int fd = Listen(0, &port);
  if (fd >= 0) close(fd);
  return port;
}

}  // namespace kpi::server::testing
