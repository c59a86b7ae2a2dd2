// A webhook receiver for the alert tests: a blocking HTTP/1.1 server on a
// loopback port that records every request body and answers `status`
// (200 unless told otherwise). Start(port) listens on that port (0: any
// free one), so a test can take a port, leave it closed ("the receiver is
// down"), and start listening on it later.
// Thread safety: every method from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kpi::server::testing {

class WebhookReceiver {
 public:
  ~WebhookReceiver();
  // False when the port cannot be bound.
  bool Start(uint16_t port = 0);
  void Stop();
  uint16_t port() const { return port_; }
  void set_status(int status) { status_.store(status); }

  std::vector<std::string> Bodies() const;
  // Waits until at least `n` bodies arrived (false after `timeout_ms`).
  bool WaitFor(size_t n, int timeout_ms) const;

 private:
  void Serve();
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<int> status_{200};
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::vector<std::string> bodies_;
  std::thread thread_;
};

// A loopback port that nothing listens on (bound, then closed), below the
// kernel's ephemeral range so no process is handed it meanwhile.
uint16_t FreePort();

}  // namespace kpi::server::testing
