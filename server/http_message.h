// Request and Response: the HTTP exchange as plain values, with no Beast or
// socket types, so the router (server/router.h) is a pure function that tests
// call directly.
//
// A Request holds what the HTTP layer read: the method and target verbatim,
// the header fields (names compared case-insensitively by Header()), the whole
// body, and whether the peer is trusted (loopback TCP or the Unix socket),
// which decides access when the server runs without a token file.
// A Response holds the status, the content type, the body, any extra header
// fields (Allow, WWW-Authenticate, ...) and whether the connection must close.
// Thread safety: plain values.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kpi::server {

struct Request {
  std::string method;  // "GET", "POST", ... as sent
  std::string target;  // "/v1/query?q=select%20..." as sent
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool trusted_peer = false;  // loopback TCP or Unix-domain socket client

  // Value of the first header named `name` (case-insensitive), or "".
  std::string_view Header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra fields
  bool close = false;  // the server closes the connection after sending it
};

// The reason phrase of an HTTP status code ("Not Found"); "Unknown" if none.
const char* StatusReason(int status);

// {"error":{"message":"..."}} with status `status`.
Response ErrorResponse(int status, std::string_view message);

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace kpi::server
