// Frame-of-reference sub-block, the building block of the integer, presence
// and run-length payloads: varint zigzag(min), one byte bit width (0..64),
// then the n values bit-packed as (value - min). The value count is not part
// of the sub-block: the enclosing payload stores it. Internal to the codecs.
//
// The range max - min is computed in uint64, so any int64 span (even
// INT64_MIN..INT64_MAX) packs exactly. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace kpi::codec {

// Bit width of the frame [min, max].
int ForWidth(int64_t min, int64_t max);

// Exact bytes PutFor writes for n values within [min, max].
size_t ForSize(size_t n, int64_t min, int64_t max);

// Appends the sub-block for values[0..n), all of which lie in [min, max].
void PutFor(const int64_t* values, size_t n, int64_t min, int64_t max, std::string* out);

// A validated sub-block, still packed; points into the input it was read from.
struct ForView {
  uint64_t base = 0;  // min, as its uint64 bit pattern
  int width = 0;
  size_t n = 0;
  const uint8_t* packed = nullptr;
  size_t readable = 0;  // bytes that may be read from `packed` (>= the packed size)
};

// Reads the header of a sub-block of n values, checks the packed bytes are all
// present and advances *in past them. Corruption otherwise (*in unchanged).
Status GetFor(std::string_view* in, size_t n, ForView* view);

// Writes the view's n values (as uint64 bit patterns) to out[0..n).
void UnpackFor(const ForView& view, uint64_t* out);

// Writes values [begin, begin + count) of the view to out. Requires
// begin % 8 == 0 (so the range starts on a byte) and begin + count <= n.
void UnpackForRange(const ForView& view, size_t begin, size_t count, uint64_t* out);

}  // namespace kpi::codec
