#include "query/execution/disk_memo.h"

#include <elf.h>
#include <link.h>
#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string_view>

#include "query/execution/byte_fields.h"
#include "query/execution/kept_scan.h"
#include "query/execution/kept_states.h"
#include "query/execution/segment_rows.h"
#include "query/execution/ticket_memo.h"
#include "query/execution/vector.h"
#include "storage/empty_columns.h"

namespace kpi::query {

namespace {

// Names this file's encodings: bump it when one changes.
constexpr char kFormat[] = "kpi-query-memo-3";
constexpr char kEventBeginKey[] = "eb";

// The GNU build id of the program ("" when it has none).
std::string BuildId() {
  std::string id;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) -> int {
        std::string& out = *static_cast<std::string*>(data);
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          if (ph.p_type != PT_NOTE) continue;
          const char* p = reinterpret_cast<const char*>(info->dlpi_addr + ph.p_vaddr);
          const char* end = p + ph.p_memsz;
          while (p + sizeof(ElfW(Nhdr)) <= end) {
            const auto* n = reinterpret_cast<const ElfW(Nhdr)*>(p);
            const char* name = p + sizeof(ElfW(Nhdr));
            const char* desc = name + ((n->n_namesz + 3) & ~3u);
            if (desc + n->n_descsz > end) break;
            if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0) {
              static const char* digits = "0123456789abcdef";
              for (uint32_t k = 0; k < n->n_descsz; ++k) {
                const auto b = static_cast<uint8_t>(desc[k]);
                out += digits[b >> 4];
                out += digits[b & 15];
              }
              return 1;
            }
            p = desc + ((n->n_descsz + 3) & ~3u);
          }
        }
        return 1;  // the first object is the program itself: only it
      },
      &id);
  return id;
}

struct Registry {
  std::mutex mu;
  std::map<const storage::Catalog*, std::shared_ptr<storage::MemoFiles>> files;
};
Registry& TheRegistry() {
  static Registry* r = new Registry();  // never destroyed: used until exit
  return *r;
}

thread_local const DiskMemoScope* tl_scope = nullptr;

std::atomic<uint64_t> refused_values{0};

// One tag byte per type: bytes of another type never decode.
enum Tag : uint8_t { kU32s = 1, kI64s, kU8s, kRowColumn, kAt, kLocalGroups, kVec, kKeptStates };

bool Begin(ByteReader* r, Tag tag) {
  uint8_t t = 0;
  return r->Pod(&t) && t == tag;
}

// A Vec data pointer: 0 none, 1 its buffer, 2 kAllValid (valid only).
template <typename P, typename B>
bool PointerMode(const P* p, const std::vector<B>& buf, uint8_t* mode) {
  if (p == nullptr) *mode = 0;
  else if (static_cast<const void*>(p) == static_cast<const void*>(buf.data()) && !buf.empty()) *mode = 1;
  else if (static_cast<const void*>(p) == static_cast<const void*>(kAllValid)) *mode = 2;
  else return false;  // a view of something else: not stored
  return true;
}

template <typename P, typename B>
bool SetPointer(uint8_t mode, const std::vector<B>& buf, const P** p) {
  switch (mode) {
    case 0: *p = nullptr; return true;
    case 1: *p = buf.data(); return !buf.empty();
    case 2:
      if constexpr (std::is_same_v<P, uint8_t>) {
        *p = kAllValid;
        return true;
      }
      return false;
    default: return false;
  }
}

}  // namespace

namespace {

// A value stored as its tag, then each of its vectors in order.
template <typename... V>
bool EncodeFields(Tag tag, std::string* out, const V&... fields) {
  ByteWriter w{out};
  w.Pod(static_cast<uint8_t>(tag));
  (w.Field(fields), ...);
  return true;
}

template <typename... V>
bool DecodeFields(Tag tag, std::string_view bytes, uint64_t max_repeated, V*... fields) {
  ByteReader r{bytes};
  r.max_repeated = max_repeated;
  return Begin(&r, tag) && (r.Field(fields) && ...) && r.Done();
}

}  // namespace

