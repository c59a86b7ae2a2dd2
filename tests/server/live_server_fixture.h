// A fixture that runs the real HttpServer over a scratch store on an
// ephemeral loopback port. Tests set options_ / limits_ first, then call
// StartServer (any QueryRunner) or StartCounting (CountEventsRunner).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <utility>

#include "server/http_server.h"
#include "server/metrics.h"
#include "server/router.h"
#include "server_test_util.h"

namespace kpi::server::testing {

class LiveServerTest : public ::testing::Test {
 protected:
  void StartServer(QueryRunner runner, const TokenTable* tokens = nullptr) {
    router_ = std::make_unique<Router>(std::move(runner), scratch_.store.get(), tokens, &metrics_, limits_);
    options_.listen = "127.0.0.1:0";
    server_ = std::make_unique<HttpServer>(router_.get(), &metrics_, options_);
    Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
    port_ = server_->tcp_port();
    ASSERT_NE(port_, 0);
  }
  // Stops before any member of a derived fixture (a token table, say) goes.
  void TearDown() override {
    if (server_) server_->Stop();
  }
  void StartCounting(const TokenTable* tokens = nullptr) {
    StartServer(CountEventsRunner(scratch_.store.get()), tokens);
  }

  ScratchStore scratch_;
  Metrics metrics_;
  RouterLimits limits_;
  HttpServerOptions options_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
};

}  // namespace kpi::server::testing
