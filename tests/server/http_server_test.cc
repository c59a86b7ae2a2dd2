// The Beast server over real loopback sockets: routing end to end, limits,
// malformed HTTP, slow clients, timeouts, concurrency with ingest, shutdown.
#include "server/http_server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "http_client.h"
#include "live_server_fixture.h"
#include "server/metrics.h"
#include "server/router.h"
#include "server_test_util.h"

namespace kpi::server {
namespace {

using nlohmann::json;
using testing::Connection;
using testing::EventLines;
using testing::Fetch;
using testing::HttpReply;

class HttpServerTest : public testing::LiveServerTest {
 protected:
  double CountOver(uint16_t port) {
    HttpReply r = Fetch(port, "GET", "/v1/query?q=select%20count()%20from%20events");
    if (r.status != 200) return -1;
    return json::parse(r.body)["rows"][0][0].get<double>();
  }
};

TEST_F(HttpServerTest, HealthAndUnknownPath) {
  StartCounting();
  HttpReply r = Fetch(port_, "GET", "/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["status"], "ok");
  EXPECT_EQ(r.headers["content-type"], "application/json");
  r = Fetch(port_, "GET", "/nowhere");
  EXPECT_EQ(r.status, 404);
  r = Fetch(port_, "PATCH", "/v1/query");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers["allow"], "GET, POST");
}

TEST_F(HttpServerTest, IngestThenQuery) {
  StartCounting();
  HttpReply r = Fetch(port_, "POST", "/v1/events", EventLines(1, 250) + "not json\n",
                      "Content-Type: application/x-ndjson\r\n");
  ASSERT_EQ(r.status, 200) << r.body;
  json doc = json::parse(r.body);
  EXPECT_EQ(doc["accepted"], 250);
  EXPECT_EQ(doc["rejected"][0]["line"], 251);
  EXPECT_EQ(CountOver(port_), 250);
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequests) {
  StartCounting();
  Connection c = Connection::Tcp(port_);
  ASSERT_TRUE(c.ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.Send(testing::BuildRequest("GET", "/health", "", "", /*keep_alive=*/true)));
    HttpReply r;
    ASSERT_TRUE(c.Read(&r)) << i;
    EXPECT_EQ(r.status, 200);
  }
}

// Bodies of megabytes arrive in many reads (each at most the session's read
// chunk); several on one keep-alive connection, from concurrent clients over
// the write threads, must each land whole and be counted once.
TEST_F(HttpServerTest, LargeUploadsFromConcurrentKeepAliveClients) {
  options_.write_threads = 2;
  StartCounting();
  constexpr int kClients = 3, kUploads = 2, kEvents = 12000;  // ~1.3 MB per upload
  std::vector<std::thread> clients;
  std::atomic<int> accepted{0}, failures{0};
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      Connection conn = Connection::Tcp(port_);
      if (!conn.ok()) {
        failures++;
        return;
      }
      for (int u = 0; u < kUploads; ++u) {
        const std::string body = EventLines(1 + (c * kUploads + u) * kEvents, kEvents);
        HttpReply r;
        if (!conn.Send(testing::BuildRequest("POST", "/v1/events", body, "", /*keep_alive=*/true)) || !conn.Read(&r) ||
            r.status != 200) {
          failures++;
          return;
        }
        accepted += json::parse(r.body)["accepted"].get<int>();
      }
      // The connection still serves a small request after the big ones.
      HttpReply r;
      if (!conn.Send(testing::BuildRequest("GET", "/health", "", "", /*keep_alive=*/true)) || !conn.Read(&r) ||
          r.status != 200)
        failures++;
    });
  }
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(accepted, kClients * kUploads * kEvents);
  EXPECT_EQ(CountOver(port_), kClients * kUploads * kEvents);
}

TEST_F(HttpServerTest, ExpectContinue) {
  StartCounting();
  Connection c = Connection::Tcp(port_);
  std::string body = EventLines(1, 5);
  ASSERT_TRUE(c.Send("POST /v1/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\nExpect: 100-continue\r\n"
                     "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n"));
  HttpReply interim;
  // The interim 100 arrives before the body is sent; Read() skips it, so send the body first.
  ASSERT_TRUE(c.Send(body));
  ASSERT_TRUE(c.Read(&interim));
  EXPECT_EQ(interim.status, 200);
  EXPECT_EQ(json::parse(interim.body)["accepted"], 5);
}

