// Where the ClickHouse backend's data lives (`--clickhouse-url`,
// `--database`, `--cluster`).
//
// `urls`: one or more http://HOST:PORT, comma-separated on the command line.
// The first is the node statements and inserts go to (the initiator) and
// the one holding the metadata tables; every one of them gets the schema
// (DDL is sent to each: ClickHouse 18.16's `ON CLUSTER` needs ZooKeeper).
// With a `cluster` (a remote_servers name in the servers' config) the
// events go through a Distributed table sharded by cityHash64(ticket), so
// list one node per shard; without one, a single server holds them.
// Thread safety: plain data; the parser is a pure function.
#pragma once

#include <string>
#include <vector>

namespace kpi::clickhouse {

struct Config {
  std::vector<std::string> urls;
  std::string database = "kpi";
  std::string cluster;  // empty: one server
};

// Splits "http://a:8123,http://b:8123" into urls. False with *why when empty
// or when the database or cluster name is not a plain identifier.
bool ParseConfig(const std::string& url_list, const std::string& database, const std::string& cluster, Config* out,
                 std::string* why);

}  // namespace kpi::clickhouse
