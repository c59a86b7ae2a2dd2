// POST /v1/backup while 8 clients upload: the restored backup holds exactly
// the uploads acknowledged before the backup request, none started after its
// answer, and each upload in between whole or not at all. Also: the admin
// role and refused targets (tests/cli/backup_cli_test.cc runs the commands).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "http_client.h"
#include "live_server_fixture.h"
#include "server/auth.h"
#include "server_test_util.h"
#include "storage/backup.h"

namespace kpi::server::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kClients = 8;
constexpr int kPerUpload = 40;

struct Upload {
  int first = 0;  // tickets first .. first + kPerUpload - 1
  Clock::time_point sent, acked;
};

// Tickets of the store at `dir`, counted by their number (T%06d).
std::map<int, int> EventsPerTicket(const std::string& dir) {
  std::map<int, int> out;
  std::unique_ptr<storage::Store> store;
  storage::StoreOptions o;
  o.create_if_missing = false;
  EXPECT_TRUE(storage::Store::Open(dir, o, &store).ok());
  if (!store) return out;
  auto snap = store->GetSnapshot();
  for (const auto& ref : snap->Plan(storage::ScanSpec{}, nullptr)) {
    std::shared_ptr<const storage::Segment> seg;
    EXPECT_TRUE(snap->Load(ref, &seg).ok());
    for (uint32_t t = 0; t < seg->num_tickets(); ++t)
      out[std::stoi(seg->ticket_ids[t].substr(1))] += static_cast<int>(seg->event_begin[t + 1] - seg->event_begin[t]);
  }
  return out;
}

class BackupHttpTest : public LiveServerTest {};

TEST_F(BackupHttpTest, BackupDuringUploadsRestoresExactlyTheAcknowledgedSet) {
  StartCounting();
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<Upload> uploads;
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      for (int u = 0; !stop; ++u) {
        Upload up;
        up.first = c * 100000 + u * kPerUpload;
        up.sent = Clock::now();
        HttpReply r = Fetch(port_, "POST", "/v1/events", EventLines(up.first, kPerUpload));
        up.acked = Clock::now();
        ASSERT_EQ(r.status, 200) << r.body;
        std::lock_guard lock(mu);
        uploads.push_back(up);
      }
    });
  }
  // Waits (up to a guard of 2 minutes) until `enough` holds of the
  // acknowledged uploads: what the checks below need, however slow the
  // machine, rather than a fixed time.
  const auto wait_for = [&](const std::function<bool(const std::vector<Upload>&)>& enough) {
    for (const Clock::time_point guard = Clock::now() + std::chrono::minutes(2); Clock::now() < guard;) {
      {
        std::lock_guard lock(mu);
        if (enough(uploads)) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  };
  const bool before_enough = wait_for([](const std::vector<Upload>& u) { return u.size() > 20; });
  const std::string backup = scratch_.dir / "backup";
  const Clock::time_point asked = Clock::now();
  HttpReply r = Fetch(port_, "POST", "/v1/backup?to=" + backup);
  const Clock::time_point answered = Clock::now();
  const bool after_enough = wait_for([&](const std::vector<Upload>& u) {
    return std::any_of(u.begin(), u.end(), [&](const Upload& up) { return up.sent > answered; });
  });
  stop = true;
  for (std::thread& t : clients) t.join();
  ASSERT_TRUE(before_enough) << "fewer than 21 uploads acknowledged in 2 minutes";
  ASSERT_TRUE(after_enough) << "no upload sent after the backup acknowledged in 2 minutes";
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"backup\":\"" + backup + "\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"last_batch\":"), std::string::npos) << r.body;

  const std::string restored = scratch_.dir / "restored";
  storage::RestoreInfo info;
  const Status s = storage::RestoreStore(backup, restored, false, &info);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const std::map<int, int> got = EventsPerTicket(restored);
  int before = 0, after = 0, in_flight_present = 0, expected_events = 0;
  for (const Upload& up : uploads) {
    int present = 0;
    for (int i = 0; i < kPerUpload; ++i) {
      auto it = got.find(up.first + i);
      if (it != got.end()) {
        EXPECT_EQ(it->second, 1) << "ticket " << up.first + i << " doubled";
        present++;
      }
    }
    ASSERT_TRUE(present == 0 || present == kPerUpload) << "upload from " << up.first << " partial: " << present;
    if (up.acked < asked) {
      EXPECT_EQ(present, kPerUpload) << "acknowledged before the backup, missing: " << up.first;
      before++;
    } else if (up.sent > answered) {
      EXPECT_EQ(present, 0) << "sent after the backup, present: " << up.first;
      after++;
    } else if (present > 0) {
      in_flight_present++;
    }
    expected_events += present;
  }
  EXPECT_EQ(static_cast<int>(got.size()), expected_events) << "tickets no upload sent";
  EXPECT_EQ(info.events, static_cast<uint64_t>(expected_events));
  EXPECT_GT(before, 20) << "too few uploads before the backup to mean anything";
  EXPECT_GT(after, 0) << "no upload after the backup";
  std::printf("uploads: %d acknowledged before, %d in flight present, %d sent after; %d events in the backup\n",
              before, in_flight_present, after, expected_events);
}

TEST_F(BackupHttpTest, RefusedTargetsAndRoles) {
  TokenTable tokens;
  ASSERT_TRUE(TokenTable::Parse("writer-token-1 write\nadmin-token-1 admin\n", &tokens).ok());
  StartCounting(&tokens);
  const std::string admin = "Authorization: Bearer admin-token-1\r\n";
  const std::string dir = scratch_.dir / "b1";
  EXPECT_EQ(Fetch(port_, "POST", "/v1/backup?to=" + dir, "", "Authorization: Bearer writer-token-1\r\n").status, 403);
  EXPECT_EQ(Fetch(port_, "POST", "/v1/backup?to=" + dir).status, 401);
  EXPECT_EQ(Fetch(port_, "GET", "/v1/backup?to=" + dir, "", admin).status, 405);
  EXPECT_EQ(Fetch(port_, "POST", "/v1/backup", "", admin).status, 400);
  EXPECT_EQ(Fetch(port_, "POST", "/v1/backup?to=relative/dir", "", admin).status, 400);
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_EQ(Fetch(port_, "POST", "/v1/backup?to=" + dir, "", admin).status, 200);
  HttpReply again = Fetch(port_, "POST", "/v1/backup?to=" + dir, "", admin);
  EXPECT_EQ(again.status, 400);
  EXPECT_NE(again.body.find("exists"), std::string::npos) << again.body;
}

}  // namespace
}  // namespace kpi::server::testing