TEST_F(HttpServerTest, MalformedHttpGets400AndClose) {
  StartCounting();
  for (const char* raw : {"GARBAGE\r\n\r\n", "GET /health HTTP/9.9\r\n\r\n", "GET /health HTTP/1.1\r\nBad Header\r\n\r\n",
                          "POST /v1/query HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
                          "POST /v1/query HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
    Connection c = Connection::Tcp(port_);
    ASSERT_TRUE(c.Send(raw));
    HttpReply r;
    ASSERT_TRUE(c.Read(&r)) << raw;
    EXPECT_EQ(r.status, 400) << raw;
    EXPECT_TRUE(c.WaitClosed(10000)) << raw;
  }
  EXPECT_EQ(Fetch(port_, "GET", "/health").status, 200);  // still serving
}

TEST_F(HttpServerTest, OversizedBodyGets413) {
  options_.max_body_bytes = 1000;
  limits_.max_body_bytes = 1000;
  StartCounting();
  // Declared too large: refused from the headers alone.
  Connection c = Connection::Tcp(port_);
  ASSERT_TRUE(c.Send("POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n"));
  HttpReply r;
  ASSERT_TRUE(c.Read(&r));
  EXPECT_EQ(r.status, 413);
  // Chunked, growing past the limit.
  Connection d = Connection::Tcp(port_);
  std::string chunk(800, 'x');
  ASSERT_TRUE(d.Send("POST /v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n320\r\n" + chunk +
                     "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n"));
  ASSERT_TRUE(d.Read(&r));
  EXPECT_EQ(r.status, 413);
  storage::StoreInfo info;
  ASSERT_TRUE(scratch_.store->GetInfo(&info).ok());
  EXPECT_EQ(info.events, 0u);
}

TEST_F(HttpServerTest, HugeHeadersGet431) {
  StartCounting();
  Connection c = Connection::Tcp(port_);
  ASSERT_TRUE(c.Send("GET /health HTTP/1.1\r\nX-Big: " + std::string(100000, 'a') + "\r\n\r\n"));
  HttpReply r;
  ASSERT_TRUE(c.Read(&r));
  EXPECT_EQ(r.status, 431);
}

TEST_F(HttpServerTest, SlowClientIsDisconnected) {
  options_.header_timeout = std::chrono::milliseconds(200);
  StartCounting();
  Connection slow = Connection::Tcp(port_);
  ASSERT_TRUE(slow.Send("GET /health HTTP/1.1\r\nHost: x\r\n"));  // never finishes its headers
  EXPECT_TRUE(slow.WaitClosed(20000));
  Connection idle = Connection::Tcp(port_);  // sends nothing at all
  EXPECT_TRUE(idle.WaitClosed(20000));
  EXPECT_EQ(Fetch(port_, "GET", "/health").status, 200);
}

TEST_F(HttpServerTest, QueryPastItsDeadlineGets504) {
  limits_.query_timeout = std::chrono::milliseconds(50);
  // A runner that works until the deadline, as the engine does for a long scan.
  StartServer([](std::string_view, const query::ExecOptions& o, query::Result*, query::QueryError*) {
    while (std::chrono::steady_clock::now() < o.deadline) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return Status::TimedOut("query exceeded its 50 ms deadline");
  });
  HttpReply r = Fetch(port_, "GET", "/v1/query?q=slow");
  EXPECT_EQ(r.status, 504);
  EXPECT_NE(r.body.find("deadline"), std::string::npos);
}

// Slots are held by requests in progress, not by open connections: with two
// uploads being read, a third request gets 503; idle connections count for
// nothing.
TEST_F(HttpServerTest, ConnectionCapGives503) {
  options_.clients.max_active = 2;
  options_.clients.max_active_per_client = 2;
  StartCounting();
  Connection idle = Connection::Tcp(port_);
  ASSERT_TRUE(idle.ok());
  std::vector<Connection> uploads;
  for (int i = 0; i < 2; ++i) {
    uploads.push_back(Connection::Tcp(port_));
    ASSERT_TRUE(uploads.back().Send("POST /v1/events HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                                    "Content-Length: 1000\r\n\r\n"));
    HttpReply interim;
    ASSERT_TRUE(uploads.back().Read(&interim, 20000, /*skip_interim=*/false));
    ASSERT_EQ(interim.status, 100);  // admitted: holds a slot while its body is read
  }
  HttpReply third = Fetch(port_, "GET", "/health");
  EXPECT_EQ(third.status, 503);
  uploads.clear();  // slots free again
  for (int i = 0; i < 100; ++i) {
    if (Fetch(port_, "GET", "/health").status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(Fetch(port_, "GET", "/health").status, 200);
}

TEST_F(HttpServerTest, UnixSocketIsTrustedWithoutTokens) {
  options_.socket_path = scratch_.dir.path() + "/kpi.sock";
  StartCounting();
  Connection c = Connection::Unix(options_.socket_path);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.Send(testing::BuildRequest("GET", "/v1/query?q=x")));
  HttpReply r;
  ASSERT_TRUE(c.Read(&r));
  EXPECT_EQ(r.status, 200);
  // Loopback TCP is trusted too.
  EXPECT_EQ(Fetch(port_, "GET", "/v1/query?q=x").status, 200);
  server_->Stop();
  EXPECT_NE(access(options_.socket_path.c_str(), F_OK), 0);  // removed on stop
}

TEST_F(HttpServerTest, BearerTokensOverTheWire) {
  TokenTable tokens;
  ASSERT_TRUE(TokenTable::Parse("reader-secret-1 read\n", &tokens).ok());
  StartServer(testing::CountEventsRunner(scratch_.store.get()), &tokens);
  HttpReply r = Fetch(port_, "GET", "/v1/query?q=x");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.headers["www-authenticate"].rfind("Bearer", 0), 0u);
  EXPECT_EQ(Fetch(port_, "GET", "/v1/query?q=x", "", "Authorization: Bearer reader-secret-1\r\n").status, 200);
  EXPECT_EQ(Fetch(port_, "POST", "/v1/events", EventLines(1, 1), "Authorization: Bearer reader-secret-1\r\n").status,
            403);
}

// 50 clients query while another posts batches: every count must be a batch
// boundary (a seal is atomic) and the last one must see every batch.
TEST_F(HttpServerTest, ConcurrentQueriesSeeWholeBatches) {
  options_.clients.max_active = 200;
  options_.clients.max_active_per_client = 200;  // 50 clients, one address
  options_.worker_threads = 4;
  StartCounting();
  constexpr int kBatches = 8, kBatchSize = 200, kClients = 50, kQueriesEach = 6;
  std::atomic<bool> ingest_done{false};
  std::atomic<int> bad_answers{0}, answers{0};
  std::thread writer([&] {
    for (int b = 0; b < kBatches; ++b) {
      HttpReply r = Fetch(port_, "POST", "/v1/events", EventLines(b * kBatchSize, kBatchSize));
      EXPECT_EQ(r.status, 200) << r.body;
    }
    ingest_done = true;
  });
  std::vector<std::thread> clients;
  std::mutex seen_mu;
  std::set<double> seen;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&] {
      for (int q = 0; q < kQueriesEach; ++q) {
        double n = CountOver(port_);
        answers++;
        long whole = static_cast<long>(n);
        if (n < 0 || whole != n || whole % kBatchSize != 0 || whole > kBatches * kBatchSize) bad_answers++;
        std::lock_guard<std::mutex> lock(seen_mu);
        seen.insert(n);
      }
    });
  }
  for (auto& t : clients) t.join();
  writer.join();
  EXPECT_EQ(answers.load(), kClients * kQueriesEach);
  EXPECT_EQ(bad_answers.load(), 0) << "some count was not a batch boundary";
  EXPECT_EQ(CountOver(port_), kBatches * kBatchSize);  // nothing lost
}

