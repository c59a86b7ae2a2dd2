// Connection slots and request rates per client (see server/client_limits.h).
#include "server/client_limits.h"

#include <algorithm>
#include <cmath>

namespace kpi::server {

namespace {
constexpr size_t kSweepEvery = 1024;  // calls between sweeps of forgettable clients
}

void ClientLimits::StopWaiting(Conn& conn, Client& c) {
  if (!conn.is_waiting) return;
  c.waiting.erase(conn.in_client);
  waiting_all_.erase(conn.in_all);
  conn.is_waiting = false;
}

std::vector<ClientLimits::ConnId> ClientLimits::Waiting(ConnId id, const std::string& client) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ConnId> evict;
  if (++calls_ % kSweepEvery == 0) {
    // Clients that left owing tokens are forgotten once their bucket is full.
    Clock::time_point now = Clock::now();
    std::vector<std::string> names;
    for (auto& [name, other] : clients_) names.push_back(name);
    for (const std::string& name : names) MaybeForget(name, now);
  }
  auto [cit, fresh] = clients_.try_emplace(client);
  Client& c = cit->second;
  if (fresh) {
    c.tokens = options_.burst;
    c.refilled = Clock::now();
  }
  Conn& conn = conns_[id];
  conn.client = client;
  if (conn.active) {
    conn.active = false;
    --c.active;
    --active_;
  }
  if (!conn.is_waiting) {
    c.waiting.push_back(id);
    conn.in_client = std::prev(c.waiting.end());
    waiting_all_.push_back(id);
    conn.in_all = std::prev(waiting_all_.end());
    conn.is_waiting = true;
  }
  auto evict_front = [&](std::list<ConnId>& from) {
    ConnId victim = from.front();
    Conn& v = conns_[victim];
    StopWaiting(v, clients_[v.client]);
    evict.push_back(victim);
  };
  while (static_cast<int>(c.waiting.size()) > std::max(options_.max_waiting_per_client, 0)) evict_front(c.waiting);
  while (static_cast<int>(waiting_all_.size()) > std::max(options_.max_waiting, 0)) evict_front(waiting_all_);
  return evict;
}

ClientLimits::Admit ClientLimits::Request(ConnId id, const std::string& client, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [cit, fresh] = clients_.try_emplace(client);
  Client& c = cit->second;
  if (fresh) {
    c.tokens = options_.burst;
    c.refilled = now;
  }
  auto it = conns_.find(id);
  if (it == conns_.end()) {
    it = conns_.emplace(id, Conn{}).first;
    it->second.client = client;
  }
  Conn& conn = it->second;
  StopWaiting(conn, c);
  if (conn.active) return Admit::kOk;  // already holds its slot
  if (options_.rate > 0) {
    double elapsed = std::chrono::duration<double>(now - c.refilled).count();
    if (elapsed > 0) {
      c.tokens = std::min(options_.burst, c.tokens + elapsed * options_.rate);
      c.refilled = now;
    }
    if (c.tokens < 1) return Admit::kRateLimited;
  }
  if (active_ >= options_.max_active) return Admit::kServerBusy;
  if (c.active >= options_.max_active_per_client) return Admit::kClientBusy;
  if (options_.rate > 0) c.tokens -= 1;
  conn.active = true;
  ++c.active;
  ++active_;
  return Admit::kOk;
}

void ClientLimits::Done(ConnId id, const std::string& client) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = conns_.find(id);
  if (it == conns_.end() || !it->second.active) return;
  it->second.active = false;
  --clients_[client].active;
  --active_;
}

void ClientLimits::Closed(ConnId id, const std::string& client) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  auto cit = clients_.find(client);
  if (cit != clients_.end()) {
    StopWaiting(it->second, cit->second);
    if (it->second.active) {
      --cit->second.active;
      --active_;
    }
  }
  conns_.erase(it);
  MaybeForget(client, Clock::now());
}

void ClientLimits::MaybeForget(const std::string& client, Clock::time_point now) {
  auto it = clients_.find(client);
  if (it == clients_.end()) return;
  const Client& c = it->second;
  if (c.active > 0 || !c.waiting.empty()) return;
  if (options_.rate > 0) {
    double elapsed = std::chrono::duration<double>(now - c.refilled).count();
    if (c.tokens + elapsed * options_.rate < options_.burst) return;  // still owes: keep its bucket
  }
  clients_.erase(it);
}

int ClientLimits::RetryAfterSeconds() const {
  if (options_.rate <= 0) return 1;
  return std::max(1, static_cast<int>(std::ceil(1.0 / options_.rate)));
}

int ClientLimits::active() const {
  std::lock_guard<std::mutex> lock(mu_);
  return active_;
}

int ClientLimits::waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(waiting_all_.size());
}

size_t ClientLimits::clients() const {
  std::lock_guard<std::mutex> lock(mu_);
  return clients_.size();
}

}  // namespace kpi::server
