// The fixture cluster of tests/clickhouse/cluster.sh for tests of the
// ClickHouse backend: reads the env file ctest's fixture `clickhouse` wrote
// (KPI_CLICKHOUSE_ENV) into a clickhouse::Config with a fresh database name.
//
// ClickHouseForTest(name, &config, &skip): false with *skip set when the
// cluster is not there: "clickhouse-server is not installed" (the only
// reason tests may skip), or, when it is installed, a message telling that
// the fixture did not run (then the caller fails: run through ctest).
// Thread safety: pure function.
#pragma once

#include <unistd.h>

#include <fstream>
#include <string>

#include "clickhouse/config.h"

namespace kpi::testing {

inline bool ClickHouseForTest(const std::string& name, clickhouse::Config* config, std::string* skip,
                              bool* installed) {
  *installed = access("/usr/sbin/clickhouse-server", X_OK) == 0;
  std::ifstream in(KPI_CLICKHOUSE_ENV);
  std::string line, url1, url2, cluster;
  while (std::getline(in, line)) {
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string k = line.substr(0, eq), v = line.substr(eq + 1);
    if (k == "CLICKHOUSE_URL") url1 = v;
    if (k == "CLICKHOUSE_URL2") url2 = v;
    if (k == "CLICKHOUSE_CLUSTER") cluster = v;
  }
  if (url1.empty()) {
    *skip = *installed ? std::string("no ClickHouse cluster running (") + KPI_CLICKHOUSE_ENV +
                             " missing): run the test through ctest, whose fixture clickhouse_cluster_start starts it"
                       : "SKIP: clickhouse-server is not installed (apt-get install clickhouse-server clickhouse-client)";
    return false;
  }
  std::string db = "t_";
  for (char c : name) db += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  db += "_" + std::to_string(getpid());
  config->urls = {url1, url2};
  config->database = db;
  config->cluster = cluster;
  return true;
}

}  // namespace kpi::testing

// In a test body: sets `config` or skips / fails.
#define KPI_CLICKHOUSE_OR_SKIP(name, config)                                      \
  do {                                                                            \
    std::string kpi_ch_skip;                                                      \
    bool kpi_ch_installed = false;                                                \
    if (!kpi::testing::ClickHouseForTest(name, &(config), &kpi_ch_skip, &kpi_ch_installed)) { \
      if (!kpi_ch_installed) GTEST_SKIP() << kpi_ch_skip;                         \
      FAIL() << kpi_ch_skip;                                                      \
    }                                                                             \
  } while (0)
