#include "storage/zone_map.h"

#include <bit>
#include <cstring>

#include "storage/codec/codec.h"
#include "storage/zone_list_match.h"

namespace kpi::storage {

namespace {

std::atomic<uint64_t> decodings{0};

void PutCodes(std::string* out, const std::vector<uint32_t>& codes) {
  codec::PutVarint64(out, codes.size());
  uint32_t prev = 0;
  for (uint32_t c : codes) {  // ascending: store gaps
    codec::PutVarint64(out, c - prev);
    prev = c;
  }
}

bool GetCodes(std::string_view* in, std::vector<uint32_t>* codes) {
  uint64_t n = 0;
  if (!codec::GetVarint64(in, &n) || n > in->size()) return false;
  codes->resize(n);
  uint64_t prev = 0;
  for (auto& c : *codes) {
    uint64_t gap = 0;
    if (!codec::GetVarint64(in, &gap)) return false;
    prev += gap;
    if (prev > UINT32_MAX) return false;
    c = static_cast<uint32_t>(prev);
  }
  return true;
}

// Advances *in past `n` varints without decoding them: a varint ends at
// its first byte below 0x80, so they end where the n-th such byte is.
// Eight bytes at a time while the n-th end is further on (the lists are
// mostly one-byte gaps). False when the input ends first.
bool SkipVarints(std::string_view* in, uint64_t n) {
  const char* p = in->data();
  const char* const end = p + in->size();
  while (n > 0 && end - p >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    const uint64_t ends = std::popcount(~w & 0x8080808080808080ULL);
    if (ends >= n) break;  // the n-th end is in this word: found byte by byte
    n -= ends;
    p += 8;
  }
  for (; n > 0; ++p) {
    if (p == end) return false;
    if (static_cast<unsigned char>(*p) < 0x80) --n;
  }
  in->remove_prefix(static_cast<size_t>(p - in->data()));
  return true;
}

bool SkipCodes(std::string_view* in) {
  uint64_t n = 0;
  return codec::GetVarint64(in, &n) && n <= in->size() && SkipVarints(in, n);
}

constexpr std::string_view kNoLists("\0\0\0", 3);  // no event, agent or dimension list

// 1: the list at the front of *in holds one of `wanted` (sorted ascending);
// 0: it holds none; -1: it does not decode. Reads codes only up to the
// first that is wanted or above every wanted one, then skips the rest:
// *in is left past the list.
int HoldsAny(std::string_view* in, const std::vector<uint32_t>& wanted) {
  uint64_t n = 0;
  if (!codec::GetVarint64(in, &n) || n > in->size()) return -1;
  uint64_t code = 0;
  size_t w = 0;
  int found = 0;
  while (n > 0) {
    uint64_t gap = 0;
    if (!codec::GetVarint64(in, &gap)) return -1;
    --n;
    code += gap;
    if (code > UINT32_MAX) return -1;
    while (w < wanted.size() && wanted[w] < code) ++w;
    if (w == wanted.size()) break;  // every wanted code is below this one
    if (wanted[w] == code) {
      found = 1;
      break;
    }
  }
  return SkipVarints(in, n) ? found : -1;
}

}  // namespace

bool EncodedListsMayMatch(std::string_view encoded, const std::vector<uint32_t>& events,
                          const std::vector<uint32_t>& agents,
                          const std::vector<std::pair<uint32_t, std::vector<uint32_t>>>& dims) {
  std::string_view in = encoded;
  // r: as HoldsAny; a list that does not decode proves nothing (may match).
  for (const std::vector<uint32_t>* wanted : {&events, &agents}) {
    const int r = wanted->empty() ? (SkipCodes(&in) ? 1 : -1) : HoldsAny(&in, *wanted);
    if (r <= 0) return r < 0;
  }
  if (dims.empty()) return true;
  uint64_t n = 0;
  if (!codec::GetVarint64(&in, &n) || n > in.size()) return true;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t column = 0;
    if (!codec::GetVarint64(&in, &column)) return true;
    const std::string_view list = in;
    bool tested = false;
    for (const auto& [wanted_column, wanted] : dims) {
      if (wanted_column != column) continue;
      tested = true;
      in = list;
      const int r = HoldsAny(&in, wanted);
      if (r <= 0) return r < 0;
    }
    if (!tested && !SkipCodes(&in)) return true;
  }
  return true;
}

struct ZoneLists::Shared {
  explicit Shared(std::string bytes) : encoded(std::move(bytes)) {}
  ~Shared() { delete decoded.load(std::memory_order_acquire); }
  std::string encoded;
  // Set once, by the first reader to decode (the others' copies dropped).
  mutable std::atomic<const Decoded*> decoded{nullptr};
};

ZoneLists::ZoneLists(const Codes& events, const Codes& agents, const Dims& dims) {
  if (events.empty() && agents.empty() && dims.empty()) return;
  std::string bytes;
  PutCodes(&bytes, events);
  PutCodes(&bytes, agents);
  codec::PutVarint64(&bytes, dims.size());
  for (const auto& [column, codes] : dims) {
    codec::PutVarint64(&bytes, column);
    PutCodes(&bytes, codes);
  }
  bytes.shrink_to_fit();
  shared_ = std::make_shared<const Shared>(std::move(bytes));
}

