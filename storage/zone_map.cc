#include "storage/zone_map.h"

#include "storage/codec/codec.h"

namespace kpi::storage {

namespace {


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

}  // namespace

void ZoneMap::Encode(std::string* out, uint8_t version) const {
  out->push_back(static_cast<char>(version));
  codec::PutVarint64(out, codec::ZigZag(min_time_ms));
  codec::PutVarint64(out, codec::ZigZag(max_time_ms));
  codec::PutVarint64(out, num_tickets);
  codec::PutVarint64(out, num_events);
  codec::PutVarint64(out, min_batch);
  codec::PutVarint64(out, max_batch);
  codec::PutVarint64(out, data_bytes);
  PutCodes(out, event_codes);
  PutCodes(out, agent_codes);
  codec::PutVarint64(out, dim_codes.size());
  for (const auto& [column, codes] : dim_codes) {
    codec::PutVarint64(out, column);
    PutCodes(out, codes);
  }
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
  if (!GetCodes(&in, &z->event_codes) || !GetCodes(&in, &z->agent_codes)) return bad();
  uint64_t n = 0;
  if (!codec::GetVarint64(&in, &n) || n > in.size()) return bad();
  z->dim_codes.resize(n);
  for (auto& [column, codes] : z->dim_codes) {
    uint64_t c = 0;
    if (!codec::GetVarint64(&in, &c) || c > UINT32_MAX || !GetCodes(&in, &codes)) return bad();
    column = static_cast<uint32_t>(c);
  }
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
