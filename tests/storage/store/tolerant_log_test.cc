// The store's RocksDB info log (storage/tolerant_log_env.h) survives write
// errors. RocksDB's own logger, after one failed append, aborted the process
// (an assertion of Debian's RocksDB) at the next line: a disk that filled up
// while `kpi ingest` staged a batch killed it with SIGABRT instead of
// returning the IOError (reproduced on a 3 MB tmpfs, 1 run in 2).
#include "storage/tolerant_log_env.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "test_util.h"

namespace kpi::storage {
namespace {

void Log(rocksdb::Logger* logger, rocksdb::InfoLogLevel level, const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  logger->Logv(level, format, ap);
  va_end(ap);
}

TEST(TolerantLogTest, FullDeviceDropsLinesWithoutAborting) {
  TolerantLogEnv env(rocksdb::Env::Default());
  std::shared_ptr<rocksdb::Logger> logger;
  ASSERT_TRUE(env.NewLogger("/dev/full", &logger).ok());  // every write: ENOSPC
  for (int i = 0; i < 100; ++i) Log(logger.get(), rocksdb::InfoLogLevel::ERROR_LEVEL, "line %d", i);
  logger->Flush();
  EXPECT_EQ(logger->GetLogFileSize(), 0u);
  EXPECT_TRUE(logger->Close().ok());
}

TEST(TolerantLogTest, WritesLinesLikeRocksDb) {
  kpi::testing::ScratchDir scratch;
  const std::string path = scratch / "LOG";
  TolerantLogEnv env(rocksdb::Env::Default());
  std::shared_ptr<rocksdb::Logger> logger;
  ASSERT_TRUE(env.NewLogger(path, &logger).ok());
  Log(logger.get(), rocksdb::InfoLogLevel::INFO_LEVEL, "%s: dropping %d bytes", "/db/000012.log", 1234);
  Log(logger.get(), rocksdb::InfoLogLevel::DEBUG_LEVEL, "below the level: not written");
  Log(logger.get(), rocksdb::InfoLogLevel::INFO_LEVEL, "%s", std::string(10000, 'x').c_str());
  ASSERT_TRUE(logger->Close().ok());
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string s = text.str();
  EXPECT_NE(s.find(" /db/000012.log: dropping 1234 bytes\n"), std::string::npos) << s;
  EXPECT_EQ(s.find("below the level"), std::string::npos);
  EXPECT_NE(s.find(std::string(10000, 'x') + "\n"), std::string::npos);
  EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 2);
  EXPECT_EQ(s[4], '/');  // "2026/12/07-13:57:01.123456 <thread> ..."
  EXPECT_EQ(s[10], '-');
}

}  // namespace
}  // namespace kpi::storage
