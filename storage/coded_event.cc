#include "storage/coded_event.h"

#include <xxhash.h>

#include <cstring>

#include "storage/codec/codec.h"

namespace kpi::storage {

namespace {

void PutFixed64(std::string* out, uint64_t v) {
  char b[8];
  std::memcpy(b, &v, 8);
  out->append(b, 8);
}

bool GetFixed64(std::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  std::memcpy(v, in->data(), 8);
  in->remove_prefix(8);
  return true;
}

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

void EncodeStagedBatch(const std::vector<CodedEvent>& events, const StringInterner& tickets, const EventAttrs& attrs,
                       std::string* out) {
  codec::PutVarint64(out, events.size());
  for (const CodedEvent& e : events) {
    codec::PutVarint64(out, codec::ZigZag(e.ts_ms));
    const std::string& ticket = tickets.id(e.ticket);
    codec::PutVarint64(out, ticket.size());
    out->append(ticket);
    codec::PutVarint64(out, e.event_code);
    codec::PutVarint64(out, e.agent_code);
    // Flags: 1 = id hash follows, 2 = revision follows, 4 = a retraction.
    const bool retract = e.dead_since != 0;
    codec::PutVarint64(out, (e.id_hash != 0 ? 1 : 0) | (e.revision != 0 ? 2 : 0) | (retract ? 4 : 0));
    if (e.id_hash != 0) PutFixed64(out, e.id_hash);
    if (e.revision != 0) codec::PutVarint64(out, e.revision);
    codec::PutVarint64(out, e.num_dims);
    for (const auto& [column, code] : DimsOf(e, attrs)) {
      codec::PutVarint64(out, column);
      codec::PutVarint64(out, code);
    }
    codec::PutVarint64(out, e.num_measures);
    for (const auto& [column, value] : MeasuresOf(e, attrs)) {
      codec::PutVarint64(out, column);
      PutFixed64(out, DoubleBits(value));
    }
  }
}

Status DecodeStagedBatch(std::string_view in, uint32_t batch, StringInterner* tickets, EventAttrs* attrs,
                         std::vector<CodedEvent>* out) {
  auto bad = [batch] { return Status::Corruption("staged batch " + std::to_string(batch) + " does not decode"); };
  uint64_t n = 0;
  if (!codec::GetVarint64(&in, &n) || n > in.size()) return bad();
  size_t first = out->size();
  out->resize(first + n);
  for (uint64_t i = 0; i < n; ++i) {
    CodedEvent& e = (*out)[first + i];
    e.batch = batch;
    uint64_t v = 0, len = 0;
    if (!codec::GetVarint64(&in, &v)) return bad();
    e.ts_ms = codec::UnZigZag(v);
    if (!codec::GetVarint64(&in, &len) || len > in.size()) return bad();
    e.ticket = tickets->Intern(std::string_view(in.data(), len));
    in.remove_prefix(len);
    uint64_t event = 0, agent = 0, has_id = 0, nd = 0, nm = 0;
    if (!codec::GetVarint64(&in, &event) || !codec::GetVarint64(&in, &agent) ||
        !codec::GetVarint64(&in, &has_id) || event > UINT32_MAX || agent > UINT32_MAX)
      return bad();
    e.event_code = static_cast<uint32_t>(event);
    e.agent_code = static_cast<uint32_t>(agent);
    if (has_id > 7) return bad();
    if ((has_id & 1) != 0 && !GetFixed64(&in, &e.id_hash)) return bad();
    if ((has_id & 2) != 0) {
      uint64_t revision = 0;
      if (!codec::GetVarint64(&in, &revision) || revision > UINT32_MAX) return bad();
      e.revision = static_cast<uint32_t>(revision);
    }
    if ((has_id & 4) != 0) e.dead_since = batch;
    if (!codec::GetVarint64(&in, &nd) || nd > in.size()) return bad();
    e.dims_begin = static_cast<uint32_t>(attrs->dims.size());
    e.num_dims = static_cast<uint32_t>(nd);
    for (uint64_t j = 0; j < nd; ++j) {
      uint64_t c = 0, k = 0;
      if (!codec::GetVarint64(&in, &c) || !codec::GetVarint64(&in, &k) || c > UINT32_MAX || k > UINT32_MAX)
        return bad();
      attrs->dims.emplace_back(static_cast<uint32_t>(c), static_cast<uint32_t>(k));
    }
    if (!codec::GetVarint64(&in, &nm) || nm > in.size()) return bad();
    e.measures_begin = static_cast<uint32_t>(attrs->measures.size());
    e.num_measures = static_cast<uint32_t>(nm);
    for (uint64_t j = 0; j < nm; ++j) {
      uint64_t c = 0, bits = 0;
      if (!codec::GetVarint64(&in, &c) || c > UINT32_MAX || !GetFixed64(&in, &bits)) return bad();
      double value;
      std::memcpy(&value, &bits, 8);
      attrs->measures.emplace_back(static_cast<uint32_t>(c), value);
    }
  }
  return in.empty() ? Status::OK() : bad();
}

}  // namespace kpi::storage
