#include "storage/codec/int_block_reader.h"

#include <algorithm>

#include "storage/codec/codec_internal.h"

namespace kpi::codec {

Status IntBlockReader::Open(std::string_view* in) {
  std::string_view p = *in;
  uint8_t tag;
  if (!GetByte(&p, &tag)) return Corrupt("missing int block");
  KPI_RETURN_IF_ERROR(GetCount(&p, kMaxBlockValues, &n_));
  encoding_ = static_cast<Encoding>(tag);
  pos_ = 0;
  switch (encoding_) {
    case Encoding::kIntConstant: {
      uint64_t z;
      if (!GetVarint64(&p, &z)) return Corrupt("truncated constant");
      value_ = static_cast<uint64_t>(UnZigZag(z));
      break;
    }
    case Encoding::kIntBitpacked: KPI_RETURN_IF_ERROR(GetFor(&p, n_, &packed_)); break;
    case Encoding::kIntRunLength: KPI_RETURN_IF_ERROR(OpenRunLength(&p)); break;
    case Encoding::kIntDelta: KPI_RETURN_IF_ERROR(OpenDelta(&p)); break;
    case Encoding::kIntPatched: KPI_RETURN_IF_ERROR(OpenPatched(&p)); break;
    default: return Corrupt("not an int block");
  }
  *in = p;
  return Status::OK();
}

Status IntBlockReader::OpenRunLength(std::string_view* in) {
  size_t runs;
  KPI_RETURN_IF_ERROR(GetCount(in, n_, &runs));  // every run holds >= 1 value
  if ((runs == 0) != (n_ == 0)) return Corrupt("run count inconsistent with value count");
  ForView values, lengths;
  KPI_RETURN_IF_ERROR(GetFor(in, runs, &values));
  KPI_RETURN_IF_ERROR(GetFor(in, runs, &lengths));
  run_values_.resize(runs);
  run_lengths_.resize(runs);
  UnpackFor(values, run_values_.data());
  UnpackFor(lengths, run_lengths_.data());
  uint64_t total = 0;
  for (uint64_t len : run_lengths_) {
    if (len == 0 || len > n_ - total) return Corrupt("run lengths do not add up to the value count");
    total += len;
  }
  if (total != n_) return Corrupt("run lengths do not add up to the value count");
  run_ = 0;
  run_left_ = runs == 0 ? 0 : run_lengths_[0];
  return Status::OK();
}

Status IntBlockReader::OpenDelta(std::string_view* in) {
  if (n_ == 0) return Status::OK();
  uint64_t zfirst;
  if (!GetVarint64(in, &zfirst)) return Corrupt("truncated delta start");
  value_ = static_cast<uint64_t>(UnZigZag(zfirst));
  return GetFor(in, n_ - 1, &packed_);
}

Status IntBlockReader::OpenPatched(std::string_view* in) {
  uint64_t zmin;
  if (!GetVarint64(in, &zmin)) return Corrupt("truncated patched frame");
  value_ = static_cast<uint64_t>(UnZigZag(zmin));
  KPI_RETURN_IF_ERROR(GetFor(in, n_, &packed_));
  if (packed_.base != 0) return Corrupt("patched low parts must be framed at 0");
  patch_width_ = packed_.width;
  size_t exceptions;
  KPI_RETURN_IF_ERROR(GetCount(in, n_, &exceptions));
  ForView positions, highs;
  KPI_RETURN_IF_ERROR(GetFor(in, exceptions, &positions));
  KPI_RETURN_IF_ERROR(GetFor(in, exceptions, &highs));
  patch_positions_.resize(exceptions);
  patch_highs_.resize(exceptions);
  UnpackFor(positions, patch_positions_.data());
  UnpackFor(highs, patch_highs_.data());
  for (size_t i = 0; i < exceptions; ++i) {
    if (patch_positions_[i] >= n_ || (i > 0 && patch_positions_[i] <= patch_positions_[i - 1]))
      return Corrupt("patched positions out of order");
    if (patch_width_ >= 64) return Corrupt("patched width leaves no room for exceptions");
  }
  patch_ = 0;
  return Status::OK();
}

void IntBlockReader::ApplyPatches(size_t begin, size_t count, uint64_t* out) {
  while (patch_ < patch_positions_.size() && patch_positions_[patch_] < begin + count) {
    out[patch_positions_[patch_] - begin] |= patch_highs_[patch_] << patch_width_;
    ++patch_;
  }
  for (size_t i = 0; i < count; ++i) out[i] += value_;  // wrapping: undoes v - min
}

void IntBlockReader::ReadAll(uint64_t* out) {
  switch (encoding_) {
    case Encoding::kIntConstant:
      std::fill_n(out, n_, value_);
      break;
    case Encoding::kIntBitpacked:
      UnpackFor(packed_, out);
      break;
    case Encoding::kIntRunLength:
      for (size_t r = 0; r < run_values_.size(); ++r) out = std::fill_n(out, run_lengths_[r], run_values_[r]);
      break;
    case Encoding::kIntPatched:
      UnpackFor(packed_, out);
      ApplyPatches(0, n_, out);
      break;
    case Encoding::kIntDelta:
      if (n_ == 0) break;
      out[0] = value_;
      UnpackFor(packed_, out + 1);
      for (size_t i = 1; i < n_; ++i) out[i] += out[i - 1];  // wrapping prefix sum
      break;
    default:
      break;  // Open() rejected every other tag
  }
  pos_ = n_;
}

size_t IntBlockReader::Next(uint64_t* out) {
  if (pos_ == n_) return 0;
  size_t count = std::min(kChunk, n_ - pos_);
  switch (encoding_) {
    case Encoding::kIntConstant:
      std::fill_n(out, count, value_);
      break;
    case Encoding::kIntBitpacked:
      UnpackForRange(packed_, pos_, count, out);
      break;
    case Encoding::kIntPatched:
      UnpackForRange(packed_, pos_, count, out);
      ApplyPatches(pos_, count, out);
      break;
    case Encoding::kIntRunLength:
      for (size_t filled = 0; filled < count;) {
        const size_t take = static_cast<size_t>(std::min<uint64_t>(run_left_, count - filled));
        std::fill_n(out + filled, take, run_values_[run_]);
        filled += take;
        run_left_ -= take;
        if (run_left_ == 0 && run_ + 1 < run_values_.size()) run_left_ = run_lengths_[++run_];
      }
      break;
    case Encoding::kIntDelta: {
      // Value i is the first value plus deltas [0, i); delta j sits at packed
      // index j, so chunks after the first (which adds the first value) start
      // at packed index pos_ - 1, a multiple of kChunk.
      uint64_t* deltas = out;
      size_t num_deltas = count;
      if (pos_ == 0) {
        out[0] = value_;
        deltas = out + 1;
        num_deltas = std::min(kChunk, n_ - 1);
        count = num_deltas + 1;
      }
      UnpackForRange(packed_, pos_ == 0 ? 0 : pos_ - 1, num_deltas, deltas);
      uint64_t running = value_;
      for (size_t i = 0; i < num_deltas; ++i) deltas[i] = running += deltas[i];  // wrapping prefix sum
      value_ = running;
      break;
    }
    default:
      return 0;  // Open() rejected every other tag
  }
  pos_ += count;
  return count;
}

}  // namespace kpi::codec
