#include "server/cache_metrics.h"

#include <cstdio>

namespace kpi::server {

namespace {

void Family(std::string* out, const char* name, const char* type, const char* help, uint64_t value) {
  char buf[512];
  std::snprintf(buf, sizeof(buf), "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", name, help, name, type, name,
                static_cast<unsigned long long>(value));
  *out += buf;
}

// The five series of one byte-bounded LRU cache (storage/lru_cache.h).
void Cache(std::string* out, const std::string& prefix, const char* what, const storage::CacheStats& c) {
  const std::string help = std::string(" of the ") + what + ".";
  Family(out, (prefix + "_bytes").c_str(), "gauge", ("Bytes held" + help).c_str(), c.bytes);
  Family(out, (prefix + "_capacity_bytes").c_str(), "gauge", ("Capacity" + help).c_str(), c.capacity_bytes);
  Family(out, (prefix + "_entries").c_str(), "gauge", ("Entries" + help).c_str(), c.entries);
  Family(out, (prefix + "_hits_total").c_str(), "counter", ("Lookups served" + help).c_str(), c.hits);
  Family(out, (prefix + "_misses_total").c_str(), "counter", ("Lookups that read the store" + help).c_str(),
         c.misses);
}

}  // namespace

std::string RenderCacheMetrics(const storage::Store& store) {
  std::string out;
  Cache(&out, "kpi_segment_cache", "decoded-segment cache", store.SegmentCacheStats());
  Cache(&out, "kpi_segment_memo_cache",
        "values derived from segments, kept in the segment cache's capacity (hits: segments read without decoding)",
        store.MemoCacheStats());
  const storage::DictionaryStats d = store.catalog().Stats();
  Cache(&out, "kpi_dictionary_page_cache", "page cache of paged dictionaries", d.pages);
  out += "# HELP kpi_dictionaries Dictionaries by state: held whole, paged, or not read yet.\n"
         "# TYPE kpi_dictionaries gauge\n";
  out += "kpi_dictionaries{state=\"resident\"} " + std::to_string(d.resident) + "\n";
  out += "kpi_dictionaries{state=\"paged\"} " + std::to_string(d.paged) + "\n";
  out += "kpi_dictionaries{state=\"not_loaded\"} " + std::to_string(d.not_loaded) + "\n";
  Family(&out, "kpi_dictionary_resident_bytes", "gauge", "Bytes of the dictionaries held whole.", d.resident_bytes);
  Family(&out, "kpi_dictionary_index_bytes", "gauge", "Bytes of the value indexes of paged dictionaries.",
         d.index_bytes);
  Family(&out, "kpi_dictionary_page_scans_total", "counter",
         "Value lookups that read a paged dictionary's pages.", d.scans);
  Family(&out, "kpi_dictionary_tail_bytes", "gauge", "Bytes of the in-memory tails of paged dictionaries.",
         d.tail_bytes);
  Cache(&out, "kpi_dictionary_value_index_cache",
        "dictionaries' value index's block cache (hits: blocks found cached, misses: blocks read)", d.value_blocks);
  Family(&out, "kpi_dictionary_value_lookups_total", "counter",
         "Dictionary values ingest looked up in the on-disk value index.", d.value_lookups);
  Family(&out, "kpi_dictionary_value_found_total", "counter", "Of those, values found coded.", d.value_found);
  const storage::TicketIndexStats t = store.TicketIndexCacheStats();
  Cache(&out, "kpi_ticket_index_cache", "ticket index's block cache (hits: blocks found cached, misses: blocks read)",
        t.blocks);
  Family(&out, "kpi_ticket_index_lookups_total", "counter", "Tickets the sealer looked up in the ticket index.",
         t.lookups);
  Family(&out, "kpi_ticket_index_found_total", "counter", "Of those, tickets found sealed.", t.found);
  return out;
}

}  // namespace kpi::server
