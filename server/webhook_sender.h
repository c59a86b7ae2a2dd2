// WebhookSender: delivers the alert notifications of watches (the store's
// outbox, query/watch/alerts.h) to their webhooks, in the background of
// `kpi serve`.
//
// Per URL, notifications go out one at a time in the order they were made
// (a resolve never overtakes its firing). A failed POST (no connection, no
// reply within `timeout`, a non-2xx status) is retried after `first_backoff`,
// then twice as long each time, at most `max_backoff`; after `give_up_after`
// the notification is dropped and its alert's delivery reads "failed: ...".
// A delivered one leaves the outbox and its alert reads "delivered". The
// outbox is in the store, so notifications made before a restart are sent
// after it. Nothing else ever waits for a webhook: the sender has its own
// thread, and the scheduler only wakes it.
// Over a backend shared by several front ends, only the one running the
// watches sends (`options.active`, the watch scheduler's Leading()): the
// others hold nothing and read the outbox afresh when they take over.
// Counters for /metrics: kpistore_webhook_deliveries_total{result="delivered"|
// "retried"|"dropped"} and the gauge kpistore_webhook_pending.
// Thread safety: Start/Stop from one controlling thread; Wake and
// RenderPrometheus from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "query/catalog/meta_store.h"
#include "query/watch/alerts.h"

namespace kpi::server {

struct WebhookSenderOptions {
  std::chrono::milliseconds timeout{5000};
  std::chrono::milliseconds first_backoff{1000};
  std::chrono::milliseconds max_backoff{300000};
  std::chrono::milliseconds give_up_after{std::chrono::hours(24)};
  std::function<bool()> active;  // null: always; else send only while it says true (call Wake when it changes)
};

class WebhookSender {
 public:
  // `meta`: where the outbox and alerts live (the local store converts).
  // `alert_mu`: the lock the watch scheduler holds while it writes alerts.
  WebhookSender(query::MetaWriter meta, std::mutex* alert_mu, WebhookSenderOptions options);
  ~WebhookSender();  // Stop()s
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  void Start();
  void Stop();
  // New deliveries are in the store: read them.
  void Wake();

  std::string RenderPrometheus() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Pending {
    query::Delivery delivery;
    int attempts = 0;
    Clock::time_point first, next;
    std::string last_error;
  };

  void Loop();
  void Reload();
  // Attempts the oldest pending delivery of every URL that is due.
  void SendDue();
  void Finish(const std::string& key, const std::string& outcome);

  query::MetaWriter meta_;
  std::mutex* alert_mu_;
  WebhookSenderOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool reload_ = true;
  std::map<std::string, Pending> pending_;  // by outbox key: oldest first; GUARDED_BY(mu_)
  std::atomic<uint64_t> delivered_{0}, retried_{0}, dropped_{0};
  std::thread thread_;
};

}  // namespace kpi::server
