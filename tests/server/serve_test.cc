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
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(pipe_fds[0]);
    std::unique_ptr<storage::Store> store;
    storage::StoreOptions store_options;
    store_options.sync = false;
    if (!storage::Store::Open(dir.path() + "/db", store_options, &store).ok()) _exit(90);
    ServeOptions options;
    options.listen = "127.0.0.1:0";
    options.log = fdopen(pipe_fds[1], "w");
    int code = Serve(store.get(), options);
    store.reset();
    _exit(code);
  }
  close(pipe_fds[1]);
  std::FILE* log = fdopen(pipe_fds[0], "r");
  char line[256];
  int port = 0;
  while (port == 0 && std::fgets(line, sizeof line, log) != nullptr) {
    std::sscanf(line, "listening on 127.0.0.1:%d", &port);
  }
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
