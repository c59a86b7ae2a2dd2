// The webhook address of `define watch ... notify "<url>"`: an http:// URL
// with a host, an optional port (default 80) and a path (default "/").
// One reading for the define-time check (query/watch/watch_definition.h)
// and the server's webhook client (server/webhook_sender.h).
// https is not spoken by the client: put a relay (Alertmanager, a reverse
// proxy) in front of a TLS-only receiver.
// Thread safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace kpi::query {

struct WebhookUrl {
  std::string host;  // a name, an IPv4 address or an IPv6 address without brackets
  std::string port = "80";
  std::string target = "/";  // path and query, as written
};

// False with *why ("the url must start with http://") when `url` is not one.
bool ParseWebhookUrl(std::string_view url, WebhookUrl* out, std::string* why);

}  // namespace kpi::query
