// IntBlockReader: validates one int block (constant, bitpacked, run-length or
// delta; payloads described in int_codec.cc) and streams its values in chunks
// of at most kMaxChunk, as uint64 bit patterns of the int64 values. Callers
// that convert the values (to uint32, to scaled doubles) go through a small
// buffer instead of an int64 copy of the whole block. Internal to the codecs.
//
// Open() checks everything that can be checked up front (lengths, widths, run
// lengths adding up to the count), so Next() cannot fail. The reader points
// into the input it was opened on, which must outlive it. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "storage/codec/codec.h"
#include "storage/codec/frame_of_reference.h"
#include "storage/status.h"

namespace kpi::codec {

class IntBlockReader {
 public:
  static constexpr size_t kChunk = 256;           // a multiple of 8: chunks start byte-aligned
  static constexpr size_t kMaxChunk = kChunk + 1;  // a delta block's first chunk adds its first value

  // Parses the block at the front of *in and advances *in past it; on
  // Corruption *in is unchanged.
  Status Open(std::string_view* in);
  // Advances *in past the block reading only its headers (lengths checked,
  // nothing unpacked): for a reader that does not want the values.
  static Status Skip(std::string_view* in);

  Encoding encoding() const { return encoding_; }
  size_t size() const { return n_; }

  // Writes the next values (at most kMaxChunk) to out; returns how many,
  // 0 once all size() values were read.
  size_t Next(uint64_t* out);

  // Writes all size() values to out in one pass (faster than Next when the
  // values need no conversion). Only before the first Next().
  void ReadAll(uint64_t* out);

 private:
  struct Layout;
  static Status ReadLayout(std::string_view* in, Layout* layout);
  Status UnpackRuns(const Layout& layout);
  Status UnpackPatches(const Layout& layout);
  // Adds the patched exceptions that fall in [begin, begin + count) to out.
  void ApplyPatches(size_t begin, size_t count, uint64_t* out);

  Encoding encoding_ = Encoding::kIntConstant;
  size_t n_ = 0;
  size_t pos_ = 0;                // values returned so far
  uint64_t value_ = 0;            // constant: the value; delta: the last value returned
  ForView packed_;                // bitpacked: the values; delta: the n - 1 deltas
  const uint8_t* packed_end_ = nullptr;  // end of the readable input (lets unpacking use wide loads)
  std::vector<uint64_t> run_values_, run_lengths_;
  size_t run_ = 0;                // current run
  uint64_t run_left_ = 0;         // values of the current run not yet returned
  int patch_width_ = 0;           // patched: width of the low parts
  std::vector<uint64_t> patch_positions_, patch_highs_;
  size_t patch_ = 0;              // next exception to apply
};

}  // namespace kpi::codec
