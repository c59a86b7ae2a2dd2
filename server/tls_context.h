// TlsContext: the server's certificate and private key as an OpenSSL
// server context, replaceable while connections are open.
//
// Load reads a PEM certificate chain (leaf first) and its PEM private key
// and checks that they belong together. The context speaks TLS 1.2 and 1.3
// only (1.0, 1.1 and SSL are refused with a protocol_version alert), offers
// forward-secret AEAD ciphers only (ECDHE with AES-GCM or ChaCha20-Poly1305;
// TLS 1.3's own suites), prefers the server's order, and disables
// compression and renegotiation. The certificate is presented as given: an
// expired or self-signed one is served (Describe says so) and left to the
// client to refuse.
//
// Reload re-reads the same files into a new context and swaps it in; on any
// error the current context stays and the error is returned. Current() hands
// out the context of the moment: a connection keeps the one it was accepted
// with (shared ownership) until it closes, so reloading never drops one.
//
// Built without OpenSSL (KPI_HAVE_TLS unset), Load fails with "TLS is not
// compiled into this build".
// Thread safety: Current, Reload and Describe may be called from any thread.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "storage/status.h"

namespace boost::asio::ssl {
class context;
}

namespace kpi::server {

class TlsContext {
 public:
  // True when this build has TLS (OpenSSL).
  static bool Compiled();
  static Status Load(const std::string& cert_file, const std::string& key_file, std::unique_ptr<TlsContext>* out);

  Status Reload();
  std::shared_ptr<boost::asio::ssl::context> Current() const;
  // "CN=kpi.example.com, valid 2025-01-01 .. 2026-01-01" plus ", EXPIRED" or
  // ", not yet valid" when the clock says so; for the startup and reload logs.
  std::string Describe() const;

 private:
  TlsContext(std::string cert_file, std::string key_file) : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)) {}

  const std::string cert_file_, key_file_;
  mutable std::mutex mu_;
  std::shared_ptr<boost::asio::ssl::context> current_;  // GUARDED_BY(mu_)
  std::string description_;                            // GUARDED_BY(mu_)
};

}  // namespace kpi::server
