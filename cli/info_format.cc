// `kpi info` rendering (see cli/info_format.h).
#include "cli/info_format.h"

#include <algorithm>
#include <cstdio>

#include "query/text_width.h"
#include "storage/timestamp.h"

namespace kpi::cli {

namespace {

std::string PerEvent(uint64_t bytes, uint64_t events) {
  if (events == 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", static_cast<double>(bytes) / static_cast<double>(events));
  return buf;
}

std::string JsonPerEvent(uint64_t bytes, uint64_t events) {
  if (events == 0) return "null";
  return FormatNumberExact(static_cast<double>(bytes) / static_cast<double>(events));
}

std::string HitRate(const storage::CacheStats& c) {
  if (c.hits + c.misses == 0) return "no lookups";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.1f %% of %s lookups hit",
                100.0 * static_cast<double>(c.hits) / static_cast<double>(c.hits + c.misses),
                FormatCount(c.hits + c.misses).c_str());
  return buf;
}

std::string JsonCache(const storage::CacheStats& c) {
  return "{\"entries\":" + std::to_string(c.entries) + ",\"bytes\":" + std::to_string(c.bytes) +
         ",\"capacity_bytes\":" + std::to_string(c.capacity_bytes) + ",\"hits\":" + std::to_string(c.hits) +
         ",\"misses\":" + std::to_string(c.misses) + "}";
}

std::string InfoTable(const std::string& dir, const storage::StoreInfo& info, const InfoDefinitions& defs) {
  std::string out;
  auto line = [&](const std::string& key, const std::string& value) {
    std::string padded = key;
    padded.resize(std::max<size_t>(key.size(), 16), ' ');
    out += padded + value + "\n";
  };
  line("store", dir);
  line("tickets", FormatCount(info.tickets));
  line("events", FormatCount(info.events));
  if (info.staged_events > 0) line("staged events", FormatCount(info.staged_events) + " (not yet sealed)");
  if (info.events > 0) {
    line("time range", FormatRfc3339(info.min_time_ms) + " .. " + FormatRfc3339(info.max_time_ms));
  } else {
    line("time range", "-");
  }
  line("partitions", FormatCount(info.partitions) + " (days)");
  line("segments", FormatCount(info.segments) +
                       (info.delta_parts == 0 ? std::string()
                                              : " (+ " + FormatCount(info.delta_parts) + " delta parts holding " +
                                                    FormatCount(info.delta_events) + " events)"));
  line("ingest batches", FormatCount(info.batches));
  line("segment bytes", FormatBytes(info.segment_bytes) + " (" + PerEvent(info.segment_bytes, info.events) +
                            " bytes/event)");
  line("disk bytes", FormatBytes(info.disk_bytes) + " (" + PerEvent(info.disk_bytes, info.events) + " bytes/event)");
  std::string counts;
  for (const auto& [kind, n] : defs.counts) counts += (counts.empty() ? "" : ", ") + FormatCount(n) + " " + kind;
  line("definitions", counts + (defs.unreadable.empty() ? "" : ", " + FormatCount(defs.unreadable.size()) +
                                                                    " unreadable (below)"));
  for (const std::string& u : defs.unreadable) out += "  unreadable: " + Printable(u) + "\n";

  if (!info.dictionaries.empty()) {
    out += "\ndictionaries\n";
    size_t w = 0;  // terminal cells: a CJK name takes two a character
    for (const auto& [name, size] : info.dictionaries) w = std::max(w, query::DisplayWidth(Printable(name)));
    for (const auto& [name, size] : info.dictionaries) {
      const std::string shown = Printable(name);
      out += "  " + shown + std::string(w - query::DisplayWidth(shown), ' ') + "  " + FormatCount(size) + "\n";
    }
  }
  const storage::DictionaryStats& d = info.dictionary_cache;
  out += "\ncaches (this process)\n";
  out += "  segments          " + CacheLine(info.segment_cache, "segments") + "\n";
  out += "  derived values    " + CacheLine(info.memo_cache, "segments") + " (hits: segments read without decoding)\n";
  out += "  dictionary pages  " + CacheLine(d.pages, "pages") + "\n";
  const storage::TicketIndexStats& t = info.ticket_index;
  out += "  ticket index      " + CacheLine(t.blocks, "blocks") + "; " + FormatCount(t.lookups) +
         " tickets looked up, " + FormatCount(t.found) + " found\n";
  out += "  dictionaries      " + FormatCount(d.resident) + " resident (" + FormatCount(d.resident_codes) +
         " values, " + FormatBytes(d.resident_bytes) + "), " + FormatCount(d.paged) + " paged, " +
         FormatCount(d.indexed) + " of them with a value index (" + FormatBytes(d.index_bytes) + "), " +
         FormatCount(d.not_loaded) + " not read yet; " + FormatCount(d.scans) + " lookups by value read pages\n";
  if (d.value_index) {
    out += "  dictionary values " + CacheLine(d.value_blocks, "blocks") + "; " + FormatCount(d.value_lookups) +
           " values looked up, " + FormatCount(d.value_found) + " found; paged tails " +
           FormatCount(d.tail_codes) + " values (" + FormatBytes(d.tail_bytes) + ")\n";
  }
  if (!info.columns.empty()) {
    out += "\ncolumns\n";
    size_t wc = 6, wb = 5;
    uint64_t total = 0;
    for (const auto& c : info.columns) {
      wc = std::max(wc, query::DisplayWidth(Printable(c.column)));
      wb = std::max(wb, FormatBytes(c.bytes).size());
      total += c.bytes;
    }
    auto row = [&](const std::string& col, const std::string& bytes, const std::string& share,
                   const std::string& per_event, const std::string& enc) {
      std::string r = "  " + col + std::string(wc - query::DisplayWidth(col), ' ');
      r += "  " + std::string(wb > bytes.size() ? wb - bytes.size() : 0, ' ') + bytes;
      r += "  " + std::string(share.size() < 6 ? 6 - share.size() : 0, ' ') + share;
      r += "  " + std::string(per_event.size() < 11 ? 11 - per_event.size() : 0, ' ') + per_event;
      r += "  " + enc;
      while (!r.empty() && r.back() == ' ') r.pop_back();
      out += r + "\n";
    };
    row("column", "bytes", "share", "bytes/event", "encodings (blocks)");
    for (const auto& c : info.columns) {
      char share[16];
      std::snprintf(share, sizeof(share), "%.1f%%", total == 0 ? 0.0 : 100.0 * static_cast<double>(c.bytes) / total);
      row(Printable(c.column), FormatBytes(c.bytes), share, PerEvent(c.bytes, info.events), c.encoding);
    }
  }
  return out;
}

std::string InfoJson(const std::string& dir, const storage::StoreInfo& info, const InfoDefinitions& defs) {
  std::string out = "{\"dir\":" + JsonString(dir);
  auto num = [&](const char* key, uint64_t v) { out += std::string(",\"") + key + "\":" + std::to_string(v); };
  num("tickets", info.tickets);
  num("events", info.events);
  num("staged_events", info.staged_events);
  out += ",\"min_time\":" + (info.events > 0 ? JsonString(FormatRfc3339(info.min_time_ms)) : std::string("null"));
  out += ",\"max_time\":" + (info.events > 0 ? JsonString(FormatRfc3339(info.max_time_ms)) : std::string("null"));
  num("partitions", info.partitions);
  num("segments", info.segments);
  num("delta_parts", info.delta_parts);
  num("delta_events", info.delta_events);
  num("batches", info.batches);
  num("segment_bytes", info.segment_bytes);
  num("disk_bytes", info.disk_bytes);
  out += ",\"bytes_per_event\":" + JsonPerEvent(info.segment_bytes, info.events);
  out += ",\"disk_bytes_per_event\":" + JsonPerEvent(info.disk_bytes, info.events);
  out += ",\"dictionaries\":{";
  for (size_t i = 0; i < info.dictionaries.size(); ++i) {
    if (i != 0) out += ',';
    out += JsonString(info.dictionaries[i].first) + ":" + std::to_string(info.dictionaries[i].second);
  }
  const storage::DictionaryStats& d = info.dictionary_cache;
  out += "},\"caches\":{\"segments\":" + JsonCache(info.segment_cache) +
         ",\"derived_values\":" + JsonCache(info.memo_cache) +
         ",\"dictionary_pages\":" + JsonCache(d.pages) + ",\"dictionaries\":{\"resident\":" +
         std::to_string(d.resident) + ",\"paged\":" + std::to_string(d.paged) +
         ",\"not_loaded\":" + std::to_string(d.not_loaded) + ",\"resident_values\":" +
         std::to_string(d.resident_codes) + ",\"resident_bytes\":" + std::to_string(d.resident_bytes) +
         ",\"indexed\":" + std::to_string(d.indexed) + ",\"index_bytes\":" + std::to_string(d.index_bytes) +
         ",\"scans\":" + std::to_string(d.scans) + ",\"tail_values\":" + std::to_string(d.tail_codes) +
         ",\"tail_bytes\":" + std::to_string(d.tail_bytes) + "}";
  if (d.value_index) {
    out += ",\"dictionary_values\":" + JsonCache(d.value_blocks);
    out.pop_back();  // the blocks' object, extended with the lookups
    out += ",\"lookups\":" + std::to_string(d.value_lookups) + ",\"found\":" + std::to_string(d.value_found) + "}";
  }
  out += ",\"ticket_index\":" + JsonCache(info.ticket_index.blocks);
  out.pop_back();  // the blocks' object, extended with the lookups
  out += ",\"lookups\":" + std::to_string(info.ticket_index.lookups) +
         ",\"found\":" + std::to_string(info.ticket_index.found) + "}";
  out += "},\"columns\":[";
  for (size_t i = 0; i < info.columns.size(); ++i) {
    if (i != 0) out += ',';
    const storage::ColumnUsage& c = info.columns[i];
    out += "{\"column\":" + JsonString(c.column) + ",\"encoding\":" + JsonString(c.encoding) +
           ",\"bytes\":" + std::to_string(c.bytes) + "}";
  }
  out += "],\"definitions\":{";
  for (const auto& [kind, n] : defs.counts) out += JsonString(kind) + ":" + std::to_string(n) + ",";
  out += "\"unreadable\":[";
  for (size_t i = 0; i < defs.unreadable.size(); ++i) out += (i ? "," : "") + JsonString(defs.unreadable[i]);
  out += "]}}\n";
  return out;
}

}  // namespace

std::string CacheLine(const storage::CacheStats& c, const char* unit) {
  return FormatBytes(c.bytes) + " of " + FormatBytes(c.capacity_bytes) + " in " + FormatCount(c.entries) + " " +
         unit + ", " + HitRate(c);
}

std::string FormatInfo(const std::string& dir, const storage::StoreInfo& info, const InfoDefinitions& defs,
                       OutputFormat format) {
  return format == OutputFormat::kJson ? InfoJson(dir, info, defs) : InfoTable(dir, info, defs);
}

}  // namespace kpi::cli