bool EncodeMemoValue(const std::vector<uint32_t>& v, std::string* out) { return EncodeFields(kU32s, out, v); }
bool DecodeMemoValue(std::string_view bytes, std::vector<uint32_t>* v, uint64_t max_repeated) { return DecodeFields(kU32s, bytes, max_repeated, v); }
bool EncodeMemoValue(const std::vector<int64_t>& v, std::string* out) { return EncodeFields(kI64s, out, v); }
bool DecodeMemoValue(std::string_view bytes, std::vector<int64_t>* v, uint64_t max_repeated) { return DecodeFields(kI64s, bytes, max_repeated, v); }
bool EncodeMemoValue(const std::vector<uint8_t>& v, std::string* out) { return EncodeFields(kU8s, out, v); }
bool DecodeMemoValue(std::string_view bytes, std::vector<uint8_t>* v, uint64_t max_repeated) { return DecodeFields(kU8s, bytes, max_repeated, v); }

bool EncodeMemoValue(const RowColumn& c, std::string* out) {
  return EncodeFields(kRowColumn, out, c.codes, c.values, c.valid, c.times, c.masks);
}
bool DecodeMemoValue(std::string_view bytes, RowColumn* c, uint64_t max_repeated) {
  return DecodeFields(kRowColumn, bytes, max_repeated, &c->codes, &c->values, &c->valid, &c->times, &c->masks);
}
// `at` placements: the rows are the tickets found, and a ticket without
// an A is stored at the first placement found (so that the placements
// narrow to the span of the times found; it reads back as 0).
bool EncodeMemoValue(const AtPlacement& a, std::string* out) {
  if (a.found.size() != a.place.size()) return false;
  std::vector<int64_t> place = a.place;
  const auto first = std::find(a.found.begin(), a.found.end(), 1);
  const int64_t fill = first == a.found.end() ? 0 : a.place[first - a.found.begin()];
  for (size_t t = 0; t < place.size(); ++t)
    if (a.found[t] == 0) place[t] = fill;
  return EncodeFields(kAt, out, place, a.found);
}
bool DecodeMemoValue(std::string_view bytes, AtPlacement* a, uint64_t max_repeated) {
  if (!DecodeFields(kAt, bytes, max_repeated, &a->place, &a->found) || a->place.size() != a->found.size()) return false;
  a->rows.clear();
  for (size_t t = 0; t < a->found.size(); ++t) {
    if (a->found[t] > 1) return false;
    if (a->found[t] != 0) a->rows.push_back(static_cast<uint32_t>(t));
    else a->place[t] = 0;
  }
  return true;
}
bool EncodeMemoValue(const LocalGroups& g, std::string* out) {
  return EncodeFields(kLocalGroups, out, g.local, g.parts, g.first);
}
bool DecodeMemoValue(std::string_view bytes, LocalGroups* g, uint64_t max_repeated) {
  return DecodeFields(kLocalGroups, bytes, max_repeated, &g->local, &g->parts, &g->first);
}
bool EncodeMemoValue(const Vec& v, std::string* out) {
  if (v.text != nullptr) return false;  // a literal string: a pointer, not stored
  uint8_t modes[5];
  if (!PointerMode(v.f64, v.f64_buf, &modes[0]) || !PointerMode(v.i64, v.i64_buf, &modes[1]) ||
      !PointerMode(v.u32, v.u32_buf, &modes[2]) || !PointerMode(v.b8, v.b8_buf, &modes[3]) ||
      !PointerMode(v.valid, v.valid_buf, &modes[4]))
    return false;
  if (modes[0] == 2 || modes[1] == 2 || modes[2] == 2 || modes[3] == 2) return false;
  ByteWriter w{out};
  w.Pod<uint8_t>(kVec);
  w.Pod(static_cast<uint8_t>(v.type));
  w.Pod(static_cast<uint8_t>(v.str.kind));
  w.Pod(v.str.column);
  w.Pod(v.n);
  w.Pod(v.stride);
  w.Pod(v.vstride);
  for (uint8_t m : modes) w.Pod(m);
  w.Field(v.f64_buf);
  w.Field(v.i64_buf);
  w.Field(v.u32_buf);
  w.Field(v.b8_buf);
  w.Field(v.valid_buf);
  return true;
}
bool DecodeMemoValue(std::string_view bytes, Vec* v, uint64_t max_repeated) {
  ByteReader r{bytes};
  r.max_repeated = max_repeated;
  uint8_t type = 0, kind = 0;
  uint8_t modes[5];
  if (!Begin(&r, kVec) || !r.Pod(&type) || !r.Pod(&kind) || !r.Pod(&v->str.column) || !r.Pod(&v->n) ||
      !r.Pod(&v->stride) || !r.Pod(&v->vstride))
    return false;
  for (uint8_t& m : modes)
    if (!r.Pod(&m)) return false;
  if (!r.Field(&v->f64_buf) || !r.Field(&v->i64_buf) || !r.Field(&v->u32_buf) || !r.Field(&v->b8_buf) ||
      !r.Field(&v->valid_buf) || !r.Done())
    return false;
  v->type = static_cast<ValueType>(type);
  v->str.kind = static_cast<StrKind>(kind);
  v->text = nullptr;
  // Each buffer long enough for the rows its pointer is read at.
  const size_t rows = v->stride == 0 ? 1 : v->n;
  const size_t vrows = v->vstride == 0 ? 1 : v->n;
  auto fits = [](uint8_t mode, size_t have, size_t need) { return mode != 1 || have >= need; };
  if (!fits(modes[0], v->f64_buf.size(), rows) || !fits(modes[1], v->i64_buf.size(), rows) ||
      !fits(modes[2], v->u32_buf.size(), rows) || !fits(modes[3], v->b8_buf.size(), rows) ||
      !fits(modes[4], v->valid_buf.size(), vrows))
    return false;
  return SetPointer(modes[0], v->f64_buf, &v->f64) && SetPointer(modes[1], v->i64_buf, &v->i64) &&
         SetPointer(modes[2], v->u32_buf, &v->u32) && SetPointer(modes[3], v->b8_buf, &v->b8) &&
         SetPointer(modes[4], v->valid_buf, &v->valid);
}

