// `kpi serve` with TLS in a child process (Serve(), real signals): SIGHUP
// re-reads the certificate and key while clients keep sending requests on
// keep-alive and fresh connections; no request is lost, new connections get
// the new certificate, a broken file keeps the old one, SIGTERM exits 0.
#ifdef KPI_HAVE_TLS  // without OpenSSL, tls_server_test.cc checks that TLS says so
#include "server/serve.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "storage/store.h"
#include "test_util.h"
#include "../forked_server.h"
#include "tls_test_util.h"

namespace kpi::server {
namespace {

using testing::TlsClient;
using testing::TlsClientOptions;
using testing::TlsReply;

const std::string kHealth = "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n";
const std::string kMetrics = "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n";

// Puts `cert`/`key` in place of the served files, each by an atomic rename.
void Install(const std::string& cert, const std::string& key, const std::string& dir) {
  std::string cmd = "cp " + cert + " " + dir + "/next.pem && cp " + key + " " + dir + "/next.key && mv " + dir +
                    "/next.key " + dir + "/live.key && mv " + dir + "/next.pem " + dir + "/live.pem";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
}

TEST(TlsReloadTest, SighupReloadsTheCertificateUnderLoadWithoutLosingARequest) {
  kpi::testing::ScratchDir dir("kpi-tls-reload");
  testing::TestPki pki;
  std::string error;
  ASSERT_TRUE(testing::MakeTestPki(dir.path(), &pki, &error)) << error;
  Install(pki.server_cert, pki.server_key, dir.path());

  testing::ForkedServer server = testing::ForkServe(
      dir.path() + "/db",
      [&](ServeOptions* options) {
        options->tls_cert_file = dir.path() + "/live.pem";
        options->tls_key_file = dir.path() + "/live.key";
        options->io_threads = 2;
        // Four loopback clients loop as fast as they can: on a quiet machine
        // the keep-alive ones pass the per-address rate limit (10,000/s),
        // whose 429 is not what this test is about (client_limits_test
        // covers it).
        options->rate_limit = 0;
      },
      "listening on https://127.0.0.1:%d");
  ASSERT_GE(server.pid, 0);
  const pid_t child = server.pid;
  const int port = server.port;
  std::FILE* log = server.log;
  char line[512];
  ASSERT_GT(port, 0);

  TlsClientOptions trusting;
  trusting.ca_file = pki.ca;
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> clients;
  // Two clients on one keep-alive connection each (opened before any
  // reload: they must survive all of them), two opening a connection per
  // request (they meet every certificate).
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      std::string err;
      std::unique_ptr<TlsClient> conn;
      while (!stop.load()) {
        if (!conn || c >= 2) conn = TlsClient::Connect(static_cast<uint16_t>(port), trusting, &err);
        TlsReply reply;
        if (conn && conn->Exchange(c % 2 == 0 ? kHealth : kMetrics, &reply) && reply.status == 200) {
          ++ok;
        } else {
          ++failed;
          ADD_FAILURE() << "client " << c << ": " << (conn ? "request failed, status " + std::to_string(reply.status) + ": " + conn->LastError()
                                                             : "connect failed: " + err);
          conn.reset();
          if (failed.load() > 5) return;
        }
      }
    });
  }
  for (int round = 0; round < 6; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    if (round % 2 == 0) {
      Install(pki.server2_cert, pki.server2_key, dir.path());
    } else {
      Install(pki.server_cert, pki.server_key, dir.path());
    }
    ASSERT_EQ(kill(child, SIGHUP), 0);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  // Rounds 0..5 ended on the first certificate; now switch to the second
  // and check a new connection presents it.
  Install(pki.server2_cert, pki.server2_key, dir.path());
  ASSERT_EQ(kill(child, SIGHUP), 0);
  std::string err;
  std::string cn;
  // The reload is asynchronous: poll (a guard of a minute, not a plan).
  for (const auto guard = std::chrono::steady_clock::now() + std::chrono::minutes(1);
       cn != "localhost-2" && std::chrono::steady_clock::now() < guard;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto probe = TlsClient::Connect(static_cast<uint16_t>(port), trusting, &err);
    ASSERT_NE(probe, nullptr) << err;
    cn = probe->PeerCommonName();
  }
  EXPECT_EQ(cn, "localhost-2");
  // A broken certificate file: the reload fails, the server keeps serving the last good one.
  ASSERT_EQ(std::system(("echo garbage > " + dir.path() + "/live.pem").c_str()), 0);
  ASSERT_EQ(kill(child, SIGHUP), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto after = TlsClient::Connect(static_cast<uint16_t>(port), trusting, &err);
  ASSERT_NE(after, nullptr) << err;
  EXPECT_EQ(after->PeerCommonName(), "localhost-2");
  // Enough requests to mean something, however slow the machine: the
  // clients go on until then (a guard of two minutes).
  for (const auto guard = std::chrono::steady_clock::now() + std::chrono::minutes(2);
       ok.load() <= 100 && failed.load() == 0 && std::chrono::steady_clock::now() < guard;)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  stop.store(true);
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_GT(ok.load(), 100);

  ASSERT_EQ(kill(child, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  std::string rest;
  while (std::fgets(line, sizeof line, log) != nullptr) rest += line;
  std::fclose(log);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << rest;
  EXPECT_NE(rest.find("TLS certificate reloaded"), std::string::npos) << rest;
  EXPECT_NE(rest.find("TLS reload failed, keeping the current certificate"), std::string::npos) << rest;
}

TEST(TlsReloadTest, ServeRefusesHalfATlsConfigurationAndAMismatchedKey) {
  kpi::testing::ScratchDir dir("kpi-tls-serve");
  testing::TestPki pki;
  std::string error;
  ASSERT_TRUE(testing::MakeTestPki(dir.path(), &pki, &error)) << error;
  std::unique_ptr<storage::Store> store;
  storage::StoreOptions store_options;
  store_options.sync = false;
  ASSERT_TRUE(storage::Store::Open(dir.path() + "/db", store_options, &store).ok());
  std::FILE* log = std::tmpfile();
  ServeOptions options;
  options.log = log;
  options.listen = "127.0.0.1:0";
  options.tls_cert_file = pki.server_cert;  // no key
  EXPECT_EQ(Serve(store.get(), options), 2);
  options.tls_key_file = pki.expired_key;  // not this certificate's key
  EXPECT_EQ(Serve(store.get(), options), 2);
  std::rewind(log);
  std::string text;
  char line[512];
  while (std::fgets(line, sizeof line, log) != nullptr) text += line;
  std::fclose(log);
  EXPECT_NE(text.find("TLS needs both --tls-cert and --tls-key"), std::string::npos) << text;
  EXPECT_NE(text.find("does not match"), std::string::npos) << text;
}

}  // namespace
}  // namespace kpi::server

#endif  // KPI_HAVE_TLS
