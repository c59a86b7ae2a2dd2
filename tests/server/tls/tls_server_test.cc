// HttpServer over TLS, on real sockets and an ephemeral loopback port, with
// certificates made by the test (tls_test_util.h): a client trusting the CA
// gets answers; the server presents the certificate it was given (expired,
// self-signed: the client refuses them); TLS 1.0/1.1 are refused by the
// server; plain HTTP to the TLS port gets 400; a client that never finishes
// its handshake holds no slot and is dropped after the header timeout;
// header-first authentication, body limits and drain behave as over plain
// HTTP; plain HTTP on a non-loopback address needs insecure_http.
#include <gtest/gtest.h>

#include "server/tls_context.h"

#ifndef KPI_HAVE_TLS
// A build without OpenSSL: --tls-cert is refused with a clear message.
TEST(TlsNotCompiledTest, LoadSaysTlsIsNotCompiledIn) {
  std::unique_ptr<kpi::server::TlsContext> tls;
  kpi::Status s = kpi::server::TlsContext::Load("cert.pem", "key.pem", &tls);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("TLS is not compiled into this build"), std::string::npos) << s.message();
  EXPECT_FALSE(kpi::server::TlsContext::Compiled());
}
#else

#include <openssl/ssl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "server/auth.h"
#include "server/http_server.h"
#include "server/metrics.h"
#include "server/router.h"
#include "server/tls_context.h"
#include "storage/store.h"
#include "test_util.h"
#include "tls_test_util.h"

namespace kpi::server {
namespace {

using testing::TestPki;
using testing::TlsClient;
using testing::TlsClientOptions;
using testing::TlsReply;

// Every statement: one row, one number; sleeps `delay` first.
QueryRunner OneRow(std::chrono::milliseconds delay = std::chrono::milliseconds(0)) {
  return [delay](std::string_view, const query::ExecOptions&, query::Result* result, query::QueryError*) {
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
    *result = query::Result();
    result->columns.push_back({"n", query::ValueType::kNumber});
    result->rows.push_back({query::Value::Number(42)});
    return Status::OK();
  };
}

std::string Get(const std::string& target, const std::string& extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" + extra + "\r\n";
}

std::string Query(const std::string& extra = "") {
  const std::string body = "select count() from tickets";
  return "POST /v1/query HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n" + extra + "\r\n" + body;
}

class TlsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(testing::MakeTestPki(pki_dir_.path(), &pki_, &error)) << error;
    storage::StoreOptions store_options;
    store_options.sync = false;
    ASSERT_TRUE(storage::Store::Open(store_dir_.path() + "/db", store_options, &store_).ok());
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  void Start(const std::string& cert, const std::string& key, QueryRunner runner = OneRow(),
             const TokenTable* tokens = nullptr) {
    Status s = TlsContext::Load(cert, key, &tls_);
    ASSERT_TRUE(s.ok()) << s.ToString();
    router_ = std::make_unique<Router>(std::move(runner), store_.get(), tokens, &metrics_, limits_);
    options_.listen = "127.0.0.1:0";
    options_.tls = tls_.get();
    server_ = std::make_unique<HttpServer>(router_.get(), &metrics_, options_);
    s = server_->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
    port_ = server_->tcp_port();
  }

  TlsClientOptions Trusting() const {
    TlsClientOptions o;
    o.ca_file = pki_.ca;
    return o;
  }

