// The `kpi` binary itself over TLS: it links OpenSSL from its static archives
// (cmake/static_deps.cmake) while the server tests link the shared library, so
// only a test of the binary shows that the static OpenSSL serves TLS 1.3 and
// 1.2 and refuses what the server refuses. Starts `kpi serve --tls-cert
// --tls-key` on 127.0.0.1:0, reads its port from the "listening on" line.
#ifdef KPI_HAVE_TLS

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "test_util.h"
#include "tls_test_util.h"

namespace kpi::server {
namespace {

using testing::TestPki;
using testing::TlsClient;
using testing::TlsClientOptions;
using testing::TlsReply;

class TlsBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(testing::MakeTestPki(dir_.path(), &pki_, &error)) << error;
  }
  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  // Starts the binary; the port from its log, 0 if it never listened.
  uint16_t Serve() {
    const std::string log = dir_.path() + "/serve.log";
    pid_ = fork();
    if (pid_ == 0) {
      if (freopen(log.c_str(), "w", stderr) == nullptr) _exit(97);
      execl(KPI_BINARY, KPI_BINARY, "serve", "--db", (dir_.path() + "/db").c_str(), "--create", "--listen",
            "127.0.0.1:0", "--tls-cert", pki_.server_cert.c_str(), "--tls-key", pki_.server_key.c_str(),
            static_cast<char*>(nullptr));
      _exit(98);
    }
    const std::string marker = "listening on https://127.0.0.1:";
    for (int i = 0; i < 600; ++i) {
      const std::string text = kpi::testing::ReadFile(log);
      if (const size_t at = text.find(marker); at != std::string::npos)
        return static_cast<uint16_t>(std::stoi(text.substr(at + marker.size())));
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = 0;
        ADD_FAILURE() << "kpi serve exited: " << text;
        return 0;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "kpi serve never listened: " << kpi::testing::ReadFile(log);
    return 0;
  }
  TlsClientOptions Trusting() const {
    TlsClientOptions o;
    o.ca_file = pki_.ca;
    return o;
  }

  kpi::testing::ScratchDir dir_{"kpi-tls-binary"};
  TestPki pki_;
  pid_t pid_ = 0;
};

TEST_F(TlsBinaryTest, TheBinaryServesTls13AndTls12AndRefusesTls11) {
  const uint16_t port = Serve();
  ASSERT_NE(port, 0);
  std::string error;
  auto client = TlsClient::Connect(port, Trusting(), &error);
  ASSERT_NE(client, nullptr) << error;
  EXPECT_EQ(client->PeerCommonName(), "localhost");
  EXPECT_EQ(client->Protocol(), "TLSv1.3");
  TlsReply health;
  ASSERT_TRUE(client->Exchange("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n", &health)) << client->LastError();
  EXPECT_EQ(health.status, 200) << health.body;

  TlsClientOptions tls12 = Trusting();
  tls12.max_version = TLS1_2_VERSION;
  auto client12 = TlsClient::Connect(port, tls12, &error);
  ASSERT_NE(client12, nullptr) << error;
  EXPECT_EQ(client12->Protocol(), "TLSv1.2");

  TlsClientOptions tls11 = Trusting();
  tls11.min_version = TLS1_1_VERSION;
  tls11.max_version = TLS1_1_VERSION;
  tls11.legacy = true;
  bool alert = false;
  EXPECT_EQ(TlsClient::Connect(port, tls11, &error, &alert), nullptr);
  EXPECT_TRUE(alert) << "expected the server's protocol_version alert, got: " << error;

  kill(pid_, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(pid_, &status, 0), pid_);
  pid_ = 0;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

}  // namespace
}  // namespace kpi::server

#endif  // KPI_HAVE_TLS
