// HttpClient: ClickHouse's HTTP interface (port 8123), one POST per call,
// with Boost.Beast over plain TCP.
//
//   Query(sql)              POSTs the statement as the body; *reply gets the
//                           answer's body (TabSeparated unless the SQL says
//                           otherwise)
//   Insert(sql, data)       POSTs `data` as the body with `sql` (an INSERT
//                           ... FORMAT ...) in the `query` URL parameter
// Settings (e.g. distributed_group_by_no_merge=1) go in the URL as
// parameters. Every exchange is bounded by `timeout`. A refused or
// timed-out connection is IOError("clickhouse at URL: ..."); an HTTP error
// status is IOError with ClickHouse's exception text (its first line), so a
// stopped shard mid-query is an error, never a partial answer.
// Thread safety: const methods; each call uses its own connection.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "storage/status.h"

namespace kpi::clickhouse {

class HttpClient {
 public:
  // `url`: http://HOST:PORT (a path is ignored). Check ok() before use.
  explicit HttpClient(const std::string& url, std::chrono::milliseconds timeout = std::chrono::seconds(600));
  const Status& status() const { return status_; }
  const std::string& url() const { return url_; }

  using Params = std::vector<std::pair<std::string, std::string>>;
  Status Query(const std::string& sql, std::string* reply, const Params& params = {}) const;
  Status Insert(const std::string& sql, const std::string& data, const Params& params = {}) const;

 private:
  Status Post(const std::string& target, const std::string& body, std::string* reply) const;

  std::string url_, host_, port_;
  std::chrono::milliseconds timeout_;
  Status status_;
};

// Percent-encodes a URL parameter value.
std::string UrlEncode(const std::string& s);

}  // namespace kpi::clickhouse
