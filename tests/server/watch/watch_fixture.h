// The fixture of the watch tests: a scratch store with the real engine, a
// WatchScheduler and a WebhookSender wired as `kpi serve` wires them
// (server/serve.cc), with short ticks and retries so that tests take seconds.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "query/engine.h"
#include "server/watch_scheduler.h"
#include "server/webhook_sender.h"
#include "server/server_test_util.h"
#include "storage/timestamp.h"

namespace kpi::server::testing {

class WatchFixture : public ::testing::Test {
 protected:
  void SetUp() override { engine_ = std::make_unique<query::Engine>(scratch_.store.get()); }
  void TearDown() override { StopWatches(); }

  // A runner over the engine; `wrap` may stand in front of it (slow runs).
  QueryRunner EngineRunner() {
    return [this](std::string_view text, const query::ExecOptions& o, query::Result* r, query::QueryError* e) {
      return engine_->Execute(text, o, r, e);
    };
  }

  void StartWatches(QueryRunner runner = nullptr) {
    WebhookSenderOptions webhook;
    webhook.timeout = std::chrono::milliseconds(300);
    webhook.first_backoff = std::chrono::milliseconds(100);
    webhook.max_backoff = std::chrono::milliseconds(400);
    sender_ = std::make_unique<WebhookSender>(scratch_.store.get(), &alert_mu_, webhook);
    WatchSchedulerOptions options;
    options.tick = std::chrono::milliseconds(50);
    scheduler_ = std::make_unique<WatchScheduler>(scratch_.store.get(), runner ? runner : EngineRunner(),
                                                  sender_.get(), &alert_mu_, options);
    sender_->Start();
    scheduler_->Start();
  }
  void StopWatches() {
    if (scheduler_) scheduler_->Stop();
    if (sender_) sender_->Stop();
    scheduler_.reset();
    sender_.reset();
  }

  // Events: {ts, ticket, event, channel or ""}.
  void Ingest(const std::vector<std::vector<std::string>>& events) {
    std::vector<RawEvent> raw;
    for (const auto& e : events) {
      RawEvent r;
      std::string why;
      ASSERT_TRUE(ParseRfc3339(e[0], &r.ts_ms, &why)) << why;
      r.ticket = e[1];
      r.event = e[2];
      if (e.size() > 3 && !e[3].empty()) r.dims.emplace_back("channel", e[3]);
      raw.push_back(std::move(r));
    }
    std::vector<storage::EventReject> rejects;
    storage::IngestStats stats;
    ASSERT_TRUE(scratch_.store->Ingest(raw, &rejects, &stats).ok());
  }

  query::Result Run(const std::string& text) {
    query::Result r;
    query::QueryError e;
    const Status s = engine_->Execute(text, query::ExecOptions{}, &r, &e);
    EXPECT_TRUE(s.ok()) << text << "\n" << e.ToString();
    return r;
  }

  // The watch's state as the scheduler holds it.
  query::WatchState State(const std::string& watch) const {
    for (const auto& w : scheduler_->Stats())
      if (w.name == watch) return w.state;
    return {};
  }

  static bool WaitUntil(const std::function<bool()>& done, int timeout_ms) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < until) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return done();
  }

  ScratchStore scratch_;
  std::unique_ptr<query::Engine> engine_;
  std::mutex alert_mu_;
  std::unique_ptr<WebhookSender> sender_;
  std::unique_ptr<WatchScheduler> scheduler_;
};

}  // namespace kpi::server::testing
