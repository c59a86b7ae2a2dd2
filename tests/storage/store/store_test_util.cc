#include "storage/store/store_test_util.h"

#include <cstdio>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

namespace kpi::testing {

std::vector<RawEvent> RandomEvents(uint64_t seed, int tickets, int days) {
  std::mt19937_64 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  const int64_t start = 1735689600000;  // 2025-01-01T00:00:00Z
  const char* channels[] = {"chat", "email", "phone"};
  const char* teams[] = {"billing", "tech", "sales"};
  std::vector<RawEvent> out;
  for (int t = 0; t < tickets; ++t) {
    std::string ticket = "T" + std::to_string(100000 + t);
    int64_t ts = start + static_cast<int64_t>(rng() % (uint64_t(days) * 86400000));
    RawEvent created;
    created.ts_ms = ts;
    created.ticket = ticket;
    created.event = "created";
    created.dims = {{"channel", channels[pick(3)]}, {"team", teams[pick(3)]}};
    if (pick(4) == 0) created.dims.push_back({"customer", "C" + std::to_string(pick(50))});
    out.push_back(created);
    int n = pick(8);
    for (int i = 0; i < n; ++i) {
      ts += 1 + static_cast<int64_t>(rng() % 7200000);
      RawEvent e;
      e.ts_ms = ts;
      e.ticket = ticket;
      switch (pick(5)) {
        case 0:
          e.event = "agent_reply";
          e.agent = "a" + std::to_string(pick(10));
          e.measures = {{"handle_seconds", double(30 + pick(600))}};
          break;
        case 1:
          e.event = "resolved";
          e.agent = "a" + std::to_string(pick(10));
          break;
        case 2:
          e.event = "rated";
          e.measures = {{"csat", double(1 + pick(5))}};
          break;
        case 3:
          e.event = "transferred";
          e.dims = {{"team", teams[pick(3)]}};
          break;
        default:
          e.event = "customer_reply";
          break;
      }
      if (pick(10) == 0) e.id = ticket + ":" + std::to_string(i);
      out.push_back(e);
    }
  }
  return out;
}

storage::StoreOptions TickingStoreOptions(uint32_t tickets_per_segment, uint32_t max_deltas) {
  storage::StoreOptions o;
  o.sync = false;
  o.max_tickets_per_segment = tickets_per_segment;
  o.max_deltas_per_segment = max_deltas;
  auto now = std::make_shared<int64_t>(1'700'000'000'000);
  o.clock = [now] { return (*now)++; };
  return o;
}

std::string DumpStore(const storage::Store& store) {
  auto snap = store.GetSnapshot();
  const storage::Catalog& cat = snap->catalog();
  std::vector<std::string> lines;
  for (const auto& ref : snap->Plan(storage::ScanSpec(), nullptr)) {
    std::shared_ptr<const storage::Segment> seg;
    kpi::Status st = snap->Load(ref, &seg);
    if (!st.ok()) return "LOAD FAILED: " + st.ToString();
    // Carried values per event row.
    std::vector<std::string> extra(seg->num_events());
    for (const auto& d : seg->dims) {
      std::string name;
      for (const auto& c : cat.Columns())
        if (c.id == d.column) name = c.name;
      for (size_t i = 0; i < d.rows.size(); ++i) extra[d.rows[i]] += " " + name + "=" + cat.Decode(d.column, d.codes[i]);
    }
    for (const auto& m : seg->measures) {
      std::string name;
      for (const auto& c : cat.Columns())
        if (c.id == m.column) name = c.name;
      for (size_t i = 0; i < m.rows.size(); ++i) {
        std::ostringstream v;
        v << m.values[i];
        extra[m.rows[i]] += " " + name + "=" + v.str();
      }
    }
    for (uint32_t t = 0; t < seg->num_tickets(); ++t) {
      std::string line = seg->ticket_ids[t] + "|";
      for (uint32_t e = seg->event_begin[t]; e < seg->event_begin[t + 1]; ++e) {
        line += std::to_string(seg->time_ms[e]) + " " + cat.Decode(storage::kEventColumn, seg->event_code[e]) + " " +
                cat.Decode(storage::kAgentColumn, seg->agent_code[e]) + extra[e] + ";";
      }
      lines.push_back(line);
    }
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

uint64_t CountEvents(const storage::Store& store) {
  uint64_t n = 0;
  for (const auto& ref : store.GetSnapshot()->Plan(storage::ScanSpec(), nullptr)) n += ref.zone.num_events;
  return n;
}

uint64_t CountTickets(const storage::Store& store) {
  uint64_t n = 0;
  for (const auto& ref : store.GetSnapshot()->Plan(storage::ScanSpec(), nullptr)) n += ref.zone.num_tickets;
  return n;
}

storage::StoreOptions TinyCacheOptions() {
  storage::StoreOptions o;
  o.max_tickets_per_segment = 64;
  // The ticket index and the dictionaries' value index read from their
  // files every time, every dictionary of more than 2 values paged through
  // a page cache that keeps nothing (issue 13).
  o.ticket_cache_bytes = 0;
  o.dictionaries.resident_max_codes = 2;
  o.dictionaries.ingest_resident_max_codes = 2;
  o.dictionaries.page_cache_bytes = 0;
  o.dictionaries.value_cache_bytes = 0;
  return o;
}

void StageForever(const std::string& dir, int first, int report_fd,
                  const std::function<std::vector<RawEvent>(int)>& batch, bool spill) {
  std::unique_ptr<storage::Store> store;
  storage::StoreOptions o = TinyCacheOptions();
  if (spill) {
    o.seal_group_events = 300;
    o.spilled_seal_bytes = 100'000;  // a few batches per run
  }
  if (!storage::Store::Open(dir, o, &store).ok()) _exit(2);
  for (int k = first;; ++k) {
    std::vector<RawEvent> events = batch(k);
    storage::IngestStats stats;
    const storage::Store::MetaWrite checkpoint{"ingest_checkpoint", "input", std::to_string(k)};
    if (spill) store->SpillStaged();
    if (!store->Stage(events, nullptr, &stats, std::span(&checkpoint, 1)).ok()) _exit(3);
    if (write(report_fd, &k, sizeof k) != sizeof k) _exit(4);
    if (k % (spill ? 4 : 2) == (spill ? 3 : 1) && !store->Seal(&stats).ok()) _exit(5);
  }
}

}  // namespace kpi::testing
