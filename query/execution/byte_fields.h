// Plain values and vectors of trivially copyable values, appended to bytes
// and read back: the field encoding of derived values written to disk
// (disk_memo.h) and of kept aggregate states (aggregate.h EncodeGroups).
// A vector is its size (u64), then its elements as in memory; reads check
// every length against the bytes left, so bytes that do not decode whole
// are refused (never read past the end). Host byte order: the files that
// hold them name the build that wrote them.
// Thread safety: a Writer / Reader is its caller's.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace kpi::query {

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
  // Bytes prefixed by their length (u64).
  void Bytes(std::string_view b) {
    Pod<uint64_t>(b.size());
    out->append(b);
  }
};

struct ByteReader {
  std::string_view in;
  size_t pos = 0;
  bool ok = true;
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
  bool Bytes(std::string_view* b) {
    uint64_t n = 0;
    if (!Pod(&n) || in.size() - pos < n) return ok = false;
    *b = in.substr(pos, static_cast<size_t>(n));
    pos += static_cast<size_t>(n);
    return true;
  }
  bool Done() const { return ok && pos == in.size(); }
};

// Vectors one after another (appended), and read back whole.
template <typename... V>
void EncodeVectors(std::string* out, const V&... fields) {
  ByteWriter w{out};
  (w.Vector(fields), ...);
}

template <typename... V>
bool DecodeVectors(std::string_view bytes, V*... fields) {
  ByteReader r{bytes};
  return (r.Vector(fields) && ...) && r.Done();
}

}  // namespace kpi::query