void CountRefusedMemoValue() { refused_values.fetch_add(1, std::memory_order_relaxed); }
uint64_t RefusedMemoValues() { return refused_values.load(std::memory_order_relaxed); }

bool EncodeMemoValue(const KeptStates& k, std::string* out) {
  ByteWriter w{out};
  w.Pod<uint8_t>(kKeptStates);
  w.Pod<uint64_t>(k.groups);
  w.Field(k.types);
  w.Field(k.domains);
  w.Field(k.parts);
  w.Pod<uint32_t>(static_cast<uint32_t>(k.aggs.size()));
  std::string state;
  for (const auto& a : k.aggs) {
    state.clear();
    a->EncodeGroups(&state);
    w.Bytes(state);
  }
  return true;
}

bool DecodeKeptStates(std::string_view bytes, const BoundQuery& q, KeptStates* k) {
  ByteReader r{bytes};
  uint64_t groups = 0;
  uint32_t naggs = 0;
  if (!Begin(&r, kKeptStates) || !r.Pod(&groups) || !r.Field(&k->types) || !r.Field(&k->domains) ||
      !r.Field(&k->parts) || !r.Pod(&naggs))
    return false;
  // As BuildStates makes them: with group keys, one type and domain per
  // key and one part per key and group (none without rows); without, no
  // parts and at most the one group.
  const size_t nkeys = q.groups.size();
  const bool keyed = nkeys > 0 && groups > 0;
  if (groups > bytes.size() || naggs != q.aggregates.size() || k->types.size() != (keyed ? nkeys : 0) ||
      k->domains.size() != k->types.size() || k->parts.size() != (keyed ? groups * nkeys : 0) ||
      (nkeys == 0 && groups > 1))
    return false;
  // Types and domains a statement's keys have (PartValue reads them).
  for (size_t j = 0; j < k->types.size(); ++j)
    if (k->types[j] > ValueType::kString || k->domains[j].kind > StrKind::kLiteral) return false;
  k->groups = static_cast<size_t>(groups);
  k->aggs.clear();
  for (const AggregateSpec& spec : q.aggregates) {
    std::string_view state;
    if (!r.Bytes(&state)) return false;
    std::unique_ptr<AggregateState> a = spec.family->create(spec, q);
    if (!a->DecodeGroups(state, k->groups)) return false;
    k->aggs.push_back(std::move(a));
  }
  if (!r.Done()) return false;
  FinishKeptStates(q, k);  // (frozen as encoded: only the bytes)
  return true;
}

