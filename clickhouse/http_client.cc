// ClickHouse over HTTP (see clickhouse/http_client.h).
#include "clickhouse/http_client.h"

#include <cctype>
#include <utility>

#include "net/http_post.h"
#include "query/watch/webhook_url.h"

namespace kpi::clickhouse {

std::string UrlEncode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

HttpClient::HttpClient(const std::string& url, std::chrono::milliseconds timeout) : url_(url), timeout_(timeout) {
  query::WebhookUrl parsed;
  std::string why;
  if (!query::ParseWebhookUrl(url, &parsed, &why)) {
    status_ = Status::InvalidArgument("--clickhouse-url " + url + ": " + why);
    return;
  }
  host_ = parsed.host;
  port_ = parsed.port;
}

namespace {
std::string Target(const std::string& query_param, const HttpClient::Params& params) {
  std::string t = "/?";
  bool first = true;
  auto add = [&](const std::string& k, const std::string& v) {
    if (!first) t += '&';
    first = false;
    t += k + "=" + UrlEncode(v);
  };
  if (!query_param.empty()) add("query", query_param);
  for (const auto& [k, v] : params) add(k, v);
  return t;
}
}  // namespace

Status HttpClient::Query(const std::string& sql, std::string* reply, const Params& params) const {
  return Post(Target("", params), sql, reply);
}

Status HttpClient::Insert(const std::string& sql, const std::string& data, const Params& params) const {
  std::string ignored;
  return Post(Target(sql, params), data, &ignored);
}

Status HttpClient::Post(const std::string& target, const std::string& body, std::string* reply) const {
  if (!status_.ok()) return status_;
  net::HttpPostRequest request;
  request.host = host_;
  request.port = port_;
  request.target = target;
  request.body = body;
  request.timeout = timeout_;
  request.body_limit = size_t{4} << 30;
  net::HttpReply response;
  const std::string where = "clickhouse at " + url_ + ": ";
  if (Status posted = net::HttpPost(request, &response); !posted.ok()) return Status::IOError(where + posted.message());
  if (response.status < 200 || response.status > 299) {
    std::string text = std::move(response.body);
    const size_t nl = text.find('\n');
    if (nl != std::string::npos) text.resize(nl);
    return Status::IOError(where + "HTTP " + std::to_string(response.status) + ": " + text);
  }
  *reply = std::move(response.body);
  return Status::OK();
}

}  // namespace kpi::clickhouse
