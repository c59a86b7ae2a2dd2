// Plain values and vectors, appended to bytes and read back: the field
// encoding of derived values written to disk (disk_memo.h) and of kept
// aggregate states (aggregate.h EncodeGroups). Reads check every length
// against the bytes left, so bytes that do not decode whole are refused
// (never read past the end). Host byte order: the files that hold them name
// the build that wrote them.
//   Vector: its size (u64), then its elements as in memory.
//   Ints (a vector of integers): its size (u64), a width w (u8, 0-8), the
//     smallest element b (as the type), then each element minus b in w
//     bytes: per-ticket codes, counts and times take 1-6 bytes instead of
//     4-8, and a vector of one repeated value none. Reading it widens each
//     element back (about a copy's cost); fewer bytes are fewer to checksum
//     and map (docs/performance.md, "Derived values on disk").
//   Doubles: a mode byte; 1: every value is a whole number (below 2^53 in
//     magnitude, not -0), stored as Ints; 0: the Vector.
//   Field: Ints for integer vectors, Doubles for doubles, Vector for others.
// Counts read from the bytes are bounded before anything is allocated: a
// Vector's or a width-1..8 Ints' count by the bytes left, and a width-0
// Ints' (which holds no bytes) by the reader's max_repeated, the most
// elements its caller's values can have (kDefaultMaxRepeated unless the
// caller knows better, e.g. from the segment a derived value belongs to):
// bytes a hostile writer made to pass the checksums cannot ask for more.
// Thread safety: a Writer / Reader is its caller's.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace kpi::query {

namespace byte_fields_internal {

// Bytes needed for `range` (0 for 0).
inline int WidthOf(uint64_t range) {
  int w = 0;
  while (range != 0) {
    ++w;
    range >>= 8;
  }
  return w;
}

// Widths of a whole unsigned type load as that type (loops the compiler
// vectorizes); the others byte by byte.
template <int W>
using WidthType = std::conditional_t<
    W == 1, uint8_t, std::conditional_t<W == 2, uint16_t, std::conditional_t<W == 4, uint32_t, uint64_t>>>;

// Each element base + its W-byte difference, as a T, stored as an O.
template <typename T, int W, typename O = T>
void Widen(const char* in, size_t n, T base, O* out) {
  using U = std::make_unsigned_t<T>;
  if constexpr (W == 1 || W == 2 || W == 4 || W == 8) {
    for (size_t i = 0; i < n; ++i) {
      WidthType<W> d;
      std::memcpy(&d, in + i * W, W);
      out[i] = static_cast<O>(static_cast<T>(static_cast<U>(static_cast<U>(base) + static_cast<U>(d))));
    }
  } else {
    for (size_t i = 0; i < n; ++i) {
      uint64_t d = 0;
      if constexpr (W > 0) std::memcpy(&d, in + i * W, W);
      out[i] = static_cast<O>(static_cast<T>(static_cast<U>(static_cast<U>(base) + static_cast<U>(d))));
    }
  }
}

template <typename T, int W>
void Narrow(const T* in, size_t n, T base, char* out) {
  using U = std::make_unsigned_t<T>;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t d = static_cast<U>(static_cast<U>(in[i]) - static_cast<U>(base));
    std::memcpy(out + i * W, &d, W);
  }
}

}  // namespace byte_fields_internal