// Stop() with a request in flight: the request is answered, then the server
// stops; a connection opened afterwards is refused.
TEST_F(HttpServerTest, StopFinishesInFlightRequests) {
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false, release = false;
  StartServer([&](std::string_view, const query::ExecOptions&, query::Result* r, query::QueryError*) {
    std::unique_lock<std::mutex> lock(mu);
    entered = true;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
    r->columns = {{"done", query::ValueType::kBool}};
    r->rows = {{query::Value::Bool(true)}};
    return Status::OK();
  });
  Connection idle = Connection::Tcp(port_);  // idle keep-alive client: closed by Stop
  HttpReply in_flight;
  std::thread client([&] { in_flight = Fetch(port_, "GET", "/v1/query?q=x"); });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return entered; });
  }
  std::thread stopper([&] { server_->Stop(); });
  EXPECT_TRUE(idle.WaitClosed(20000));
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
    cv.notify_all();
  }
  client.join();
  stopper.join();
  EXPECT_EQ(in_flight.status, 200);
  EXPECT_EQ(json::parse(in_flight.body)["rows"][0][0], true);
  EXPECT_FALSE(Connection::Tcp(port_).ok());
}

TEST(SplitHostPortTest, Forms) {
  std::string host;
  uint16_t port = 0;
  ASSERT_TRUE(SplitHostPort("127.0.0.1:7070", &host, &port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 7070);
  ASSERT_TRUE(SplitHostPort("[::1]:80", &host, &port));
  EXPECT_EQ(host, "::1");
  ASSERT_TRUE(SplitHostPort(":0", &host, &port));
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_FALSE(SplitHostPort("localhost", &host, &port));
  EXPECT_FALSE(SplitHostPort("::1:80", &host, &port));
  EXPECT_FALSE(SplitHostPort("h:70000", &host, &port));
  EXPECT_FALSE(SplitHostPort("h:", &host, &port));
}

}  // namespace
}  // namespace kpi::server
