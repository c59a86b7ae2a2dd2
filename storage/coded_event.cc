#include "storage/coded_event.h"

#include <xxhash.h>

#include <cstring>

#include "storage/codec/codec.h"

namespace kpi::storage {

namespace {

uint64_t DoubleBits(double d) {
  uint64_t u;
  std::memcpy(&u, &d, 8);
  return u;
}

}  // namespace

uint64_t HashSourceId(std::string_view id) {
  XXH128_hash_t h = XXH3_128bits(id.data(), id.size());
  return h.low64 == 0 ? 1 : h.low64;
}

EventIdentity IdentityOf(const CodedEvent& e, const EventAttrs& attrs) {
  EventIdentity k;
  if (e.id_hash != 0) {
    k.by_id = true;
    k.lo = e.id_hash;
    return k;
  }
  // Canonical content: fixed-width little-endian words in a fixed order,
  // gathered in a stack buffer (events rarely carry more than a few values).
  uint64_t words[64];
  size_t n = 0;
  XXH3_state_t* state = nullptr;
  auto put = [&](uint64_t w) {
    if (n == 64) {
      if (state == nullptr) {
        state = XXH3_createState();
        XXH3_128bits_reset(state);
      }
      XXH3_128bits_update(state, words, sizeof words);
      n = 0;
    }
    words[n++] = w;
  };
  put(static_cast<uint64_t>(e.ts_ms));
  put((uint64_t{e.event_code} << 32) | e.agent_code);
  for (const auto& [column, code] : DimsOf(e, attrs)) put((uint64_t{column} << 32) | code);
  put(~uint64_t{0});  // separates dimensions from measures
  for (const auto& [column, value] : MeasuresOf(e, attrs)) {
    put(column);
    put(DoubleBits(value == 0 ? 0.0 : value));  // -0 and 0 are the same measure
  }
  XXH128_hash_t h;
  if (state == nullptr) {
    h = XXH3_128bits(words, n * sizeof(uint64_t));
  } else {
    XXH3_128bits_update(state, words, n * sizeof(uint64_t));
    h = XXH3_128bits_digest(state);
    XXH3_freeState(state);
  }
  k.lo = h.low64;
  k.hi = h.high64;
  return k;
}

}  // namespace kpi::storage
