// One JSON POST to a webhook (see server/webhook_client.h).
#include "server/webhook_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace kpi::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

Status PostJson(const query::WebhookUrl& url, const std::string& body, std::chrono::milliseconds timeout) {
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  beast::error_code ec;
  http::response<http::string_body> reply;
  beast::flat_buffer buffer;
  bool done = false;
  // Asynchronous steps so that one deadline bounds them all.
  stream.expires_after(timeout);
  auto fail = [&](const beast::error_code& e) {
    ec = e;
    done = true;
  };
  http::request<http::string_body> request{http::verb::post, url.target, 11};
  request.set(http::field::host, url.host.find(':') != std::string::npos ? "[" + url.host + "]:" + url.port
                                                                         : url.host + ":" + url.port);
  request.set(http::field::user_agent, "kpistore-watch");
  request.set(http::field::content_type, "application/json");
  request.body() = body;
  request.prepare_payload();
  resolver.async_resolve(url.host, url.port, [&](const beast::error_code& e, asio::ip::tcp::resolver::results_type r) {
    if (e) return fail(e);
    stream.async_connect(r, [&](const beast::error_code& e2, const asio::ip::tcp::endpoint&) {
      if (e2) return fail(e2);
      http::async_write(stream, request, [&](const beast::error_code& e3, size_t) {
        if (e3) return fail(e3);
        http::async_read(stream, buffer, reply, [&](const beast::error_code& e4, size_t) {
          if (e4) return fail(e4);
          done = true;
        });
      });
    });
  });
  io.run_for(timeout + std::chrono::milliseconds(100));  // the stream's expiry ends it first
  if (!done) return Status::IOError("no reply within " + std::to_string(timeout.count()) + " ms");
  if (ec) {
    if (ec == beast::error::timeout) return Status::IOError("no reply within " + std::to_string(timeout.count()) + " ms");
    return Status::IOError(ec.message());
  }
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  const unsigned code = reply.result_int();
  if (code < 200 || code > 299) return Status::IOError("HTTP " + std::to_string(code));
  return Status::OK();
}

}  // namespace kpi::server
