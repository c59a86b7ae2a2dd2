// UploadGate: uploads enter while their bytes fit, a big one enters alone,
// and leaving lets the waiting ones in.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include "server/upload_gate.h"

namespace kpi::server {
namespace {

// Checks that an upload of `bytes` waits while `holder` is inside and
// enters once it leaves.
void ExpectWaitsFor(UploadGate& gate, std::optional<UploadGate::Pass>& holder, uint64_t bytes) {
  std::atomic<bool> entered{false};
  std::thread t([&] {
    auto p = gate.Enter(bytes);
    entered = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(entered.load()) << "entered while it did not fit";
  holder.reset();
  t.join();
  EXPECT_TRUE(entered.load());
  EXPECT_EQ(gate.inside(), 0u);
}

TEST(UploadGate, SmallUploadsEnterTogether) {
  UploadGate gate(100);
  auto a = gate.Enter(40);
  auto b = gate.Enter(60);
  EXPECT_EQ(gate.inside(), 100u);
}

TEST(UploadGate, WaitsUntilItsBytesFitThenEnters) {
  UploadGate gate(100);
  std::optional<UploadGate::Pass> first(gate.Enter(70));
  ExpectWaitsFor(gate, first, 50);
}

TEST(UploadGate, AnUploadLargerThanTheCapacityEntersAlone) {
  UploadGate gate(100);
  {
    auto big = gate.Enter(500);  // an empty gate admits it
    EXPECT_EQ(gate.inside(), 500u);
  }
  std::optional<UploadGate::Pass> small(gate.Enter(10));
  ExpectWaitsFor(gate, small, 500);
}

}  // namespace
}  // namespace kpi::server
