// Staged batch codec (storage/staged_batch.h).
#include "storage/staged_batch.h"

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

namespace {

// Decodes the event at the front of *in (advancing past it); its ticket id is
// left in *ticket_id, a view into the input, and e->ticket unset.
Status DecodeEvent(std::string_view* in, uint32_t batch, std::string_view* ticket_id, EventAttrs* attrs,
                   CodedEvent* e) {
  auto bad = [batch] { return Status::Corruption("staged batch " + std::to_string(batch) + " does not decode"); };
  uint64_t v = 0, len = 0;
  if (!codec::GetVarint64(in, &v)) return bad();
  if (!codec::GetVarint64(in, &len) || len > in->size()) return bad();
  *ticket_id = std::string_view(in->data(), len);
  in->remove_prefix(len);
  *e = CodedEvent();
  e->batch = batch;
  e->ts_ms = codec::UnZigZag(v);
  uint64_t event = 0, agent = 0, has_id = 0, nd = 0, nm = 0;
  if (!codec::GetVarint64(in, &event) || !codec::GetVarint64(in, &agent) || !codec::GetVarint64(in, &has_id) ||
      event > UINT32_MAX || agent > UINT32_MAX)
    return bad();
  e->event_code = static_cast<uint32_t>(event);
  e->agent_code = static_cast<uint32_t>(agent);
  if (has_id > 7) return bad();
  if ((has_id & 1) != 0 && !GetFixed64(in, &e->id_hash)) return bad();
  if ((has_id & 2) != 0) {
    uint64_t revision = 0;
    if (!codec::GetVarint64(in, &revision) || revision > UINT32_MAX) return bad();
    e->revision = static_cast<uint32_t>(revision);
  }
  if ((has_id & 4) != 0) e->dead_since = batch;
  if (!codec::GetVarint64(in, &nd) || nd > in->size()) return bad();
  e->dims_begin = static_cast<uint32_t>(attrs->dims.size());
  e->num_dims = static_cast<uint32_t>(nd);
  for (uint64_t j = 0; j < nd; ++j) {
    uint64_t c = 0, k = 0;
    if (!codec::GetVarint64(in, &c) || !codec::GetVarint64(in, &k) || c > UINT32_MAX || k > UINT32_MAX) return bad();
    attrs->dims.emplace_back(static_cast<uint32_t>(c), static_cast<uint32_t>(k));
  }
  if (!codec::GetVarint64(in, &nm) || nm > in->size()) return bad();
  e->measures_begin = static_cast<uint32_t>(attrs->measures.size());
  e->num_measures = static_cast<uint32_t>(nm);
  for (uint64_t j = 0; j < nm; ++j) {
    uint64_t c = 0, bits = 0;
    if (!codec::GetVarint64(in, &c) || c > UINT32_MAX || !GetFixed64(in, &bits)) return bad();
    double value;
    std::memcpy(&value, &bits, 8);
    attrs->measures.emplace_back(static_cast<uint32_t>(c), value);
  }
  return Status::OK();
}

// Decodes every event of a staged batch in order; `each(offset, ticket_id,
// event)` is called for each, with the event's byte offset in `in`.
template <typename Each>
Status DecodeAll(std::string_view in, uint32_t batch, EventAttrs* attrs, std::vector<CodedEvent>* out, Each&& each) {
  const size_t size = in.size();
  uint64_t n = 0;
  if (!codec::GetVarint64(&in, &n) || n > in.size())
    return Status::Corruption("staged batch " + std::to_string(batch) + " does not decode");
  out->reserve(out->size() + n);
  for (uint64_t i = 0; i < n; ++i) {
    const uint32_t offset = static_cast<uint32_t>(size - in.size());
    std::string_view id;
    CodedEvent& e = out->emplace_back();
    KPI_RETURN_IF_ERROR(DecodeEvent(&in, batch, &id, attrs, &e));
    each(offset, id, e);
  }
  return in.empty() ? Status::OK() : Status::Corruption("staged batch " + std::to_string(batch) + " does not decode");
}

}  // namespace

Status DecodeStagedBatch(std::string_view in, uint32_t batch, StringInterner* tickets, EventAttrs* attrs,
                         std::vector<CodedEvent>* out) {
  return DecodeAll(in, batch, attrs, out,
                   [tickets](uint32_t, std::string_view id, CodedEvent& e) { e.ticket = tickets->Intern(id); });
}

Status ScanStagedBatch(std::string_view in, uint32_t batch, std::vector<std::string_view>* ticket_ids,
                       std::vector<uint32_t>* offsets, EventAttrs* attrs, std::vector<CodedEvent>* out) {
  return DecodeAll(in, batch, attrs, out, [&](uint32_t offset, std::string_view id, CodedEvent&) {
    ticket_ids->push_back(id);
    offsets->push_back(offset);
  });
}

Status DecodeStagedEvents(std::string_view in, uint32_t batch, std::span<const uint32_t> offsets,
                          const StringInterner& tickets, EventAttrs* attrs, std::vector<CodedEvent>* out) {
  for (size_t i = 0; i < offsets.size(); ++i) {
    if (offsets[i] >= in.size())
      return Status::Corruption("staged batch " + std::to_string(batch) + " changed while sealed");
    std::string_view rest = in.substr(offsets[i]);
    std::string_view id;
    CodedEvent& e = out->emplace_back();
    KPI_RETURN_IF_ERROR(DecodeEvent(&rest, batch, &id, attrs, &e));
    e.ticket = tickets.Find(id);
    if (e.ticket == StringInterner::kAbsent)
      return Status::Corruption("staged batch " + std::to_string(batch) + " changed while sealed");
  }
  return Status::OK();
}

}  // namespace kpi::storage