struct ByteWriter {
  std::string* out;
  template <typename T>
  void Pod(T v) {
    static_assert(std::is_trivially_copyable_v<T>);
    out->append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  template <typename T>
  void Vector(const std::vector<T>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    Pod<uint64_t>(v.size());
    out->append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
  template <typename T>
  void Ints(const std::vector<T>& v) {
    static_assert(std::is_integral_v<T> && sizeof(T) <= 8);
    using U = std::make_unsigned_t<T>;
    namespace bf = byte_fields_internal;
    T lo = v.empty() ? T{0} : v[0], hi = lo;
    for (T x : v) {
      lo = x < lo ? x : lo;
      hi = x > hi ? x : hi;
    }
    const int w = bf::WidthOf(static_cast<U>(static_cast<U>(hi) - static_cast<U>(lo)));
    Pod<uint64_t>(v.size());
    Pod<uint8_t>(static_cast<uint8_t>(w));
    Pod<T>(lo);
    const size_t at = out->size();
    out->resize(at + v.size() * static_cast<size_t>(w));
    char* dst = out->data() + at;
    switch (w) {
      case 1: bf::Narrow<T, 1>(v.data(), v.size(), lo, dst); break;
      case 2: bf::Narrow<T, 2>(v.data(), v.size(), lo, dst); break;
      case 3: bf::Narrow<T, 3>(v.data(), v.size(), lo, dst); break;
      case 4: bf::Narrow<T, 4>(v.data(), v.size(), lo, dst); break;
      case 5: bf::Narrow<T, 5>(v.data(), v.size(), lo, dst); break;
      case 6: bf::Narrow<T, 6>(v.data(), v.size(), lo, dst); break;
      case 7: bf::Narrow<T, 7>(v.data(), v.size(), lo, dst); break;
      case 8: bf::Narrow<T, 8>(v.data(), v.size(), lo, dst); break;
      default: break;  // 0: every element is lo
    }
  }
  // Doubles: a mode byte, then Ints of their values when every one is a
  // whole number below 2^53 in magnitude (durations and times in
  // milliseconds, counts; -0 excepted), else the Vector.
  void Doubles(const std::vector<double>& v) {
    bool whole = true;
    for (double x : v)
      whole = whole && x == std::trunc(x) && std::fabs(x) < 9007199254740992.0 && !(x == 0 && std::signbit(x));
    Pod<uint8_t>(whole ? 1 : 0);
    if (!whole) return Vector(v);
    std::vector<int64_t> ints(v.size());
    for (size_t i = 0; i < v.size(); ++i) ints[i] = static_cast<int64_t>(v[i]);
    Ints(ints);
  }
  template <typename T>
  void Field(const std::vector<T>& v) {
    if constexpr (std::is_integral_v<T>) Ints(v);
    else if constexpr (std::is_same_v<T, double>) Doubles(v);
    else Vector(v);
  }
  // Bytes prefixed by their length (u64).
  void Bytes(std::string_view b) {
    Pod<uint64_t>(b.size());
    out->append(b);
  }
};

// 4M elements (32 MiB of 8-byte integers): more than any kept state or
// derived value of a segment of the store's sizes holds.
inline constexpr uint64_t kDefaultMaxRepeated = uint64_t{1} << 22;

struct ByteReader {
  std::string_view in;
  size_t pos = 0;
  bool ok = true;
  uint64_t max_repeated = kDefaultMaxRepeated;  // the bound of a width-0 Ints' count
  template <typename T>
  bool Pod(T* v) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (!ok || in.size() - pos < sizeof(T)) return ok = false;
    std::memcpy(v, in.data() + pos, sizeof(T));
    pos += sizeof(T);
    return true;
  }
  template <typename T>
  bool Vector(std::vector<T>* v) {
    static_assert(std::is_trivially_copyable_v<T>);
    uint64_t n = 0;
    if (!Pod(&n) || (in.size() - pos) / sizeof(T) < n) return ok = false;
    v->resize(static_cast<size_t>(n));
    if (n != 0) std::memcpy(v->data(), in.data() + pos, static_cast<size_t>(n) * sizeof(T));
    pos += static_cast<size_t>(n) * sizeof(T);
    return true;
  }
  // Ints of T read into `v` as elements of O (T itself, or doubles).
  template <typename T, typename O = T>
  bool Ints(std::vector<O>* v) {
    static_assert(std::is_integral_v<T> && sizeof(T) <= 8);
    namespace bf = byte_fields_internal;
    uint64_t n = 0;
    uint8_t w = 0;
    T lo{};
    if (!Pod(&n) || !Pod(&w) || !Pod(&lo) || w > sizeof(T)) return ok = false;
    // A width of 0 holds no bytes: its count is bounded by max_repeated.
    if (w == 0 ? n > max_repeated : (in.size() - pos) / w < n) return ok = false;
    v->resize(static_cast<size_t>(n));
    const char* src = in.data() + pos;
    O* dst = v->data();
    const size_t count = static_cast<size_t>(n);
    switch (w) {
      case 0: bf::Widen<T, 0>(src, count, lo, dst); break;
      case 1: bf::Widen<T, 1>(src, count, lo, dst); break;
      case 2: bf::Widen<T, 2>(src, count, lo, dst); break;
      case 3: bf::Widen<T, 3>(src, count, lo, dst); break;
      case 4: bf::Widen<T, 4>(src, count, lo, dst); break;
      case 5: bf::Widen<T, 5>(src, count, lo, dst); break;
      case 6: bf::Widen<T, 6>(src, count, lo, dst); break;
      case 7: bf::Widen<T, 7>(src, count, lo, dst); break;
      default: bf::Widen<T, 8>(src, count, lo, dst); break;
    }
    pos += count * w;
    return true;
  }
  bool Doubles(std::vector<double>* v) {
    uint8_t mode = 0;
    if (!Pod(&mode) || mode > 1) return ok = false;
    if (mode == 0) return Vector(v);
    return Ints<int64_t>(v);  // widened straight into the doubles
  }
  template <typename T>
  bool Field(std::vector<T>* v) {
    if constexpr (std::is_integral_v<T>) return Ints<T>(v);
    else if constexpr (std::is_same_v<T, double>) return Doubles(v);
    else return Vector(v);
  }
  bool Bytes(std::string_view* b) {
    uint64_t n = 0;
    if (!Pod(&n) || in.size() - pos < n) return ok = false;
    *b = in.substr(pos, static_cast<size_t>(n));
    pos += static_cast<size_t>(n);
    return true;
  }
  bool Done() const { return ok && pos == in.size(); }
};

// Vectors one after another as Fields (appended), and read back whole.
template <typename... V>
void EncodeVectors(std::string* out, const V&... fields) {
  ByteWriter w{out};
  (w.Field(fields), ...);
}

template <typename... V>
bool DecodeVectors(std::string_view bytes, V*... fields) {
  ByteReader r{bytes};
  return (r.Field(fields) && ...) && r.Done();
}
// The same, a width-0 count bounded by `max_repeated`.
template <typename... V>
bool DecodeVectorsAtMost(std::string_view bytes, uint64_t max_repeated, V*... fields) {
  ByteReader r{bytes};
  r.max_repeated = max_repeated;
  return (r.Field(fields) && ...) && r.Done();
}

}  // namespace kpi::query
