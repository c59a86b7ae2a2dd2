// Webhook URLs (see query/watch/webhook_url.h).
#include "query/watch/webhook_url.h"

#include <cctype>

namespace kpi::query {

bool ParseWebhookUrl(std::string_view url, WebhookUrl* out, std::string* why) {
  *out = WebhookUrl{};
  constexpr std::string_view kScheme = "http://";
  if (url.size() < kScheme.size() || url.substr(0, kScheme.size()) != kScheme) {
    *why = url.substr(0, 8) == "https://" ? "https is not supported for notify: use http:// (or a relay in front of a "
                                            "TLS-only receiver)"
                                          : "the notify url must start with http://";
    return false;
  }
  std::string_view rest = url.substr(kScheme.size());
  const size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  out->target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (out->target[0] == '?') out->target = "/" + out->target;
  if (authority.find('@') != std::string_view::npos) {
    *why = "the notify url may not hold credentials (user@host)";
    return false;
  }
  std::string_view host = authority, port;
  bool has_port = false;
  if (!authority.empty() && authority[0] == '[') {  // [v6]:port
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      *why = "the notify url has an unclosed '[' in its host";
      return false;
    }
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after[0] != ':') {
      *why = "the notify url has text after its ']'";
      return false;
    }
    has_port = !after.empty();
    if (has_port) port = after.substr(1);
  } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    has_port = true;
  }
  if (host.empty()) {
    *why = "the notify url has no host";
    return false;
  }
  for (char c : out->target) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) {
      *why = "the notify url holds a blank or control character";
      return false;
    }
  }
  out->host = std::string(host);
  if (has_port) {
    bool digits = !port.empty() && port.size() <= 5;
    for (char c : port) digits = digits && std::isdigit(static_cast<unsigned char>(c));
    if (!digits || std::stoi(std::string(port)) == 0 || std::stoi(std::string(port)) > 65535) {
      *why = "the notify url's port must be a number from 1 to 65535";
      return false;
    }
    out->port = std::string(port);
  }
  return true;
}

}  // namespace kpi::query