namespace {

// What a rollup's value names besides the anchor: the rest of its key and
// the zone maps of all its versions.
std::string RollupVersions(const std::string& states_key, const std::string& rollup_key,
                           const storage::SegmentRef* refs, size_t n) {
  std::string out = rollup_key.substr(std::min(states_key.size(), rollup_key.size()));
  XXH3_state_t* st = XXH3_createState();
  XXH3_64bits_reset(st);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t h = storage::MemoFiles::ZoneHash(refs[i].zone);
    XXH3_64bits_update(st, &h, sizeof h);
  }
  const uint64_t zones = XXH3_64bits_digest(st);
  XXH3_freeState(st);
  out.append(reinterpret_cast<const char*>(&zones), sizeof zones);
  return out;
}

std::string RollupFileKey(const std::string& states_key) { return states_key + "|u"; }

}  // namespace

bool FindRollup(storage::MemoFiles& files, const std::string& states_key, const std::string& rollup_key,
                const storage::SegmentRef* refs, size_t n, const storage::SegmentRef& anchor, const BoundQuery& q,
                KeptStates* out) {
  std::string buffer;
  std::string_view versions;
  if (!files.Find(RollupFileKey(states_key), anchor, &buffer)) return false;
  const std::string_view stored = buffer;
  ByteReader r{stored};
  if (!r.Bytes(&versions) || versions != RollupVersions(states_key, rollup_key, refs, n)) return false;
  return DecodeKeptStates(stored.substr(r.pos), q, out);
}

void AddRollup(storage::MemoFiles& files, const std::string& states_key, const std::string& rollup_key,
               const storage::SegmentRef* refs, size_t n, const storage::SegmentRef& anchor,
               const KeptStates& states) {
  std::string encoded;
  ByteWriter{&encoded}.Bytes(RollupVersions(states_key, rollup_key, refs, n));
  if (EncodeMemoValue(states, &encoded)) files.Add(RollupFileKey(states_key), anchor, std::move(encoded));
}

std::shared_ptr<storage::MemoFiles> UseMemoFiles(const storage::Store& store) {
  const char* off = std::getenv("KPI_MEMO_FILES");
  if (off != nullptr && std::string_view(off) == "off") return nullptr;
  static const std::string build = BuildId();
  if (build.empty()) return nullptr;
  uint64_t max_bytes = uint64_t{512} << 20;
  if (const char* b = std::getenv("KPI_MEMO_FILES_BYTES")) max_bytes = std::strtoull(b, nullptr, 10);
  std::shared_ptr<storage::MemoFiles> files =
      storage::MemoFiles::Open(store.dir(), std::string(kFormat) + "|" + build, max_bytes);
  if (files == nullptr) return nullptr;
  Registry& r = TheRegistry();
  std::lock_guard lock(r.mu);
  r.files[&store.catalog()] = files;
  return files;
}

void UnregisterMemoFiles(const storage::Store& store) {
  Registry& r = TheRegistry();
  std::lock_guard lock(r.mu);
  r.files.erase(&store.catalog());
}

std::shared_ptr<storage::MemoFiles> MemoFilesFor(const storage::Catalog& catalog) {
  Registry& r = TheRegistry();
  std::lock_guard lock(r.mu);
  if (r.files.empty()) return nullptr;
  auto it = r.files.find(&catalog);
  return it == r.files.end() ? nullptr : it->second;
}

DiskMemoScope::DiskMemoScope(storage::MemoFiles* f, const storage::Segment* s, const storage::SegmentRef& r)
    : files(f), seg(s), version(f != nullptr && s != nullptr ? storage::MemoFiles::VersionOf(r) : storage::MemoFiles::Version()),
      outer(tl_scope) {
  if (files != nullptr && seg != nullptr) tl_scope = this;
}

DiskMemoScope::~DiskMemoScope() { tl_scope = outer; }

const DiskMemoScope* PersistedScope(const storage::Segment& seg) {
  for (const DiskMemoScope* s = tl_scope; s != nullptr; s = s->outer)
    if (s->seg == &seg && s->files != nullptr) return s;
  return nullptr;
}

