// The server's TLS context (see server/tls_context.h).
#include <utility>  // before Asio: Boost 1.74 awaitable.hpp needs it under C++20

#include "server/tls_context.h"

#ifdef KPI_HAVE_TLS
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ssl/context.hpp>
#include <cstdio>
#include <ctime>
#include <fstream>
#endif

namespace kpi::server {

#ifdef KPI_HAVE_TLS

namespace ssl = boost::asio::ssl;

namespace {

// TLS 1.2 suites: forward secrecy (ECDHE) and AEAD only, AES-128 first
// (as strong in practice, cheaper). TLS 1.3 suites are OpenSSL's defaults,
// all AEAD.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// The OpenSSL error queue as one line (and emptied).
std::string OpenSslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

Status Readable(const std::string& path, const char* what) {
  std::ifstream in(path);
  if (!in) return Status::IOError(std::string("cannot read TLS ") + what + " " + path);
  return Status::OK();
}

std::string Day(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return "?";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

std::string DescribeCertificate(SSL_CTX* ctx) {
  X509* cert = SSL_CTX_get0_certificate(ctx);
  if (cert == nullptr) return "no certificate";
  std::string subject = "?";
  if (BIO* bio = BIO_new(BIO_s_mem())) {
    if (X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) >= 0) {
      char* data = nullptr;
      long n = BIO_get_mem_data(bio, &data);
      if (n > 0) subject.assign(data, static_cast<size_t>(n));
    }
    BIO_free(bio);
  }
  std::string out = subject + ", valid " + Day(X509_get0_notBefore(cert)) + " .. " + Day(X509_get0_notAfter(cert));
  if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0) out += ", EXPIRED";
  if (X509_cmp_current_time(X509_get0_notBefore(cert)) > 0) out += ", not yet valid";
  // Self-signed: issuer is subject and the certificate's own key verifies it.
  EVP_PKEY* own = X509_get0_pubkey(cert);
  if (X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0 && own != nullptr &&
      X509_verify(cert, own) == 1) {
    out += ", self-signed";
  }
  ERR_clear_error();
  return out;
}

Status BuildContext(const std::string& cert_file, const std::string& key_file, std::shared_ptr<ssl::context>* out,
                    std::string* description) {
  KPI_RETURN_IF_ERROR(Readable(cert_file, "certificate"));
  KPI_RETURN_IF_ERROR(Readable(key_file, "key"));
  ERR_clear_error();
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  // SSLv3, TLS 1.0 and 1.1 are refused at the handshake (protocol_version alert).
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
    return Status::IOError("TLS: cannot set the minimum protocol version: " + OpenSslErrors());
  }
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    return Status::IOError("TLS: cannot set the cipher list: " + OpenSslErrors());
  }
  if (SSL_CTX_use_certificate_chain_file(native, cert_file.c_str()) != 1) {
    return Status::InvalidArgument("TLS certificate " + cert_file + " (PEM chain, leaf first): " + OpenSslErrors());
  }
  if (SSL_CTX_use_PrivateKey_file(native, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
      ERR_clear_error();
      return Status::InvalidArgument("TLS key " + key_file + " does not match certificate " + cert_file);
    }
    return Status::InvalidArgument("TLS key " + key_file + " (PEM): " + OpenSslErrors());
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return Status::InvalidArgument("TLS key " + key_file + " does not match certificate " + cert_file);
  }
  *description = DescribeCertificate(native);
  *out = std::move(ctx);
  return Status::OK();
}

}  // namespace

bool TlsContext::Compiled() { return true; }

Status TlsContext::Load(const std::string& cert_file, const std::string& key_file, std::unique_ptr<TlsContext>* out) {
  std::unique_ptr<TlsContext> tls(new TlsContext(cert_file, key_file));
  KPI_RETURN_IF_ERROR(tls->Reload());
  *out = std::move(tls);
  return Status::OK();
}

Status TlsContext::Reload() {
  std::shared_ptr<ssl::context> fresh;
  std::string description;
  KPI_RETURN_IF_ERROR(BuildContext(cert_file_, key_file_, &fresh, &description));
  std::lock_guard<std::mutex> lock(mu_);
  current_ = std::move(fresh);  // connections holding the old one keep it alive
  description_ = std::move(description);
  return Status::OK();
}

std::shared_ptr<ssl::context> TlsContext::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

std::string TlsContext::Describe() const {
  std::lock_guard<std::mutex> lock(mu_);
  return description_;
}

#else  // no OpenSSL

bool TlsContext::Compiled() { return false; }

Status TlsContext::Load(const std::string&, const std::string&, std::unique_ptr<TlsContext>*) {
  return Status::InvalidArgument(
      "TLS is not compiled into this build (built without OpenSSL: apt-get install libssl-dev and rebuild with "
      "-DKPI_TLS=ON, or terminate TLS in a reverse proxy)");
}

Status TlsContext::Reload() { return Status::InvalidArgument("TLS is not compiled into this build"); }

std::shared_ptr<boost::asio::ssl::context> TlsContext::Current() const { return nullptr; }

std::string TlsContext::Describe() const { return ""; }

#endif

}  // namespace kpi::server
