// Delivering watch notifications (see server/webhook_sender.h).
#include "server/webhook_sender.h"

#include <cstdio>
#include <set>
#include <vector>

#include "server/webhook_client.h"

namespace kpi::server {

WebhookSender::WebhookSender(query::MetaWriter meta, std::mutex* alert_mu, WebhookSenderOptions options)
    : meta_(std::move(meta)), alert_mu_(alert_mu), options_(std::move(options)) {}

WebhookSender::~WebhookSender() { Stop(); }

void WebhookSender::Start() { thread_ = std::thread([this] { Loop(); }); }

void WebhookSender::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WebhookSender::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    reload_ = true;
  }
  cv_.notify_all();
}

void WebhookSender::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    const bool active = !options_.active || options_.active();  // not under mu_: it takes the scheduler's lock
    lock.lock();
    if (!active) {  // standing by: forget, and read the outbox when active again
      pending_.clear();
      reload_ = false;
      cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_ || reload_; });
      reload_ = true;
      continue;
    }
    if (reload_) {
      reload_ = false;
      lock.unlock();
      Reload();
      lock.lock();
    }
    lock.unlock();
    SendDue();
    lock.lock();
    // Sleep until the next retry is due (at most a second), or a wake.
    Clock::time_point until = Clock::now() + std::chrono::seconds(1);
    for (const auto& [key, p] : pending_) until = std::min(until, p.next);
    cv_.wait_until(lock, until, [this] { return stopping_ || reload_; });
  }
}

void WebhookSender::Reload() {
  std::vector<query::Delivery> stored;
  if (!query::LoadDeliveries(meta_, &stored).ok()) return;
  const Clock::time_point now = Clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  for (query::Delivery& d : stored) {
    if (pending_.count(d.outbox_key)) continue;  // known: keeps its retry schedule
    Pending p;
    p.first = p.next = now;
    const std::string key = d.outbox_key;
    p.delivery = std::move(d);
    pending_.emplace(key, std::move(p));
  }
}

void WebhookSender::SendDue() {
  // The oldest pending delivery of each URL, if due.
  std::vector<Pending> due;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::set<std::string> urls;
    const Clock::time_point now = Clock::now();
    for (const auto& [key, p] : pending_) {
      if (!urls.insert(p.delivery.url).second) continue;  // an older one to this URL goes first
      if (p.next <= now) due.push_back(p);
    }
  }
  for (Pending& p : due) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
    query::WebhookUrl url;
    std::string why;
    Status sent = query::ParseWebhookUrl(p.delivery.url, &url, &why)
                      ? PostJson(url, p.delivery.body, options_.timeout)
                      : Status::InvalidArgument(why);
    const Clock::time_point now = Clock::now();
    if (sent.ok()) {
      ++delivered_;
      Finish(p.delivery.outbox_key, "delivered");
      continue;
    }
    ++p.attempts;
    if (sent.code() != Status::Code::kInvalidArgument && now - p.first < options_.give_up_after) {
      ++retried_;
      auto backoff = options_.first_backoff;
      for (int i = 1; i < p.attempts && backoff < options_.max_backoff; ++i) backoff *= 2;
      std::lock_guard<std::mutex> lock(mu_);
      auto it = pending_.find(p.delivery.outbox_key);
      if (it != pending_.end()) {
        it->second.attempts = p.attempts;
        it->second.last_error = sent.message();
        it->second.next = now + std::min(backoff, options_.max_backoff);
      }
      continue;
    }
    ++dropped_;
    Finish(p.delivery.outbox_key, "failed: " + sent.message() + " (" + std::to_string(p.attempts) +
                                      (p.attempts == 1 ? " attempt)" : " attempts)"));
  }
}

void WebhookSender::Finish(const std::string& key, const std::string& outcome) {
  query::Delivery d;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = pending_.find(key);
    if (it == pending_.end()) return;
    d = it->second.delivery;
    pending_.erase(it);
  }
  std::lock_guard<std::mutex> alerts(*alert_mu_);
  const Status s = query::FinishDelivery(meta_, d, outcome);
  if (!s.ok()) std::fprintf(stderr, "kpi serve: webhook %s: cannot record the delivery: %s\n", d.url.c_str(),
                            s.ToString().c_str());
}

std::string WebhookSender::RenderPrometheus() const {
  size_t pending = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending = pending_.size();
  }
  std::string out =
      "# HELP kpistore_webhook_deliveries_total Webhook POSTs of watch alerts, by outcome.\n"
      "# TYPE kpistore_webhook_deliveries_total counter\n";
  out += "kpistore_webhook_deliveries_total{result=\"delivered\"} " + std::to_string(delivered_.load()) + "\n";
  out += "kpistore_webhook_deliveries_total{result=\"retried\"} " + std::to_string(retried_.load()) + "\n";
  out += "kpistore_webhook_deliveries_total{result=\"dropped\"} " + std::to_string(dropped_.load()) + "\n";
  out +=
      "# HELP kpistore_webhook_pending Alert notifications waiting to be delivered.\n"
      "# TYPE kpistore_webhook_pending gauge\n";
  out += "kpistore_webhook_pending " + std::to_string(pending) + "\n";
  return out;
}

}  // namespace kpi::server
