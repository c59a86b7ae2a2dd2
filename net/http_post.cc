// One HTTP POST with a deadline (see net/http_post.h).
#include "net/http_post.h"

#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace kpi::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::string HostHeader(const std::string& host, const std::string& port) {
  return host.find(':') != std::string::npos ? "[" + host + "]:" + port : host + ":" + port;
}

Status HttpPost(const HttpPostRequest& request, HttpReply* reply) {
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  beast::error_code ec;
  http::response_parser<http::string_body> parser;
  parser.body_limit(request.body_limit);
  beast::flat_buffer buffer;
  bool done = false;
  // Asynchronous steps so that the stream's one expiry bounds them all.
  stream.expires_after(request.timeout);
  auto fail = [&](const beast::error_code& e) {
    ec = e;
    done = true;
  };
  http::request<http::string_body> message{http::verb::post, request.target, 11};
  message.set(http::field::host, HostHeader(request.host, request.port));
  message.set(http::field::user_agent, request.user_agent);
  if (!request.content_type.empty()) message.set(http::field::content_type, request.content_type);
  message.body() = request.body;
  message.prepare_payload();
  resolver.async_resolve(request.host, request.port,
                         [&](const beast::error_code& e, asio::ip::tcp::resolver::results_type r) {
                           if (e) return fail(e);
                           stream.async_connect(r, [&](const beast::error_code& e2, const asio::ip::tcp::endpoint&) {
                             if (e2) return fail(e2);
                             http::async_write(stream, message, [&](const beast::error_code& e3, size_t) {
                               if (e3) return fail(e3);
                               http::async_read(stream, buffer, parser, [&](const beast::error_code& e4, size_t) {
                                 if (e4) return fail(e4);
                                 done = true;
                               });
                             });
                           });
                         });
  // The stream's expiry ends the exchange first; resolving is not covered by
  // it, hence the bound on the loop as well.
  io.run_for(request.timeout + std::chrono::milliseconds(100));
  const std::string late = "no reply within " + std::to_string(request.timeout.count()) + " ms";
  if (!done || ec == beast::error::timeout) return Status::IOError(late);
  if (ec) return Status::IOError(ec.message());
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  http::response<http::string_body> response = parser.release();
  reply->status = response.result_int();
  reply->body = std::move(response.body());
  return Status::OK();
}

}  // namespace kpi::net
