#include "storage/codec/int_block_reader.h"

#include <algorithm>

#include "storage/codec/codec_internal.h"

namespace kpi::codec {

// The sub-blocks of one int block, read and checked for length but not
// unpacked: what Open() unpacks and validates, and what Skip() steps over.
struct IntBlockReader::Layout {
  Encoding encoding = Encoding::kIntConstant;
  size_t n = 0;
  uint64_t value = 0;  // constant: the value; delta: the first; patched: the frame min
  ForView packed;      // bitpacked, delta, patched
  size_t runs = 0;     // run-length
  ForView run_values, run_lengths;
  size_t exceptions = 0;  // patched
  ForView positions, highs;
};

Status IntBlockReader::ReadLayout(std::string_view* in, Layout* l) {
  std::string_view p = *in;
  uint8_t tag;
  if (!GetByte(&p, &tag)) return Corrupt("missing int block");
  KPI_RETURN_IF_ERROR(GetCount(&p, kMaxBlockValues, &l->n));
  l->encoding = static_cast<Encoding>(tag);
  uint64_t z;
  switch (l->encoding) {
    case Encoding::kIntConstant:
      if (!GetVarint64(&p, &z)) return Corrupt("truncated constant");
      l->value = static_cast<uint64_t>(UnZigZag(z));
      break;
    case Encoding::kIntBitpacked:
      KPI_RETURN_IF_ERROR(GetFor(&p, l->n, &l->packed));
      break;
    case Encoding::kIntRunLength:
      KPI_RETURN_IF_ERROR(GetCount(&p, l->n, &l->runs));  // every run holds >= 1 value
      if ((l->runs == 0) != (l->n == 0)) return Corrupt("run count inconsistent with value count");
      KPI_RETURN_IF_ERROR(GetFor(&p, l->runs, &l->run_values));
      KPI_RETURN_IF_ERROR(GetFor(&p, l->runs, &l->run_lengths));
      break;
    case Encoding::kIntDelta:
      if (l->n == 0) break;
      if (!GetVarint64(&p, &z)) return Corrupt("truncated delta start");
      l->value = static_cast<uint64_t>(UnZigZag(z));
      KPI_RETURN_IF_ERROR(GetFor(&p, l->n - 1, &l->packed));
      break;
    case Encoding::kIntPatched:
      if (!GetVarint64(&p, &z)) return Corrupt("truncated patched frame");
      l->value = static_cast<uint64_t>(UnZigZag(z));
      KPI_RETURN_IF_ERROR(GetFor(&p, l->n, &l->packed));
      if (l->packed.base != 0) return Corrupt("patched low parts must be framed at 0");
      KPI_RETURN_IF_ERROR(GetCount(&p, l->n, &l->exceptions));
      KPI_RETURN_IF_ERROR(GetFor(&p, l->exceptions, &l->positions));
      KPI_RETURN_IF_ERROR(GetFor(&p, l->exceptions, &l->highs));
      break;
    default:
      return Corrupt("not an int block");
  }
  *in = p;
  return Status::OK();
}

Status IntBlockReader::Skip(std::string_view* in) {
  Layout l;
  return ReadLayout(in, &l);
}

Status IntBlockReader::Open(std::string_view* in) {
  std::string_view p = *in;
  Layout l;
  KPI_RETURN_IF_ERROR(ReadLayout(&p, &l));
  encoding_ = l.encoding;
  n_ = l.n;
  pos_ = 0;
  value_ = l.value;
  packed_ = l.packed;
  if (encoding_ == Encoding::kIntRunLength) KPI_RETURN_IF_ERROR(UnpackRuns(l));
  if (encoding_ == Encoding::kIntPatched) KPI_RETURN_IF_ERROR(UnpackPatches(l));
  *in = p;
  return Status::OK();
}

Status IntBlockReader::UnpackRuns(const Layout& l) {
  run_values_.resize(l.runs);
  run_lengths_.resize(l.runs);
  UnpackFor(l.run_values, run_values_.data());
  UnpackFor(l.run_lengths, run_lengths_.data());
  uint64_t total = 0;
  for (uint64_t len : run_lengths_) {
    if (len == 0 || len > n_ - total) return Corrupt("run lengths do not add up to the value count");
    total += len;
  }
  if (total != n_) return Corrupt("run lengths do not add up to the value count");
  run_ = 0;
  run_left_ = l.runs == 0 ? 0 : run_lengths_[0];
  return Status::OK();
}

Status IntBlockReader::UnpackPatches(const Layout& l) {
  patch_width_ = packed_.width;
  patch_positions_.resize(l.exceptions);
  patch_highs_.resize(l.exceptions);
  UnpackFor(l.positions, patch_positions_.data());
  UnpackFor(l.highs, patch_highs_.data());
  for (size_t i = 0; i < l.exceptions; ++i) {
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