bool ZoneLists::Take(std::string_view* in, ZoneLists* out) {
  const std::string_view start = *in;
  if (!SkipCodes(in) || !SkipCodes(in)) return false;
  uint64_t n = 0;
  if (!codec::GetVarint64(in, &n) || n > in->size()) return false;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t column = 0;
    if (!codec::GetVarint64(in, &column) || column > UINT32_MAX || !SkipCodes(in)) return false;
  }
  const std::string_view encoded = start.substr(0, start.size() - in->size());
  if (encoded == kNoLists) {
    *out = ZoneLists();
  } else {
    out->shared_ = std::make_shared<const Shared>(std::string(encoded));
  }
  return true;
}

const ZoneLists::Decoded& ZoneLists::Get() const {
  static const Decoded kEmpty;
  if (!shared_) return kEmpty;
  if (const Decoded* d = shared_->decoded.load(std::memory_order_acquire)) return *d;
  auto d = std::make_unique<Decoded>();
  std::string_view in = shared_->encoded;
  uint64_t n = 0;
  d->ok = GetCodes(&in, &d->events) && GetCodes(&in, &d->agents) && codec::GetVarint64(&in, &n) && n <= in.size();
  if (d->ok) {
    d->dims.resize(n);
    for (auto& [column, codes] : d->dims) {
      uint64_t c = 0;
      if (!codec::GetVarint64(&in, &c) || c > UINT32_MAX || !GetCodes(&in, &codes)) {
        d->ok = false;
        break;
      }
      column = static_cast<uint32_t>(c);
    }
  }
  if (!d->ok || !in.empty()) *d = Decoded{{}, {}, {}, false};
  const Decoded* expected = nullptr;
  if (shared_->decoded.compare_exchange_strong(expected, d.get(), std::memory_order_acq_rel)) {
    decodings.fetch_add(1, std::memory_order_relaxed);
    return *d.release();
  }
  return *expected;  // another thread decoded them first
}

std::string_view ZoneLists::Encoded() const { return shared_ ? std::string_view(shared_->encoded) : kNoLists; }

bool ZoneLists::decoded() const { return !shared_ || shared_->decoded.load(std::memory_order_acquire) != nullptr; }

size_t ZoneLists::MemoryBytes() const {
  if (!shared_) return 0;
  size_t bytes = sizeof(Shared) + shared_->encoded.capacity();
  if (const Decoded* d = shared_->decoded.load(std::memory_order_acquire)) {
    bytes += sizeof(Decoded) + (d->events.capacity() + d->agents.capacity()) * sizeof(uint32_t) +
             d->dims.capacity() * sizeof(d->dims[0]);
    for (const auto& [column, codes] : d->dims) bytes += codes.capacity() * sizeof(uint32_t);
  }
  return bytes;
}

uint64_t ZoneLists::Decodings() { return decodings.load(std::memory_order_relaxed); }

void ZoneMap::Encode(std::string* out, uint8_t version) const {
  out->push_back(static_cast<char>(version));
  codec::PutVarint64(out, codec::ZigZag(min_time_ms));
  codec::PutVarint64(out, codec::ZigZag(max_time_ms));
  codec::PutVarint64(out, num_tickets);
  codec::PutVarint64(out, num_events);
  codec::PutVarint64(out, min_batch);
  codec::PutVarint64(out, max_batch);
  codec::PutVarint64(out, data_bytes);
  out->append(lists.Encoded());
  if (version < 2) return;
  // Version 2: [known u8], then when known the live tickets and events.
  out->push_back(live_known ? 1 : 0);
  if (!live_known) return;
  codec::PutVarint64(out, live_tickets);
  codec::PutVarint64(out, live_events);
}

Status ZoneMap::Decode(std::string_view in, ZoneMap* z) {
  auto bad = [] { return Status::Corruption("zone map does not decode"); };
  if (in.empty() || (in[0] != 1 && in[0] != 2)) return bad();
  const uint8_t version = static_cast<uint8_t>(in[0]);
  in.remove_prefix(1);
  uint64_t v[7];
  for (auto& x : v)
    if (!codec::GetVarint64(&in, &x)) return bad();
  z->min_time_ms = codec::UnZigZag(v[0]);
  z->max_time_ms = codec::UnZigZag(v[1]);
  if (v[2] > UINT32_MAX || v[3] > UINT32_MAX || v[4] > UINT32_MAX || v[5] > UINT32_MAX) return bad();
  z->num_tickets = static_cast<uint32_t>(v[2]);
  z->num_events = static_cast<uint32_t>(v[3]);
  z->min_batch = static_cast<uint32_t>(v[4]);
  z->max_batch = static_cast<uint32_t>(v[5]);
  z->data_bytes = v[6];
  // The lists: their framing checked, their bytes kept (decoded when read).
  if (!ZoneLists::Take(&in, &z->lists)) return bad();
  z->live_known = false;
  z->live_tickets = z->live_events = 0;
  if (version >= 2) {
    if (in.empty() || static_cast<uint8_t>(in[0]) > 1) return bad();
    z->live_known = in[0] == 1;
    in.remove_prefix(1);
    if (z->live_known) {
      uint64_t t = 0, e = 0;
      if (!codec::GetVarint64(&in, &t) || !codec::GetVarint64(&in, &e)) return bad();
      if (t > z->num_tickets || e > z->num_events || t > e) return bad();
      z->live_tickets = static_cast<uint32_t>(t);
      z->live_events = static_cast<uint32_t>(e);
    }
  }
  return in.empty() ? Status::OK() : bad();
}

}  // namespace kpi::storage
