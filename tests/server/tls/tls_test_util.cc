// Test certificates and a blocking HTTPS client (see tls_test_util.h).
#ifdef KPI_HAVE_TLS  // without OpenSSL, tls_server_test.cc checks that TLS says so
#include "tls_test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string_view>

namespace kpi::server::testing {

namespace {

std::string Errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

struct KeyCert {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  ~KeyCert() {
    EVP_PKEY_free(key);
    X509_free(cert);
  }
};

bool AddExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// A P-256 key and a certificate for `cn`, valid from `from_s` to `to_s`
// seconds relative to now, signed by `issuer` (null: self-signed).
bool Make(const std::string& cn, long from_s, long to_s, bool ca, const KeyCert* issuer, long serial, KeyCert* out) {
  out->key = EVP_EC_gen("P-256");
  out->cert = X509_new();
  if (out->key == nullptr || out->cert == nullptr) return false;
  X509* c = out->cert;
  X509_set_version(c, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
  X509_gmtime_adj(X509_getm_notBefore(c), from_s);
  X509_gmtime_adj(X509_getm_notAfter(c), to_s);
  X509_set_pubkey(c, out->key);
  X509_NAME* name = X509_get_subject_name(c);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("kpistore tests"), -1,
                             -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                             0);
  X509* issuer_cert = issuer != nullptr ? issuer->cert : c;
  X509_set_issuer_name(c, X509_get_subject_name(issuer_cert));
  bool ok = AddExt(c, issuer_cert, NID_subject_key_identifier, "hash");
  if (ca) {
    ok = ok && AddExt(c, issuer_cert, NID_basic_constraints, "critical,CA:TRUE") &&
         AddExt(c, issuer_cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    ok = ok && AddExt(c, issuer_cert, NID_basic_constraints, "critical,CA:FALSE") &&
         AddExt(c, issuer_cert, NID_key_usage, "critical,digitalSignature") &&
         AddExt(c, issuer_cert, NID_ext_key_usage, "serverAuth") &&
         AddExt(c, issuer_cert, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  }
  if (issuer != nullptr) ok = ok && AddExt(c, issuer_cert, NID_authority_key_identifier, "keyid");
  EVP_PKEY* signer = issuer != nullptr ? issuer->key : out->key;
  return ok && X509_sign(c, signer, EVP_sha256()) > 0;
}

bool Write(const KeyCert& kc, const std::string& cert_path, const std::string& key_path) {
  FILE* f = std::fopen(cert_path.c_str(), "w");
  if (f == nullptr) return false;
  bool ok = PEM_write_X509(f, kc.cert) == 1;
  std::fclose(f);
  if (!ok || key_path.empty()) return ok;
  f = std::fopen(key_path.c_str(), "w");
  if (f == nullptr) return false;
  ok = PEM_write_PrivateKey(f, kc.key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  std::fclose(f);
  return ok;
}

constexpr long kDay = 24 * 3600;

void SetTimeouts(int fd, int timeout_ms) {
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

}  // namespace

bool MakeTestPki(const std::string& dir, TestPki* pki, std::string* error) {
  pki->dir = dir;
  pki->ca = dir + "/ca.pem";
  pki->server_cert = dir + "/server.pem";
  pki->server_key = dir + "/server.key";
  pki->server2_cert = dir + "/server2.pem";
  pki->server2_key = dir + "/server2.key";
  pki->expired_cert = dir + "/expired.pem";
  pki->expired_key = dir + "/expired.key";
  pki->self_cert = dir + "/self.pem";
  pki->self_key = dir + "/self.key";
  KeyCert ca, server, server2, expired, self;
  bool ok = Make("kpistore test CA", -kDay, 30 * kDay, true, nullptr, 1, &ca) &&
            Make("localhost", -kDay, 30 * kDay, false, &ca, 2, &server) &&
            Make("localhost-2", -kDay, 30 * kDay, false, &ca, 3, &server2) &&
            Make("localhost", -30 * kDay, -kDay, false, &ca, 4, &expired) &&
            Make("localhost", -kDay, 30 * kDay, false, nullptr, 5, &self) && Write(ca, pki->ca, "") &&
            Write(server, pki->server_cert, pki->server_key) && Write(server2, pki->server2_cert, pki->server2_key) &&
            Write(expired, pki->expired_cert, pki->expired_key) && Write(self, pki->self_cert, pki->self_key);
  if (!ok) *error = "cannot make test certificates: " + Errors();
  return ok;
}

int ConnectRaw(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

std::string ReadUntilClosed(int fd, int timeout_ms, bool* closed) {
  std::string out;
  *closed = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
    if (left <= 0) return out;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, left) <= 0) return out;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) {
      *closed = true;
      return out;
    }
    out.append(buf, static_cast<size_t>(n));
  }
}

struct TlsClient::State {
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  int fd = -1;
  std::string pending;
  std::string error;
  ~State() {
    if (ssl != nullptr) SSL_free(ssl);
    if (ctx != nullptr) SSL_CTX_free(ctx);
    if (fd >= 0) close(fd);
  }
};

TlsClient::~TlsClient() = default;

std::unique_ptr<TlsClient> TlsClient::Connect(uint16_t port, const TlsClientOptions& options, std::string* error,
                                              bool* alert_protocol_version) {
  if (alert_protocol_version != nullptr) *alert_protocol_version = false;
  ERR_clear_error();
  auto state = std::make_unique<State>();
  state->ctx = SSL_CTX_new(TLS_client_method());
  if (state->ctx == nullptr) {
    *error = Errors();
    return nullptr;
  }
  if (options.legacy) {
    SSL_CTX_set_security_level(state->ctx, 0);
    SSL_CTX_set_cipher_list(state->ctx, "ALL:@SECLEVEL=0");
  }
  if (!options.ciphers.empty()) SSL_CTX_set_cipher_list(state->ctx, options.ciphers.c_str());
  if (options.min_version != 0) SSL_CTX_set_min_proto_version(state->ctx, options.min_version);
  if (options.max_version != 0) SSL_CTX_set_max_proto_version(state->ctx, options.max_version);
  if (options.verify) {
    SSL_CTX_set_verify(state->ctx, SSL_VERIFY_PEER, nullptr);
    if (!options.ca_file.empty() && SSL_CTX_load_verify_locations(state->ctx, options.ca_file.c_str(), nullptr) != 1) {
      *error = "cannot load CA " + options.ca_file + ": " + Errors();
      return nullptr;
    }
  }
  state->fd = ConnectRaw(port);
  if (state->fd < 0) {
    *error = std::string("connect: ") + std::strerror(errno);
    return nullptr;
  }
  SetTimeouts(state->fd, 20000);
  state->ssl = SSL_new(state->ctx);
  SSL_set_fd(state->ssl, state->fd);
  SSL_set_tlsext_host_name(state->ssl, "localhost");
  if (options.verify) SSL_set1_host(state->ssl, "localhost");
  if (SSL_connect(state->ssl) != 1) {
    unsigned long e = ERR_peek_error();
    if (alert_protocol_version != nullptr) {
      *alert_protocol_version = ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) == SSL_R_TLSV1_ALERT_PROTOCOL_VERSION;
    }
    long verify = SSL_get_verify_result(state->ssl);
    *error = Errors();
    if (verify != X509_V_OK) *error += std::string(" (verify: ") + X509_verify_cert_error_string(verify) + ")";
    if (error->empty()) *error = "handshake failed (connection closed)";
    return nullptr;
  }
  std::unique_ptr<TlsClient> client(new TlsClient());
  client->state_ = std::move(state);
  return client;
}

bool TlsClient::Exchange(const std::string& request, TlsReply* reply, int timeout_ms) {
  *reply = TlsReply();
  State& s = *state_;
  SetTimeouts(s.fd, timeout_ms);
  size_t sent = 0;
  while (sent < request.size()) {
    int n = SSL_write(s.ssl, request.data() + sent, static_cast<int>(request.size() - sent));
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  auto fill = [&]() {
    char buf[16384];
    int n;
    int err = SSL_ERROR_NONE;
    // A signal (the test's own children exiting) interrupts a blocking read: retry.
    do {
      n = SSL_read(s.ssl, buf, sizeof buf);
      if (n <= 0) err = SSL_get_error(s.ssl, n);
    } while (n <= 0 && (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) && errno == EINTR);
    if (n <= 0) {
      s.error = "read failed: SSL error " + std::to_string(err) + " errno " + std::to_string(errno) + " " + Errors() +
                " after " + std::to_string(s.pending.size()) + " bytes";
      return false;
    }
    s.pending.append(buf, static_cast<size_t>(n));
    return true;
  };
  size_t end;
  while ((end = s.pending.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return false;
  }
  std::string head = s.pending.substr(0, end + 2);
  for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (head.size() < 12 || head.compare(0, 5, "http/") != 0) return false;
  int status = std::atoi(head.c_str() + 9);
  size_t length = 0;
  if (size_t p = head.find("\r\ncontent-length:"); p != std::string::npos) {
    length = std::strtoul(head.c_str() + p + 17, nullptr, 10);
  }
  reply->close = head.find("\r\nconnection: close") != std::string::npos;
  while (s.pending.size() < end + 4 + length) {
    if (!fill()) return false;
  }
  reply->body = s.pending.substr(end + 4, length);
  s.pending.erase(0, end + 4 + length);
  reply->status = status;
  return true;
}

std::string TlsClient::PeerCommonName() const {
  X509* cert = SSL_get1_peer_certificate(state_->ssl);
  if (cert == nullptr) return "";
  char cn[256] = {0};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
  X509_free(cert);
  return cn;
}

std::string TlsClient::LastError() const { return state_->error; }

std::string TlsClient::Protocol() const { return SSL_get_version(state_->ssl); }

bool TlsClient::WaitClosed(int timeout_ms) {
  SetTimeouts(state_->fd, timeout_ms);
  char buf[4096];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int n = SSL_read(state_->ssl, buf, sizeof buf);
    if (n > 0) continue;
    int err = SSL_get_error(state_->ssl, n);
    if (err == SSL_ERROR_ZERO_RETURN || err == SSL_ERROR_SSL) return true;
    if (err == SSL_ERROR_SYSCALL) return errno != EAGAIN && errno != EWOULDBLOCK;
    return false;
  }
  return false;
}

}  // namespace kpi::server::testing

#endif  // KPI_HAVE_TLS