namespace {

// A memo of the segment's own, for a segment the cache gave none: values
// are kept while the segment lives (and written to the files).
void GiveMemo(const std::shared_ptr<const storage::Segment>& holder) {
  const storage::Segment& seg = *holder;
  // Not one the cache (or another reader) shares: its handle is set
  // before it is shared (storage/segment_memo.h).
  if (seg.memo.values() != nullptr || holder.use_count() != 1) return;
  auto values = std::make_shared<storage::MemoValues>(std::vector<uint32_t>());
  values->SetAccounting(SIZE_MAX / 4, [](size_t) { return true; });
  seg.memo.Attach(std::move(values));
}

// A ticket structure: each ticket's event count in a byte when every
// count fits (a quarter of event_begin's bytes), else event_begin.
void EncodeTicketStructure(const std::vector<uint32_t>& event_begin, std::string* out) {
  std::vector<uint8_t> counts(event_begin.empty() ? 0 : event_begin.size() - 1);
  for (size_t t = 0; t < counts.size(); ++t) {
    const uint32_t n = event_begin[t + 1] - event_begin[t];
    if (n > 255) {
      EncodeMemoValue(event_begin, out);
      return;
    }
    counts[t] = static_cast<uint8_t>(n);
  }
  EncodeMemoValue(counts, out);
}

bool DecodeTicketStructure(std::string_view bytes, uint64_t max_repeated, std::vector<uint32_t>* event_begin) {
  std::vector<uint8_t> counts;
  if (!DecodeMemoValue(bytes, &counts, max_repeated)) return DecodeMemoValue(bytes, event_begin, max_repeated);
  event_begin->resize(counts.size() + 1);
  uint32_t* eb = event_begin->data();
  eb[0] = 0;
  for (size_t t = 0; t < counts.size(); ++t) eb[t + 1] = eb[t] + counts[t];
  return true;
}

// Whether `eb` is the ticket structure of a segment of `ref`'s size.
bool Plausible(const std::vector<uint32_t>& eb, const storage::SegmentRef& ref) {
  if (eb.size() != size_t{ref.zone.num_tickets} + 1 || eb.front() != 0 || eb.back() != ref.zone.num_events)
    return false;
  for (size_t i = 1; i < eb.size(); ++i)
    if (eb[i] < eb[i - 1]) return false;
  return true;
}

}  // namespace

Status LoadWithFiles(const storage::Snapshot& snap, storage::MemoFiles& files, const storage::SegmentRef& ref,
                     const storage::SegmentColumns& columns, bool hollow,
                     std::shared_ptr<const storage::Segment>* holder) {
  std::string bytes;
  const storage::MemoFiles::Version version = storage::MemoFiles::VersionOf(ref);
  if (hollow && files.Find(kEventBeginKey, version, &bytes)) {
    auto segment = std::make_shared<storage::Segment>();
    if (DecodeTicketStructure(bytes, uint64_t{ref.zone.num_tickets} + 1, &segment->event_begin) && Plausible(segment->event_begin, ref)) {
      segment->columns = storage::SegmentColumns();  // none yet
      storage::Segment* hollow_seg = segment.get();
      const storage::Snapshot* s = &snap;
      segment->memo.SetHollow([s, ref, columns, hollow_seg]() -> Status {
        std::shared_ptr<const storage::Segment> full;
        Status st = s->Load(ref, columns, &full);
        if (st.ok() && (full->event_begin != hollow_seg->event_begin || full->has_corrections()))
          st = Status::Corruption("segment " + std::to_string(ref.partition) + "/" + std::to_string(ref.segment) +
                                  " differs from its derived values' ticket structure");
        if (st.ok()) {
          storage::Segment copy = *full;
          hollow_seg->TakeColumns(std::move(copy));
          return st;
        }
        hollow_seg->TakeColumns(storage::EmptyValuedColumns(hollow_seg->event_begin, columns));
        return st;
      });
      *holder = std::move(segment);
      GiveMemo(*holder);
      return Status::OK();
    }
  }
  KPI_RETURN_IF_ERROR(snap.Load(ref, columns, hollow, holder));
  const storage::Segment& seg = **holder;
  GiveMemo(*holder);
  // The ticket structure of a version a later process may read hollow.
  if (!seg.memo.hollow() && !seg.has_corrections() && !files.Find(kEventBeginKey, version, &bytes)) {
    std::string encoded;
    EncodeTicketStructure(seg.event_begin, &encoded);
    files.Add(kEventBeginKey, version, std::move(encoded));
  }
  return Status::OK();
}

}  // namespace kpi::query
