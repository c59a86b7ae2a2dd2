// ClickHouse over HTTP (see clickhouse/http_client.h).
#include "clickhouse/http_client.h"

#include <cctype>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "query/watch/webhook_url.h"

namespace kpi::clickhouse {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

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
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  beast::error_code ec;
  http::response_parser<http::string_body> parser;
  parser.body_limit(size_t{4} << 30);
  beast::flat_buffer buffer;
  bool done = false;
  stream.expires_after(timeout_);
  auto fail = [&](const beast::error_code& e) {
    ec = e;
    done = true;
  };
  http::request<http::string_body> request{http::verb::post, target, 11};
  request.set(http::field::host, host_ + ":" + port_);
  request.set(http::field::user_agent, "kpistore");
  request.body() = body;
  request.prepare_payload();
  resolver.async_resolve(host_, port_, [&](const beast::error_code& e, asio::ip::tcp::resolver::results_type r) {
    if (e) return fail(e);
    stream.async_connect(r, [&](const beast::error_code& e2, const asio::ip::tcp::endpoint&) {
      if (e2) return fail(e2);
      http::async_write(stream, request, [&](const beast::error_code& e3, size_t) {
        if (e3) return fail(e3);
        http::async_read(stream, buffer, parser, [&](const beast::error_code& e4, size_t) {
          if (e4) return fail(e4);
          done = true;
        });
      });
    });
  });
  io.run();
  const std::string where = "clickhouse at " + url_ + ": ";
  if (!done || ec == beast::error::timeout)
    return Status::IOError(where + "no reply within " + std::to_string(timeout_.count()) + " ms");
  if (ec) return Status::IOError(where + ec.message());
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  http::response<http::string_body> response = parser.release();
  const unsigned code = response.result_int();
  if (code < 200 || code > 299) {
    std::string text = response.body();
    const size_t nl = text.find('\n');
    if (nl != std::string::npos) text.resize(nl);
    return Status::IOError(where + "HTTP " + std::to_string(code) + ": " + text);
  }
  *reply = std::move(response.body());
  return Status::OK();
}

}  // namespace kpi::clickhouse
