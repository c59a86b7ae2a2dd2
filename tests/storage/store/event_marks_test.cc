// EventMarks (storage/event_marks.h): the look-ahead's per-batch set of
// event indexes holds exactly the indexes marked, merges by union, and costs
// a bit per event up to the highest marked.
#include <gtest/gtest.h>

#include <vector>

#include "storage/event_marks.h"

namespace kpi::storage {
namespace {

TEST(EventMarksTest, HoldsExactlyTheMarkedIndexesAndMergesByUnion) {
  const std::vector<uint32_t> first = {0, 3, 63, 64, 200};
  EventMarks marks(first);
  for (uint32_t i = 0; i < 300; ++i)
    EXPECT_EQ(marks.Marked(i), i == 0 || i == 3 || i == 63 || i == 64 || i == 200) << i;
  const std::vector<uint32_t> second = {3, 65, 1000};
  marks.Add(EventMarks(second));
  for (uint32_t i = 0; i < 1100; ++i)
    EXPECT_EQ(marks.Marked(i), i == 0 || i == 3 || i == 63 || i == 64 || i == 65 || i == 200 || i == 1000) << i;
  EXPECT_FALSE(marks.empty());
  EXPECT_TRUE(EventMarks().empty());
  EXPECT_FALSE(EventMarks().Marked(0));
}

TEST(EventMarksTest, CostsABitPerEventUpToTheHighestMarked) {
  std::vector<uint32_t> half;
  for (uint32_t i = 0; i < 65536; i += 2) half.push_back(i);
  const EventMarks marks(half);
  EXPECT_LE(marks.MemoryBytes(), 65536u / 8) << "a sorted vector of indexes took " << half.size() * 4;
}

}  // namespace
}  // namespace kpi::storage
