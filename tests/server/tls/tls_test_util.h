// TLS pieces of the server tests, straight on OpenSSL (no Asio): test
// certificates made in a temporary directory, and a tiny blocking HTTPS
// client whose protocol versions and trust the test chooses.
#pragma once

#ifdef KPI_HAVE_TLS  // built only with OpenSSL (server/tls_context.h)

#include <cstdint>
#include <memory>
#include <string>

namespace kpi::server::testing {

// PEM files written by MakeTestPki into `dir`:
//   ca.pem                       a CA (self-signed, CA:TRUE)
//   server.pem / server.key      signed by the CA, CN and SAN localhost + 127.0.0.1, valid now
//   server2.pem / server2.key    likewise, CN "localhost-2" (the certificate a reload switches to)
//   expired.pem / expired.key    signed by the CA, expired yesterday
//   self.pem / self.key          self-signed, valid now, not from the CA
struct TestPki {
  std::string dir, ca, server_cert, server_key, server2_cert, server2_key, expired_cert, expired_key, self_cert,
      self_key;
};
// False (with `error`) when OpenSSL cannot make them.
bool MakeTestPki(const std::string& dir, TestPki* pki, std::string* error);

struct TlsClientOptions {
  std::string ca_file;       // trusted CA; empty: trust nothing (every certificate fails verification)
  bool verify = true;        // false: take any certificate (to reach the server with a bad one)
  int min_version = 0;       // e.g. TLS1_VERSION; 0: OpenSSL's default
  int max_version = 0;       // 0: the highest
  bool legacy = false;       // security level 0, every cipher: lets the client offer TLS 1.0/1.1 at all
  std::string ciphers;       // TLS 1.2 cipher list to offer; empty: OpenSSL's default
};

struct TlsReply {
  int status = 0;  // 0: no complete response
  std::string body;
  bool close = false;  // Connection: close
};

// One TLS connection to 127.0.0.1:port (host name checked: "localhost").
class TlsClient {
 public:
  // Null on failure, with `error` (OpenSSL's reason, e.g. "certificate has
  // expired", "tlsv1 alert protocol version") and `alert_protocol_version`
  // set when the server answered with a protocol_version alert.
  static std::unique_ptr<TlsClient> Connect(uint16_t port, const TlsClientOptions& options, std::string* error,
                                            bool* alert_protocol_version = nullptr);
  ~TlsClient();

  // Sends `request` (raw HTTP/1.1 bytes) and reads one response (Content-Length framed).
  bool Exchange(const std::string& request, TlsReply* reply, int timeout_ms = 20000);
  // The peer certificate's common name; the negotiated protocol ("TLSv1.3").
  std::string PeerCommonName() const;
  std::string Protocol() const;
  // Why the last Exchange failed.
  std::string LastError() const;
  // Waits until the server closes the connection (true) or `timeout_ms` passes.
  bool WaitClosed(int timeout_ms);

 private:
  TlsClient() = default;
  struct State;
  std::unique_ptr<State> state_;
};

// A raw TCP connection to 127.0.0.1:port (-1 on failure), for bytes that are not TLS.
int ConnectRaw(uint16_t port);
// Reads until the peer closes or `timeout_ms` passes; returns what arrived.
std::string ReadUntilClosed(int fd, int timeout_ms, bool* closed);

}  // namespace kpi::server::testing

#endif  // KPI_HAVE_TLS
