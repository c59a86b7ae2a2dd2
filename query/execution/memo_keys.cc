#include "query/execution/memo_keys.h"

#include <xxhash.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <utility>

#include "query/execution/sha256.h"

namespace kpi::query {

namespace {

void Put(std::string* key, uint64_t x) {
  key->push_back(':');
  key->append(std::to_string(x));
}

bool Append(const BoundExpr& e, Source source, const std::vector<std::string>* repeats, std::string* key);

bool AppendArgs(const BoundExpr& e, Source source, const std::vector<std::string>* repeats, std::string* key) {
  key->push_back('(');
  for (const BoundExpr* a : e.args)
    if (!Append(*a, source, repeats, key)) return false;
  key->push_back(')');
  return true;
}

// A string operand qualifies only as dictionary codes.
bool DictOrNotString(const BoundExpr& e) { return e.type != ValueType::kString || e.str.kind == StrKind::kDict; }

bool Append(const BoundExpr& e, Source source, const std::vector<std::string>* repeats, std::string* key) {
  Put(key, static_cast<uint64_t>(e.kind));
  Put(key, static_cast<uint64_t>(e.type));
  switch (e.kind) {
    case BoundKind::kConst: {
      const Value& v = e.value;
      if (v.type == ValueType::kString) {
        key->push_back('S');  // only under a comparison by resolved codes (below)
        return true;
      }
      Put(key, static_cast<uint64_t>(v.type));
      if (v.type == ValueType::kBool) Put(key, v.boolean ? 1 : 0);
      if (v.type == ValueType::kNumber || v.type == ValueType::kDuration) {
        uint64_t bits;
        std::memcpy(&bits, &v.number, sizeof bits);
        Put(key, bits);
      }
      if (v.type == ValueType::kTime) Put(key, static_cast<uint64_t>(v.time_ms));
      return true;
    }
    case BoundKind::kColumn:
      if (source == Source::kTickets ? e.column != ColumnRef::kCreated && e.column != ColumnRef::kDim &&
                                           e.column != ColumnRef::kMeasure
                                     : e.column == ColumnRef::kCreated || e.column == ColumnRef::kTicket)
        return false;
      if (!DictOrNotString(e)) return false;
      Put(key, static_cast<uint64_t>(e.column));
      Put(key, e.column_id);
      return true;
    case BoundKind::kTicketFn:
      if (source == Source::kTickets && e.fn == TicketFn::kRepeatWithin && repeats != nullptr && e.repeat >= 0 &&
          static_cast<size_t>(e.repeat) < repeats->size() && !(*repeats)[e.repeat].empty()) {
        Put(key, static_cast<uint64_t>(e.fn));
        key->append("(" + (*repeats)[e.repeat] + ")");  // what its answers were found from
        return true;
      }
      if (source != Source::kTickets || e.fn == TicketFn::kRepeatWithin || e.clock != nullptr) return false;
      Put(key, static_cast<uint64_t>(e.fn));
      Put(key, e.a.code);
      Put(key, e.a.is_created);
      Put(key, e.b.code);
      Put(key, e.b.is_created);
      Put(key, e.column_id);
      return true;
    case BoundKind::kUnary:
      if (e.args.empty() || e.args[0]->type == ValueType::kString) return false;
      Put(key, static_cast<uint64_t>(e.op));
      return AppendArgs(e, source, repeats, key);
    case BoundKind::kBinary:
    case BoundKind::kIn: {
      Put(key, static_cast<uint64_t>(e.op));
      Put(key, e.negated);
      Put(key, e.list_has_null);
      Put(key, e.codes_resolved);
      for (uint32_t c : e.codes) Put(key, c);
      // Strings: only dictionary codes, and string constants only where
      // the comparison was resolved to codes.
      for (const BoundExpr* a : e.args) {
        if (a->type != ValueType::kString) continue;
        if (a->kind == BoundKind::kConst ? !e.codes_resolved : a->str.kind != StrKind::kDict) return false;
      }
      return AppendArgs(e, source, repeats, key);
    }
    default:
      return false;
  }
}

}  // namespace

std::string RowMemoKey(const BoundExpr& e, Source source, uint32_t created_code,
                       const std::vector<std::string>* repeats) {
  std::string key = "x";
  Put(&key, static_cast<uint64_t>(source));
  Put(&key, created_code);
  if (!Append(e, source, repeats, &key)) return "";
  return BoundedMemoKey(std::move(key));
}

std::string BoundedMemoKey(std::string key) {
  if (key.size() <= kMaxMemoKeyBytes) return key;
  // "#": no key spelled out starts so (they start with their tag letter),
  // so a digest form equals no other key but that of the same bytes.
  const std::array<uint8_t, 32> digest = Sha256(key);
  std::string out = "#sha256:" + std::to_string(key.size()) + ":";
  static const char* digits = "0123456789abcdef";
  for (uint8_t b : digest) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

std::string AtMemoKey(uint32_t code, bool last) {
  std::string key = "a";
  Put(&key, code);
  Put(&key, last);
  return key;
}

std::string BucketMemoKey(const BoundQuery& q, const GroupKey& g, uint32_t created_code) {
  std::string key = "b";
  Put(&key, static_cast<uint64_t>(g.unit));
  Put(&key, static_cast<uint64_t>(g.step_ms));
  const bool at = q.at && (!q.at->is_created || q.at_last);  // else tickets are placed at creation
  Put(&key, at ? q.at->code : 0);
  Put(&key, at && q.at_last);
  Put(&key, created_code);
  return key + ":" + q.tz_name;
}

std::string RepeatMemoKey(const RepeatSpec& r, uint32_t created_code, uint32_t max_batch,
                          const std::vector<storage::SegmentRef>& refs) {
  std::string key = "p";
  Put(&key, static_cast<uint64_t>(r.window_ms));
  Put(&key, r.dims.size());
  for (uint32_t d : r.dims) Put(&key, d);
  Put(&key, created_code);
  // Every row of these versions visible (no `as of`: the snapshot's last
  // batch; or one at or after their last batch): the key of all rows. The
  // sealer writes a replaced row's dead-since batch in its ticket's segment
  // (the replacing copy's), so no row of them hides after their last batch.
  const bool all = std::all_of(refs.begin(), refs.end(),
                               [&](const storage::SegmentRef& ref) { return ref.zone.max_batch <= max_batch; });
  Put(&key, all ? UINT32_MAX : max_batch);
  Put(&key, refs.size());
  return key + VersionsKey(refs.data(), refs.size());
}

std::string VersionsKey(const storage::SegmentRef* refs, size_t n) {
  std::vector<uint64_t> versions;
  versions.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    versions.push_back(uint64_t{refs[i].partition} << 32 | refs[i].segment);
    versions.push_back(refs[i].generation);
  }
  const XXH128_hash_t h = XXH3_128bits(versions.data(), versions.size() * sizeof(uint64_t));
  char hex[40];
  std::snprintf(hex, sizeof hex, ":%016llx%016llx", static_cast<unsigned long long>(h.high64),
                static_cast<unsigned long long>(h.low64));
  return hex;
}

}  // namespace kpi::query
