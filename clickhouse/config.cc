// --clickhouse-url / --database / --cluster (see clickhouse/config.h).
#include "clickhouse/config.h"

#include <cctype>

namespace kpi::clickhouse {

namespace {
bool PlainName(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (unsigned char c : s)
    if (!std::isalnum(c) && c != '_') return false;
  return true;
}
}  // namespace

bool ParseConfig(const std::string& url_list, const std::string& database, const std::string& cluster, Config* out,
                 std::string* why) {
  out->urls.clear();
  size_t start = 0;
  while (start <= url_list.size()) {
    size_t comma = url_list.find(',', start);
    if (comma == std::string::npos) comma = url_list.size();
    std::string url = url_list.substr(start, comma - start);
    while (!url.empty() && url.back() == '/') url.pop_back();
    if (!url.empty()) out->urls.push_back(url);
    start = comma + 1;
  }
  if (out->urls.empty()) {
    *why = "--clickhouse-url is required with --backend clickhouse (http://HOST:8123)";
    return false;
  }
  if (!PlainName(database)) {
    *why = "--database must be a plain name (letters, digits, _), got '" + database + "'";
    return false;
  }
  if (!cluster.empty() && !PlainName(cluster)) {
    *why = "--cluster must be a plain name (letters, digits, _), got '" + cluster + "'";
    return false;
  }
  out->database = database;
  out->cluster = cluster;
  return true;
}

}  // namespace kpi::clickhouse
