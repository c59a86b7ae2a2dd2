// HttpPost: one HTTP/1.1 POST over a new plain-TCP connection, with one
// deadline bounding the whole exchange (resolve, connect, send, read the
// reply). Used by the ClickHouse client and the webhook sender, which each
// decide what a reply status means.
//
// Returns OK with the reply's status and body for any HTTP reply (a 500 is
// still a reply); IOError for no reply: "no reply within N ms" on the
// deadline, else the transport's reason ("Connection refused"). A reply
// body larger than `body_limit` is an IOError. Redirects are not followed.
// Thread safety: callable from any thread; each call has its own io_context.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "storage/status.h"

namespace kpi::net {

struct HttpPostRequest {
  std::string host, port;  // host without brackets, also for IPv6 literals
  std::string target = "/";
  std::string body;
  std::string content_type;  // empty: no Content-Type header
  std::string user_agent = "kpistore";
  std::chrono::milliseconds timeout{10000};
  size_t body_limit = size_t{8} << 20;  // of the reply
};

struct HttpReply {
  unsigned status = 0;
  std::string body;
};

Status HttpPost(const HttpPostRequest& request, HttpReply* reply);

// The Host header's value: HOST:PORT, the host in brackets when it is an
// IPv6 literal.
std::string HostHeader(const std::string& host, const std::string& port);

}  // namespace kpi::net