  kpi::testing::ScratchDir pki_dir_{"kpi-tls-pki"};
  kpi::testing::ScratchDir store_dir_{"kpi-tls-store"};
  TestPki pki_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<TlsContext> tls_;
  Metrics metrics_;
  RouterLimits limits_;
  HttpServerOptions options_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
};

TEST_F(TlsServerTest, ClientTrustingTheCaGetsAnswersOnOneKeepAliveConnection) {
  Start(pki_.server_cert, pki_.server_key);
  std::string error;
  auto client = TlsClient::Connect(port_, Trusting(), &error);
  ASSERT_NE(client, nullptr) << error;
  EXPECT_EQ(client->PeerCommonName(), "localhost");
  EXPECT_EQ(client->Protocol(), "TLSv1.3");
  for (int i = 0; i < 5; ++i) {
    TlsReply reply;
    ASSERT_TRUE(client->Exchange(Query(), &reply));
    EXPECT_EQ(reply.status, 200) << reply.body;
    EXPECT_NE(reply.body.find("42"), std::string::npos) << reply.body;
    EXPECT_FALSE(reply.close);
  }
  TlsReply health;
  ASSERT_TRUE(client->Exchange(Get("/health"), &health));
  EXPECT_EQ(health.status, 200);
}

TEST_F(TlsServerTest, Tls12IsServedWithAForwardSecretAeadCipher) {
  Start(pki_.server_cert, pki_.server_key);
  TlsClientOptions o = Trusting();
  o.max_version = TLS1_2_VERSION;
  std::string error;
  auto client = TlsClient::Connect(port_, o, &error);
  ASSERT_NE(client, nullptr) << error;
  EXPECT_EQ(client->Protocol(), "TLSv1.2");
  TlsReply reply;
  ASSERT_TRUE(client->Exchange(Query(), &reply));
  EXPECT_EQ(reply.status, 200);
  // A client offering only suites without forward secrecy or AEAD (RSA key
  // exchange, CBC) finds nothing in common.
  for (const char* weak : {"AES128-SHA", "AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA"}) {
    TlsClientOptions w = Trusting();
    w.max_version = TLS1_2_VERSION;
    w.ciphers = weak;
    EXPECT_EQ(TlsClient::Connect(port_, w, &error), nullptr) << weak << " was accepted";
  }
}

TEST_F(TlsServerTest, ServerRefusesTls10AndTls11WithAProtocolVersionAlert) {
  Start(pki_.server_cert, pki_.server_key);
  for (int version : {TLS1_VERSION, TLS1_1_VERSION}) {
    TlsClientOptions o = Trusting();
    o.min_version = version;
    o.max_version = version;
    o.legacy = true;  // the client really offers the old version (OpenSSL 3 refuses it by default)
    std::string error;
    bool alert = false;
    auto client = TlsClient::Connect(port_, o, &error, &alert);
    EXPECT_EQ(client, nullptr) << "version " << version << " was accepted";
    EXPECT_TRUE(alert) << "expected the server's protocol_version alert, got: " << error;
  }
  // The same legacy client allowed 1.2 gets in: the refusal was the version's.
  TlsClientOptions o = Trusting();
  o.min_version = TLS1_VERSION;
  o.max_version = TLS1_2_VERSION;
  o.legacy = true;
  std::string error;
  EXPECT_NE(TlsClient::Connect(port_, o, &error), nullptr) << error;
}

TEST_F(TlsServerTest, ServerPresentsAnExpiredCertificateAndTheClientRefusesIt) {
  Start(pki_.expired_cert, pki_.expired_key);
  EXPECT_NE(tls_->Describe().find("EXPIRED"), std::string::npos) << tls_->Describe();
  std::string error;
  EXPECT_EQ(TlsClient::Connect(port_, Trusting(), &error), nullptr);
  EXPECT_NE(error.find("certificate has expired"), std::string::npos) << error;
  // It is what the server was given: a client that does not verify sees it.
  TlsClientOptions blind;
  blind.verify = false;
  auto client = TlsClient::Connect(port_, blind, &error);
  ASSERT_NE(client, nullptr) << error;
  EXPECT_EQ(client->PeerCommonName(), "localhost");
}

TEST_F(TlsServerTest, ServerPresentsASelfSignedCertificateAndTheClientRefusesIt) {
  Start(pki_.self_cert, pki_.self_key);
  EXPECT_NE(tls_->Describe().find("self-signed"), std::string::npos) << tls_->Describe();
  std::string error;
  EXPECT_EQ(TlsClient::Connect(port_, Trusting(), &error), nullptr);
  EXPECT_NE(error.find("self-signed"), std::string::npos) << error;
}

TEST_F(TlsServerTest, PlainHttpToTheTlsPortGets400AndIsClosed) {
  Start(pki_.server_cert, pki_.server_key);
  int fd = testing::ConnectRaw(port_);
  ASSERT_GE(fd, 0);
  std::string request = Get("/health");
  ASSERT_EQ(write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  bool closed = false;
  std::string answer = testing::ReadUntilClosed(fd, 5000, &closed);
  close(fd);
  EXPECT_TRUE(closed);
  EXPECT_EQ(answer.rfind("HTTP/1.1 400 ", 0), 0u) << answer;
  EXPECT_NE(answer.find("TLS port"), std::string::npos) << answer;
  EXPECT_EQ(answer.find("\"ok\""), std::string::npos) << "the plain request must not be served";
}

TEST_F(TlsServerTest, GarbageInsteadOfAHandshakeIsClosed) {
  Start(pki_.server_cert, pki_.server_key);
  int fd = testing::ConnectRaw(port_);
  ASSERT_GE(fd, 0);
  std::string junk(64, '\x01');
  ASSERT_EQ(write(fd, junk.data(), junk.size()), 64);
  bool closed = false;
  testing::ReadUntilClosed(fd, 5000, &closed);
  close(fd);
  EXPECT_TRUE(closed);
}

TEST_F(TlsServerTest, UnfinishedHandshakesHoldNoSlotAndTimeOutLikeAHeader) {
  options_.header_timeout = std::chrono::milliseconds(500);
  options_.clients.max_active = 1;
  options_.clients.max_active_per_client = 1;
  options_.clients.max_waiting_per_client = 8;
  Start(pki_.server_cert, pki_.server_key);
  // Stalled clients: silent, and one that sent half a ClientHello record.
  std::vector<int> stalled;
  for (int i = 0; i < 4; ++i) stalled.push_back(testing::ConnectRaw(port_));
  const char partial[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01};
  ASSERT_EQ(write(stalled[0], partial, sizeof partial), static_cast<ssize_t>(sizeof partial));
  // With one active slot in all, a real client is still served: the stalled
  // handshakes hold none.
  std::string error;
  auto client = TlsClient::Connect(port_, Trusting(), &error);
  ASSERT_NE(client, nullptr) << error;
  TlsReply reply;
  ASSERT_TRUE(client->Exchange(Query(), &reply));
  EXPECT_EQ(reply.status, 200) << reply.body;
  auto t0 = std::chrono::steady_clock::now();
  for (int fd : stalled) {
    bool closed = false;
    testing::ReadUntilClosed(fd, 5000, &closed);
    EXPECT_TRUE(closed);
    close(fd);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
}

TEST_F(TlsServerTest, ManyStalledHandshakesAreEvictedOldestFirst) {
  options_.clients.max_waiting_per_client = 4;
  options_.header_timeout = std::chrono::milliseconds(30000);
  Start(pki_.server_cert, pki_.server_key);
  std::vector<int> stalled;
  for (int i = 0; i < 10; ++i) stalled.push_back(testing::ConnectRaw(port_));
  std::string error;
  auto client = TlsClient::Connect(port_, Trusting(), &error);  // pushes out older waiting connections too
  ASSERT_NE(client, nullptr) << error;
  TlsReply reply;
  ASSERT_TRUE(client->Exchange(Query(), &reply));
  EXPECT_EQ(reply.status, 200);
  bool first_closed = false;
  testing::ReadUntilClosed(stalled[0], 5000, &first_closed);
  EXPECT_TRUE(first_closed) << "the oldest stalled handshake should have been evicted";
  for (int fd : stalled) close(fd);
}

TEST_F(TlsServerTest, HeaderFirstAuthenticationAndBodyLimitsWorkOverTls) {
  TokenTable tokens;
  ASSERT_TRUE(TokenTable::Parse("reader-secret-1 read\n", &tokens).ok());
  options_.max_body_bytes = 1000;
  limits_.max_body_bytes = 1000;
  Start(pki_.server_cert, pki_.server_key, OneRow(), &tokens);
  std::string error;
  auto client = TlsClient::Connect(port_, Trusting(), &error);
  ASSERT_NE(client, nullptr) << error;
  TlsReply reply;
  ASSERT_TRUE(client->Exchange(Query(), &reply));
  EXPECT_EQ(reply.status, 401);
  EXPECT_TRUE(reply.close);  // refused from its header, its body unread: the connection closes (as over plain HTTP)
  EXPECT_TRUE(client->WaitClosed(20000));
  client = TlsClient::Connect(port_, Trusting(), &error);
  ASSERT_NE(client, nullptr) << error;
  ASSERT_TRUE(client->Exchange(Get("/v1/kpis"), &reply));
  EXPECT_EQ(reply.status, 401);
  EXPECT_FALSE(reply.close);  // no body: the connection stays
  ASSERT_TRUE(client->Exchange(Query("Authorization: Bearer reader-secret-1\r\n"), &reply));
  EXPECT_EQ(reply.status, 200) << reply.body;
  // A body announced too large is refused from the header; the connection closes.
  ASSERT_TRUE(client->Exchange("POST /v1/query HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer reader-secret-1\r\n"
                               "Content-Length: 5000\r\n\r\n",
                               &reply));
  EXPECT_EQ(reply.status, 413);
  EXPECT_TRUE(reply.close);
}

TEST_F(TlsServerTest, StopAnswersTheRequestInFlightOverTls) {
  // The request is in flight once the runner has it (not after a fixed time).
  std::atomic<bool> entered{false};
  Start(pki_.server_cert, pki_.server_key,
        [&entered, inner = OneRow(std::chrono::milliseconds(400))](
            std::string_view text, const query::ExecOptions& o, query::Result* r, query::QueryError* e) {
          entered = true;
          return inner(text, o, r, e);
        });
  std::string error;
  auto busy = TlsClient::Connect(port_, Trusting(), &error);
  ASSERT_NE(busy, nullptr) << error;
  auto idle = TlsClient::Connect(port_, Trusting(), &error);
  ASSERT_NE(idle, nullptr) << error;
  TlsReply warm;
  ASSERT_TRUE(idle->Exchange(Get("/health"), &warm));
  TlsReply reply;
  std::thread request([&] { busy->Exchange(Query(), &reply); });
  for (const auto guard = std::chrono::steady_clock::now() + std::chrono::minutes(1);
       !entered && std::chrono::steady_clock::now() < guard;)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_TRUE(entered.load()) << "the request never reached the runner";
  server_->Stop();
  request.join();
  EXPECT_EQ(reply.status, 200);
  EXPECT_TRUE(reply.close);
  EXPECT_TRUE(idle->WaitClosed(20000));
}

TEST_F(TlsServerTest, ReloadAppliesToNewConnectionsWhileOpenOnesGoOn) {
  // Reload in place (Serve's SIGHUP does this; tls_reload_test.cc goes
  // through the signal): the files are replaced, then re-read.
  std::string cert = pki_.dir + "/live.pem", key = pki_.dir + "/live.key";
  ASSERT_EQ(std::system(("cp " + pki_.server_cert + " " + cert + " && cp " + pki_.server_key + " " + key).c_str()), 0);
  Start(cert, key);
  std::string error;
  auto old_conn = TlsClient::Connect(port_, Trusting(), &error);
  ASSERT_NE(old_conn, nullptr) << error;
  ASSERT_EQ(old_conn->PeerCommonName(), "localhost");
  ASSERT_EQ(std::system(("cp " + pki_.server2_cert + " " + cert + " && cp " + pki_.server2_key + " " + key).c_str()), 0);
  ASSERT_TRUE(tls_->Reload().ok());
  auto new_conn = TlsClient::Connect(port_, Trusting(), &error);
  // Host check: the new certificate is also for localhost (SAN).
  ASSERT_NE(new_conn, nullptr) << error;
  EXPECT_EQ(new_conn->PeerCommonName(), "localhost-2");
  TlsReply reply;
  ASSERT_TRUE(old_conn->Exchange(Query(), &reply));
  EXPECT_EQ(reply.status, 200);
  ASSERT_TRUE(new_conn->Exchange(Query(), &reply));
  EXPECT_EQ(reply.status, 200);
  // A broken file is refused and the current certificate stays.
  ASSERT_EQ(std::system(("echo garbage > " + cert).c_str()), 0);
  EXPECT_FALSE(tls_->Reload().ok());
  auto after = TlsClient::Connect(port_, Trusting(), &error);
  ASSERT_NE(after, nullptr) << error;
  EXPECT_EQ(after->PeerCommonName(), "localhost-2");
}

TEST_F(TlsServerTest, LoadRefusesAMismatchedKeyAndMissingFiles) {
  std::unique_ptr<TlsContext> tls;
  Status s = TlsContext::Load(pki_.server_cert, pki_.server2_key, &tls);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("does not match"), std::string::npos) << s.message();
  s = TlsContext::Load(pki_.dir + "/nope.pem", pki_.server_key, &tls);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("nope.pem"), std::string::npos) << s.message();
}

// The rule for plain HTTP, enforced where the listener is bound.
TEST_F(TlsServerTest, PlainHttpOnANonLoopbackAddressNeedsInsecureHttp) {
  router_ = std::make_unique<Router>(OneRow(), store_.get(), nullptr, &metrics_, limits_);
  HttpServerOptions plain;
  plain.listen = "0.0.0.0:0";
  {
    HttpServer server(router_.get(), &metrics_, plain);
    Status s = server.Start();
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find("clear text"), std::string::npos) << s.message();
  }
  plain.insecure_http = true;
  {
    HttpServer server(router_.get(), &metrics_, plain);
    EXPECT_TRUE(server.Start().ok());
  }
  plain.insecure_http = false;
  plain.listen = "127.0.0.3:0";  // all of 127/8 is loopback
  {
    HttpServer server(router_.get(), &metrics_, plain);
    EXPECT_TRUE(server.Start().ok());
  }
  std::unique_ptr<TlsContext> tls;
  ASSERT_TRUE(TlsContext::Load(pki_.server_cert, pki_.server_key, &tls).ok());
  plain.listen = "0.0.0.0:0";
  plain.tls = tls.get();
  {
    HttpServer server(router_.get(), &metrics_, plain);
    EXPECT_TRUE(server.Start().ok());
  }
}

}  // namespace
}  // namespace kpi::server

#endif  // KPI_HAVE_TLS
