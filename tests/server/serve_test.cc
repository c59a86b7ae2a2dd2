// Serve(): the `kpi serve` entry point, in a child process so that real
// signals can stop it: it prints where it listens, serves, and on SIGTERM
// answers, seals and exits 0. Bad options return 2 without serving.
#include "server/serve.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "http_client.h"
#include "forked_server.h"
#include "server_test_util.h"

namespace kpi::server {
namespace {

using testing::Fetch;

TEST(ServeTest, BadOptionsReturnUsageStatus) {
  testing::ScratchStore scratch;
  std::FILE* log = std::tmpfile();
  ServeOptions options;
  options.log = log;
  options.tokens_file = scratch.dir.path() + "/missing-tokens";
  EXPECT_EQ(Serve(scratch.store.get(), options), 2);
  options.tokens_file.clear();
  options.listen = "no-port-here";
  EXPECT_EQ(Serve(scratch.store.get(), options), 2);
  options.listen.clear();
  EXPECT_EQ(Serve(scratch.store.get(), options), 2);  // nothing to listen on
  std::fclose(log);
}

TEST(ServeTest, ServesUntilSigtermThenExitsZero) {
  kpi::testing::ScratchDir dir("kpi-serve");
  testing::ForkedServer server =
      testing::ForkServe(dir.path() + "/db", [](ServeOptions*) {}, "listening on 127.0.0.1:%d");
  ASSERT_GE(server.pid, 0);
  const pid_t child = server.pid;
  const int port = server.port;
  std::FILE* log = server.log;
  char line[256];
  ASSERT_GT(port, 0) << "the server did not say where it listens";
  EXPECT_EQ(Fetch(static_cast<uint16_t>(port), "GET", "/health").status, 200);
  auto posted = Fetch(static_cast<uint16_t>(port), "POST", "/v1/events", testing::EventLines(1, 20));
  EXPECT_EQ(posted.status, 200) << posted.body;
  ASSERT_EQ(kill(child, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::string rest;
  while (std::fgets(line, sizeof line, log) != nullptr) rest += line;
  std::fclose(log);
  EXPECT_NE(rest.find("SIGTERM"), std::string::npos) << rest;
  // The uploaded events are in the store the server left.
  std::unique_ptr<storage::Store> store;
  ASSERT_TRUE(storage::Store::Open(dir.path() + "/db", storage::StoreOptions(), &store).ok());
  storage::StoreInfo info;
  ASSERT_TRUE(store->GetInfo(&info).ok());
  EXPECT_EQ(info.events, 20u);
}

}  // namespace
}  // namespace kpi::server
