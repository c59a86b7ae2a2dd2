// ClientLimits: who may hold a connection slot and how fast each client
// (one remote address; all Unix-socket clients are one client) may send
// requests. Plain bookkeeping, no sockets: the HTTP server asks and acts.
//
// A connection is either *waiting* (accepted, or between keep-alive
// requests: no complete request header yet) or *active* (a request header
// arrived; until its response is written). Only active connections hold a
// slot:
//   * at most max_active active connections in all (past it: 503) and
//     max_active_per_client per client (past it: 429);
//   * waiting connections cost a socket and nothing else; past
//     max_waiting_per_client the client's oldest waiting connection is
//     evicted, past max_waiting the oldest of anyone's. So 1,000 idle
//     sockets from one address push out each other, not other clients, and
//     a new connection always gets in;
//   * each client has a token bucket of requests: `rate` per second, up to
//     `burst` at once (past it: 429 with Retry-After). rate 0 disables it.
// Client entries with no connection and a full bucket are forgotten, so the
// table stays as small as the set of recent clients.
// Thread safety: every method locks; callable from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace kpi::server {

struct ClientLimitOptions {
  int max_active = 256;             // connections with a request in progress, all clients
  int max_active_per_client = 64;   // ... per client
  int max_waiting = 1024;           // connections without a request yet, all clients
  int max_waiting_per_client = 128;  // ... per client
  double rate = 10000;              // requests per second per client; 0: unlimited
  double burst = 20000;             // bucket size
};

class ClientLimits {
 public:
  using Clock = std::chrono::steady_clock;
  using ConnId = uint64_t;

  enum class Admit { kOk, kServerBusy, kClientBusy, kRateLimited };

  explicit ClientLimits(ClientLimitOptions options) : options_(options) {}

  // Connection `id` of `client` waits for a request (new, or after a
  // response). Returns the waiting connections to evict (close), oldest
  // first; may include `id` itself only when the caps are 0.
  std::vector<ConnId> Waiting(ConnId id, const std::string& client);
  // A request header arrived on `id`: it stops waiting and, if admitted,
  // holds an active slot until Done(). Not admitted: no slot is held.
  Admit Request(ConnId id, const std::string& client, Clock::time_point now = Clock::now());
  // The request on `id` was answered (releases the active slot).
  void Done(ConnId id, const std::string& client);
  // The connection closed (releases whatever it held).
  void Closed(ConnId id, const std::string& client);

  // Seconds until the client's bucket holds a token again (for Retry-After).
  int RetryAfterSeconds() const;

  int active() const;
  int waiting() const;
  size_t clients() const;

 private:
  struct Client {
    int active = 0;
    std::list<ConnId> waiting;  // oldest first
    double tokens = 0;
    Clock::time_point refilled{};
  };
  struct Conn {
    std::string client;
    bool active = false;
    std::list<ConnId>::iterator in_client;  // valid while waiting
    std::list<ConnId>::iterator in_all;     // valid while waiting
    bool is_waiting = false;
  };
  void StopWaiting(Conn& conn, Client& c);
  void MaybeForget(const std::string& client, Clock::time_point now);

  const ClientLimitOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Client> clients_;
  std::unordered_map<ConnId, Conn> conns_;
  std::list<ConnId> waiting_all_;  // oldest first
  int active_ = 0;
  uint64_t calls_ = 0;
};

}  // namespace kpi::server
