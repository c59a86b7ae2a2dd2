#include "query/reference/reference_tickets.h"

#include <algorithm>
#include <cstring>
#include <sstream>

namespace kpi::reference {

namespace {

// The identity of an event inside its ticket: its id, else all its content.
std::string IdentityOf(const RawEvent& e) {
  if (!e.id.empty()) return "id\x1f" + e.id;
  std::ostringstream out;
  out << "content\x1f" << e.ts_ms << '\x1f' << e.event << '\x1f' << e.agent;
  std::map<std::string, std::string> dims(e.dims.begin(), e.dims.end());
  for (const auto& [k, v] : dims) out << '\x1f' << k << '=' << v;
  out << "\x1f|";
  std::map<std::string, double> measures(e.measures.begin(), e.measures.end());
  for (const auto& [k, v] : measures) {
    double value = v == 0 ? 0.0 : v;  // -0 and 0 are the same measure
    uint64_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    out << '\x1f' << k << '=' << bits;
  }
  return out.str();
}

}  // namespace

std::optional<int64_t> RefTicket::First(const std::string& event) const {
  if (event == "created") return created;
  for (const RefEvent& e : events)
    if (e.event == event) return e.time;
  return std::nullopt;
}

std::optional<int64_t> RefTicket::Last(const std::string& event) const {
  std::optional<int64_t> last;
  for (const RefEvent& e : events)
    if (e.event == event) last = e.time;
  if (!last && event == "created") return created;
  return last;
}

int64_t RefTicket::Count(const std::string& event) const {
  int64_t n = 0;
  for (const RefEvent& e : events) n += e.event == event;
  return n;
}

int64_t RefTicket::CountBefore(const std::string& a, const std::string& b) const {
  const std::optional<int64_t> end = First(b);
  int64_t n = 0;
  for (const RefEvent& e : events)
    if (e.event == a && (!end || e.time < *end)) ++n;
  return n;
}

bool RefTicket::Has(const std::string& event) const { return Count(event) > 0; }

std::optional<double> RefTicket::DurationSeconds(const std::string& a, const std::string& b) const {
  const std::optional<int64_t> start = First(a);
  if (!start) return std::nullopt;
  std::optional<int64_t> end;
  if (b == "created") {
    if (created >= *start) end = created;
  } else {
    for (const RefEvent& e : events) {
      if (e.event == b && e.time >= *start) {
        end = e.time;
        break;
      }
    }
  }
  if (!end) return std::nullopt;
  return static_cast<double>(*end - *start) / 1000.0;
}

std::optional<std::string> RefTicket::AgentOf(const std::string& event) const {
  for (const RefEvent& e : events) {
    if (e.event == event) {
      if (e.agent.empty()) return std::nullopt;
      return e.agent;
    }
  }
  return std::nullopt;
}

std::optional<double> RefTicket::LastMeasure(const std::string& measure) const {
  std::optional<double> last;
  for (const RefEvent& e : events) {
    auto it = e.measures.find(measure);
    if (it != e.measures.end()) last = it->second;
  }
  return last;
}

std::optional<double> RefTicket::Total(const std::string& measure) const {
  std::optional<double> sum;
  for (const RefEvent& e : events) {
    auto it = e.measures.find(measure);
    if (it != e.measures.end()) sum = sum.value_or(0) + it->second;
  }
  return sum;
}

std::map<std::string, std::string> RefTicket::StickyDims(size_t index) const {
  std::map<std::string, std::string> dims_now;
  for (size_t i = 0; i <= index && i < events.size(); ++i)
    for (const auto& [k, v] : events[i].dims) dims_now[k] = v;
  return dims_now;
}

RefStore BuildTickets(const EventLog& log, std::optional<int64_t> as_of_ms) {
  RefStore store;
  std::map<std::string, bool> is_measure;  // the catalog: first use fixes the kind
  std::set<std::pair<std::string, std::string>> seen;  // (ticket, identity)
  struct Kept {
    const RawEvent* raw;
    size_t seq;
  };
  std::map<std::string, std::vector<Kept>> by_ticket;
  // (ticket, id) -> the copy in force: the highest revision seen so far.
  std::map<std::pair<std::string, std::string>, Kept> by_id;
  size_t seq = 0;
  for (const auto& [raw, ingest_ms] : log) {
    // Store::Stage refuses an event whose names clash with the catalog.
    bool clash = false;
    for (const auto& [k, v] : raw.dims) {
      auto it = is_measure.find(k);
      if (it != is_measure.end() && it->second) clash = true;
    }
    for (const auto& [k, v] : raw.measures) {
      auto it = is_measure.find(k);
      if (it != is_measure.end() && !it->second) clash = true;
    }
    if (clash) continue;
    for (const auto& [k, v] : raw.dims) {
      is_measure.emplace(k, false);
      store.dims.insert(k);
    }
    for (const auto& [k, v] : raw.measures) {
      is_measure.emplace(k, true);
      store.measures.insert(k);
    }
    store.event_names.insert(raw.event);
    if (as_of_ms && ingest_ms > *as_of_ms) continue;  // the log is in ingest order
    if (!raw.id.empty()) {
      auto [it, fresh] = by_id.try_emplace({raw.ticket, raw.id}, Kept{&raw, seq});
      if (!fresh && raw.revision <= it->second.raw->revision) continue;  // a duplicate
      it->second = Kept{&raw, seq++};  // a first copy, or a correction replacing the one in force
      continue;
    }
    if (!seen.emplace(raw.ticket, IdentityOf(raw)).second) continue;  // a duplicate: the first copy counts
    by_ticket[raw.ticket].push_back(Kept{&raw, seq++});
  }
  for (const auto& [key, kept] : by_id)
    if (!kept.raw->retract) by_ticket[key.first].push_back(kept);
  for (auto& [id, kept] : by_ticket) {
    std::stable_sort(kept.begin(), kept.end(),
                     [](const Kept& a, const Kept& b) {
                       return a.raw->ts_ms != b.raw->ts_ms ? a.raw->ts_ms < b.raw->ts_ms : a.seq < b.seq;
                     });
    RefTicket t;
    t.id = id;
    for (const Kept& k : kept) {
      RefEvent e;
      e.time = k.raw->ts_ms;
      e.event = k.raw->event;
      e.agent = k.raw->agent;
      e.dims.insert(k.raw->dims.begin(), k.raw->dims.end());
      e.measures.insert(k.raw->measures.begin(), k.raw->measures.end());
      t.events.push_back(std::move(e));
    }
    t.created = t.events.front().time;
    for (const RefEvent& e : t.events) {
      if (e.event == "created") {
        t.created = e.time;
        break;
      }
    }
    for (const RefEvent& e : t.events)
      for (const auto& [k, v] : e.dims) t.dims[k] = v;
    store.tickets.emplace(id, std::move(t));
  }
  return store;
}

}  // namespace kpi::reference
