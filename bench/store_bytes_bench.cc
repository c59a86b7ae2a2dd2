// Where a store's bytes on disk go: per column family (table files by level,
// live keys and values) and, for the segments family, per column block (the
// codec's encoded bytes, and the same blocks zstd-compressed segment by
// segment, which is roughly what RocksDB's block compression makes of them).
// Opens the store read-only with RocksDB directly; changes nothing.
//   build/bench/store_bytes_bench DIR [EVENTS]
// EVENTS (default: the events the zone maps count) divides every figure into
// bytes per event. Rows starting "x:" are layouts measured for
// docs/performance.md "Bytes on disk", most not used (the time gaps by event
// code Rice- or Huffman-coded with k modelled bits or in zstd-compressed byte
// planes, by previous and current event code; batches Huffman-coded and their
// entropy; agents as "same as the ticket's previous" symbols in one or per
// event code blocks; presence blocks as written by version 3 and as event-code
// sets), computed from the decoded segments whatever version wrote them. TICKET_EXPERIMENTS=1 also writes the ticket index's live entries
// into one table file per candidate option set (block size, filter, value
// layout, zstd level) and prints each file's size.
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>
#include <zstd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "storage/codec/codec.h"
#include "storage/keys.h"
#include "storage/segment_codec.h"
#include "storage/segment_parts.h"

namespace {

// Bits of a Rice code of `v` (ascending-min-shifted) with the best k, with an
// escape after 16 unary ones: 16 + 6-bit length + the value's bits.
uint64_t RiceBits(const std::vector<int64_t>& v) {
  if (v.empty()) return 0;
  int64_t mn = *std::min_element(v.begin(), v.end());
  uint64_t best = UINT64_MAX;
  for (int k = 0; k < 40; ++k) {
    uint64_t bits = 0;
    for (int64_t x : v) {
      uint64_t u = uint64_t(x - mn), q = u >> k;
      if (q < 16) bits += q + 1 + k;
      else bits += 16 + 6 + (64 - __builtin_clzll(u));
    }
    best = std::min(best, bits);
  }
  return best + 8 * 4;  // header: tag, count, min, k
}

// Bits of a static Huffman code over buckets of v - min: a bucket is the bit
// length of the value and its k bits after the leading one (values below
// 2^(k+1) are buckets of their own); the rest of the bits are stored raw.
// Plus a table: 5 bits per bucket up to the largest used, and an 8-byte header.
uint64_t HuffmanBits(const std::vector<int64_t>& v, int k) {
  if (v.empty()) return 0;
  int64_t mn = *std::min_element(v.begin(), v.end());
  std::map<uint32_t, uint64_t> h;
  uint64_t raw = 0;
  for (int64_t x : v) {
    uint64_t u = uint64_t(x - mn);
    int L = u == 0 ? 0 : 64 - __builtin_clzll(u);
    uint32_t sym;
    if (L <= k + 1) {
      sym = uint32_t(u);
    } else {
      int extra = L - 1 - k;
      sym = uint32_t((1u << (k + 1)) + (uint64_t(L - k - 2) << k) + ((u >> extra) & ((1u << k) - 1)));
      raw += extra;
    }
    h[sym]++;
  }
  // Huffman code lengths.
  std::vector<std::pair<uint64_t, std::vector<uint32_t>>> nodes;
  std::map<uint32_t, int> len;
  for (auto& [s, c] : h) { nodes.push_back({c, {s}}); len[s] = 0; }
  if (nodes.size() == 1) len.begin()->second = 1;
  while (nodes.size() > 1) {
    std::sort(nodes.begin(), nodes.end(), [](auto& a, auto& b) { return a.first > b.first; });
    auto a = nodes.back(); nodes.pop_back();
    auto b = nodes.back(); nodes.pop_back();
    for (uint32_t s : a.second) len[s]++;
    for (uint32_t s : b.second) len[s]++;
    a.second.insert(a.second.end(), b.second.begin(), b.second.end());
    nodes.push_back({a.first + b.first, std::move(a.second)});
  }
  uint64_t bits = raw;
  for (auto& [s, c] : h) bits += c * len[s];
  return bits + 5 * (h.rbegin()->first + 1) + 64;
}

// The same as an ideal entropy coder would (no table).
double EntropyBits(const std::vector<int64_t>& v) {
  std::map<int64_t, uint64_t> h;
  for (int64_t x : v) h[x]++;
  double H = 0;
  for (auto& [x, c] : h) H -= c * std::log2(double(c) / v.size());
  return H;
}

struct Sizes {
  uint64_t encoded = 0, compressed = 0, blocks = 0;
};

uint64_t Zstd(const std::string& s) {
  if (s.empty()) return 0;
  std::string out(ZSTD_compressBound(s.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), s.data(), s.size(), 3);
  return ZSTD_isError(n) ? s.size() : n;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [EVENTS]\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  std::vector<std::string> names;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names);
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const std::string& n : names) families.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  s = rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir, families, &handles, &raw);
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  std::unique_ptr<rocksdb::DB> db(raw);

  uint64_t total_files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file()) total_files += e.file_size();

  // Events: from the zone maps, unless given.
  uint64_t events = argc > 2 ? std::stoull(argv[2]) : 0;
  std::map<std::string, Sizes> columns;
  struct Family {
    std::string name;
    uint64_t table_bytes = 0, files = 0, entries = 0, key_bytes = 0, value_bytes = 0;
    std::map<int, uint64_t> level_bytes;
  };
  std::vector<Family> out;
  for (size_t i = 0; i < handles.size(); ++i) {
    Family f;
    f.name = names[i];
    rocksdb::ColumnFamilyMetaData meta;
    db->GetColumnFamilyMetaData(handles[i], &meta);
    for (const auto& level : meta.levels) {
      for (const auto& file : level.files) {
        f.table_bytes += file.size;
        f.level_bytes[level.level] += file.size;
        ++f.files;
      }
    }
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[i]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ++f.entries;
      f.key_bytes += it->key().size();
      f.value_bytes += it->value().size();
      if (f.name == std::string("zones") && argc <= 2) {
        kpi::storage::SegmentRef ref;
        if (kpi::storage::DecodeZoneValue(std::string_view(it->value().data(), it->value().size()), &ref).ok())
          events += ref.zone.num_events;
      }
      if (f.name != std::string("segments")) continue;
      kpi::storage::Segment segment;
      std::vector<kpi::storage::ColumnBlockStat> stats;
      const std::string_view value(it->value().data(), it->value().size());
      if (!kpi::storage::DecodeSegment(value, &segment, &stats).ok()) continue;
      for (const auto& b : stats) {
        columns[b.column].encoded += b.bytes;
        columns[b.column].blocks++;
      }
      // zstd per column: re-encode each column's blocks separately.
      std::string ticket, counts, times, ev, ag, batch, idrows, ids;
      kpi::codec::EncodeStrings(segment.ticket_ids, &ticket);
      std::vector<uint32_t> c(segment.num_tickets());
      for (uint32_t t = 0; t < segment.num_tickets(); ++t) c[t] = segment.event_begin[t + 1] - segment.event_begin[t];
      kpi::codec::EncodeInts(std::span<const uint32_t>(c), &counts);
      std::string whole;
      kpi::storage::EncodeSegment(segment, &whole);
      columns["(whole segment)"].encoded += whole.size();
      columns["(whole segment)"].compressed += Zstd(whole);
      kpi::codec::EncodeInts(std::span<const uint32_t>(segment.event_code), &ev);
      kpi::codec::EncodeInts(std::span<const uint32_t>(segment.agent_code), &ag);
      kpi::codec::EncodeInts(std::span<const uint32_t>(segment.batch), &batch);
      columns["ticket"].compressed += Zstd(ticket) + Zstd(counts);
      columns["event"].compressed += Zstd(ev);
      columns["agent"].compressed += Zstd(ag);
      columns["batch"].compressed += Zstd(batch);
      for (const auto& d : segment.dims) {
        std::string blk;
        kpi::codec::EncodePresence(d.rows, segment.num_events(), &blk);
        kpi::codec::EncodeInts(std::span<const uint32_t>(d.codes), &blk);
        columns["dim:" + std::to_string(d.column)].compressed += Zstd(blk);
      }
      for (const auto& m : segment.measures) {
        std::string blk;
        kpi::codec::EncodePresence(m.rows, segment.num_events(), &blk);
        kpi::codec::EncodeDoubles(m.values, &blk);
        columns["measure:" + std::to_string(m.column)].compressed += Zstd(blk);
      }
      std::string idb;
      kpi::codec::EncodePresence(segment.id_rows, segment.num_events(), &idb);
      std::vector<int64_t> idv(segment.id_hashes.begin(), segment.id_hashes.end());
      kpi::codec::EncodeInts(std::span<const int64_t>(idv), &idb);
      columns["id"].compressed += Zstd(idb);
      std::vector<int64_t> tv(segment.time_ms.size());
      for (uint32_t t = 0; t < segment.num_tickets(); ++t) {
        for (uint32_t e = segment.event_begin[t]; e < segment.event_begin[t + 1]; ++e) {
          tv[e] = e == segment.event_begin[t] ? (t == 0 ? 0 : segment.time_ms[e] - segment.time_ms[segment.event_begin[t - 1]])
                                              : segment.time_ms[e] - segment.time_ms[e - 1];
        }
      }
      kpi::codec::EncodeInts(std::span<const int64_t>(tv), &times);
      columns["time"].compressed += Zstd(times);
      // Experiments: what alternative layouts would cost (encoded bytes).
      {
        std::string blk;
        for (const auto& d : segment.dims) {
          blk.clear();
          kpi::codec::EncodePresence(d.rows, segment.num_events(), &blk);
          columns["x:presence of dims"].encoded += blk.size();
        }
        for (const auto& m : segment.measures) {
          blk.clear();
          kpi::codec::EncodePresence(m.rows, segment.num_events(), &blk);
          columns["x:presence of measures"].encoded += blk.size();
        }
        // Time deltas in one block per event code.
        std::map<uint32_t, std::vector<int64_t>> by_event;
        for (size_t e = 0; e < tv.size(); ++e) by_event[segment.event_code[e]].push_back(tv[e]);
        for (const auto& [code, v] : by_event) {
          columns["x:time rice by event code"].encoded += RiceBits(v) / 8;
          {
            // Byte planes of (v - min), zstd-compressed.
            const int64_t mn = *std::min_element(v.begin(), v.end());
            uint64_t mx = 0;
            for (int64_t x : v) mx = std::max(mx, uint64_t(x - mn));
            int width = 1;
            while (width < 8 && (mx >> (8 * width)) != 0) ++width;
            std::string planes;
            for (int b = 0; b < width; ++b)
              for (int64_t x : v) planes.push_back(static_cast<char>((uint64_t(x - mn) >> (8 * b)) & 0xff));
            columns["x:time byte planes zstd by event code"].encoded += std::min<uint64_t>(Zstd(planes), planes.size()) + 4;
          }
          {
            // bitlen entropy + mantissa (bitlen - 1) bits, plus a 64-byte table
            std::map<int, uint64_t> h;
            int64_t mn = *std::min_element(v.begin(), v.end());
            double mant = 0;
            for (int64_t x : v) {
              uint64_t u = uint64_t(x - mn);
              int L = u == 0 ? 0 : 64 - __builtin_clzll(u);
              h[L]++;
              mant += L > 1 ? L - 1 : 0;
            }
            double H = 0;
            for (auto& [L, c] : h) H -= c * std::log2(double(c) / v.size());
            columns["x:time huffman-ish by event code"].encoded += uint64_t((H + mant) / 8 + 8 + h.size());
          }
          blk.clear();
          kpi::codec::EncodeInts(std::span<const int64_t>(v), &blk);
          columns["x:time by event code"].encoded += blk.size();
          columns["x:time by event code"].compressed += Zstd(blk);
        }
        columns["x:time rice one block"].encoded += RiceBits(tv) / 8;
        {
          std::vector<int64_t> a(segment.agent_code.begin(), segment.agent_code.end());
          columns["x:agent rice"].encoded += RiceBits(a) / 8;
          for (const auto& m : segment.measures) {
            std::vector<int64_t> mv;
            for (double x : m.values) mv.push_back(int64_t(x * 100));
            columns["x:measure*100 rice " + std::to_string(m.column)].encoded += RiceBits(mv) / 8;
          }
        }
        {
          // Time deltas grouped by (previous event code in the ticket, code).
          std::map<std::pair<uint32_t, uint32_t>, std::vector<int64_t>> by_pair;
          for (uint32_t t = 0; t < segment.num_tickets(); ++t)
            for (uint32_t e = segment.event_begin[t]; e < segment.event_begin[t + 1]; ++e)
              by_pair[{e == segment.event_begin[t] ? 0 : segment.event_code[e - 1], segment.event_code[e]}].push_back(tv[e]);
          for (const auto& [key, v] : by_pair) {
            blk.clear();
            kpi::codec::EncodeInts(std::span<const int64_t>(v), &blk);
            columns["x:time by (prev, code)"].encoded += blk.size();
          }
        }
        // Ticket-first deltas apart from in-ticket gaps.
        std::vector<int64_t> first, rest;
        for (uint32_t t = 0; t < segment.num_tickets(); ++t)
          for (uint32_t e = segment.event_begin[t]; e < segment.event_begin[t + 1]; ++e)
            (e == segment.event_begin[t] ? first : rest).push_back(tv[e]);
        for (auto* v : {&first, &rest}) {
          blk.clear();
          kpi::codec::EncodeInts(std::span<const int64_t>(*v), &blk);
          columns["x:time first/rest"].encoded += blk.size();
        }
        // Entropy-coded (Huffman) gaps per event code, k mantissa bits modelled.
        for (const auto& [code, v] : by_event) {
          for (int k : {0, 1, 2, 3})
            columns["x:time huffman k=" + std::to_string(k) + " by event code"].encoded += HuffmanBits(v, k) / 8;
        }
        {
          for (int k : {0, 2}) {
            std::vector<int64_t> bv(segment.batch.begin(), segment.batch.end());
            columns["x:batch huffman k=" + std::to_string(k)].encoded += HuffmanBits(bv, k) / 8;
          }
          std::vector<int64_t> bv(segment.batch.begin(), segment.batch.end());
          columns["x:batch entropy"].encoded += uint64_t(EntropyBits(bv) / 8);
          std::map<uint32_t, uint32_t> distinct;
          for (uint32_t b : segment.batch) distinct[b]++;
          columns["x:batch distinct per segment (count, not bytes)"].encoded += distinct.size();
          columns["x:batch distinct per segment (count, not bytes)"].blocks++;
        }
        {
          // Agents: 0 none, 1 the ticket's previous agent, else code + 1.
          std::vector<uint32_t> sym(segment.num_events());
          std::map<uint32_t, std::vector<int64_t>> by_code;
          std::vector<int64_t> explicit_codes;
          for (uint32_t t = 0; t < segment.num_tickets(); ++t) {
            uint32_t prev = 0;
            for (uint32_t e = segment.event_begin[t]; e < segment.event_begin[t + 1]; ++e) {
              const uint32_t a = segment.agent_code[e];
              sym[e] = a == 0 ? 0 : a == prev ? 1 : a + 1;
              if (sym[e] > 1) explicit_codes.push_back(a);
              if (a != 0) prev = a;
              by_code[segment.event_code[e]].push_back(sym[e]);
            }
          }
          blk.clear();
          kpi::codec::EncodeIntsCompressed(std::span<const uint32_t>(sym), &blk);
          columns["x:agent same-as-previous zstd"].encoded += blk.size();
          for (const auto& [code, v] : by_code) {
            blk.clear();
            kpi::codec::EncodeIntsCompressed(std::span<const int64_t>(v), &blk);
            columns["x:agent same-as-previous by event code"].encoded += blk.size();
            columns["x:agent same-as-previous by event code huffman"].encoded += HuffmanBits(v, 2) / 8;
          }
          // Kinds (0 none, 1 same, 2 explicit) by event code + explicit codes packed.
          for (const auto& [code, v] : by_code) {
            std::vector<int64_t> kind;
            for (int64_t x : v) kind.push_back(std::min<int64_t>(x, 2));
            columns["x:agent kinds huffman + explicit"].encoded += HuffmanBits(kind, 0) / 8;
          }
          blk.clear();
          kpi::codec::EncodeIntsCompressed(std::span<const int64_t>(explicit_codes), &blk);
          columns["x:agent kinds huffman + explicit"].encoded += blk.size();
          columns["x:agent explicit only"].encoded += blk.size();
          columns["x:agent explicit entropy"].encoded += uint64_t(EntropyBits(explicit_codes) / 8);
        }
        {
          // Presence: as now (with references), and as "the rows of event codes S".
          std::vector<const std::vector<uint32_t>*> seen;
          auto account = [&](const std::vector<uint32_t>& rows) {
            bool ref = false;
            for (auto* r : seen) ref |= *r == rows;
            if (ref) return;
            seen.push_back(&rows);
            blk.clear();
            kpi::codec::EncodePresence(rows, segment.num_events(), &blk);
            columns["x:presence as now"].encoded += blk.size();
            std::vector<uint32_t> codes;
            for (uint32_t r : rows) codes.push_back(segment.event_code[r]);
            std::sort(codes.begin(), codes.end());
            codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
            std::vector<uint32_t> of_codes;
            for (uint32_t e = 0; e < segment.num_events(); ++e)
              if (std::binary_search(codes.begin(), codes.end(), segment.event_code[e])) of_codes.push_back(e);
            if (of_codes == rows) {
              columns["x:presence by event codes"].encoded += 1 + codes.size();
            } else {
              // Rows missing from the code set's rows, as a presence over those rows.
              std::vector<uint32_t> within;
              size_t j = 0;
              for (size_t i = 0; i < of_codes.size(); ++i) {
                if (j < rows.size() && rows[j] == of_codes[i]) { within.push_back(uint32_t(i)); ++j; }
              }
              std::string b2;
              kpi::codec::EncodePresence(within, uint32_t(of_codes.size()), &b2);
              columns["x:presence by event codes"].encoded += std::min(blk.size(), 1 + codes.size() + b2.size());
              columns["x:presence by event codes (misses)"].encoded += 1;
            }
          };
          for (const auto& d : segment.dims) account(d.rows);
          for (const auto& m : segment.measures) account(m.rows);
        }
        // Ideal-ish: Elias-gamma-like bits (2*bitlen) and bitlen alone.
        double bits = 0;
        for (int64_t v : tv) bits += v <= 0 ? 1 : 64 - __builtin_clzll(uint64_t(v));
        columns["x:time sum of bit lengths"].encoded += uint64_t(bits / 8);
      }
    }
    out.push_back(std::move(f));
  }
  const double n = events == 0 ? 1 : double(events);
  std::printf("store %s: %llu events, %llu bytes in files = %.3f bytes/event\n", dir.c_str(),
              (unsigned long long)events, (unsigned long long)total_files, total_files / n);
  uint64_t tables = 0;
  for (const Family& f : out) {
    tables += f.table_bytes;
    std::printf("  %-9s tables %10llu B (%.3f B/ev) in %llu files [", f.name.c_str(),
                (unsigned long long)f.table_bytes, f.table_bytes / n, (unsigned long long)f.files);
    for (const auto& [level, bytes] : f.level_bytes) std::printf(" L%d %llu", level, (unsigned long long)bytes);
    std::printf(" ]  live: %llu entries, keys %llu B, values %llu B (%.3f B/ev)\n", (unsigned long long)f.entries,
                (unsigned long long)f.key_bytes, (unsigned long long)f.value_bytes,
                (f.key_bytes + f.value_bytes) / n);
  }
  std::printf("  other files (WAL, MANIFEST, OPTIONS, LOG...): %llu B (%.3f B/ev)\n",
              (unsigned long long)(total_files - tables), (total_files - tables) / n);
  std::printf("segment columns: encoded B/ev, zstd-3 per column per segment B/ev, blocks\n");
  for (const auto& [name, sz] : columns)
    std::printf("  %-22s %7.3f %7.3f %8llu\n", name.c_str(), sz.encoded / n, sz.compressed / n,
                (unsigned long long)sz.blocks);
  // Experiments on the ticket index: one table file of its live entries
  // written with other options / value layouts.
  if (getenv("TICKET_EXPERIMENTS") != nullptr) {
    for (size_t i = 0; i < handles.size(); ++i) {
      if (names[i] != "tickets") continue;
      std::vector<std::pair<std::string, std::string>> kv;
      std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[i]));
      for (it->SeekToFirst(); it->Valid(); it->Next()) kv.emplace_back(it->key().ToString(), it->value().ToString());
      auto varint_value = [](const std::string& v) {
        std::string o;
        kpi::codec::PutVarint64(&o, kpi::storage::GetBigEndian32(v.data()));
        kpi::codec::PutVarint64(&o, kpi::storage::GetBigEndian32(v.data() + 4));
        return o;
      };
      struct Exp {
        const char* name;
        size_t block;
        int bloom;  // bits/key, 0 none, -1 ribbon 10
        int level;
        bool varint;
        int restart;
      };
      for (const Exp& e : {Exp{"as now (4K, bloom 10, zstd)", 4096, 10, 32767, false, 16},
                           Exp{"no filter", 4096, 0, 32767, false, 16},
                           Exp{"ribbon 10", 4096, -1, 32767, false, 16},
                           Exp{"16K blocks", 16384, 10, 32767, false, 16},
                           Exp{"varint values", 4096, 10, 32767, true, 16},
                           Exp{"varint, 16K, no filter", 16384, 0, 32767, true, 16},
                           Exp{"zstd 9", 4096, 10, 9, false, 16},
                           Exp{"restart 64", 4096, 10, 32767, false, 64},
                           Exp{"varint 16K restart 64 ribbon", 16384, -1, 32767, true, 64},
                           Exp{"16K ribbon", 16384, -1, 32767, false, 16},
                           Exp{"varint 16K ribbon", 16384, -1, 32767, true, 16},
                           Exp{"varint 16K bloom", 16384, 10, 32767, true, 16},
                           Exp{"varint 16K restart 32 ribbon", 16384, -1, 32767, true, 32},
                           Exp{"32K ribbon", 32768, -1, 32767, false, 16},
                           Exp{"varint 32K ribbon", 32768, -1, 32767, true, 16}}) {
        rocksdb::Options o;
        o.compression = rocksdb::kZSTD;
        o.compression_opts.level = e.level;
        rocksdb::BlockBasedTableOptions t;
        t.block_size = e.block;
        t.block_restart_interval = e.restart;
        if (e.bloom > 0) t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(e.bloom));
        if (e.bloom < 0) t.filter_policy.reset(rocksdb::NewRibbonFilterPolicy(10));
        o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
        rocksdb::SstFileWriter w(rocksdb::EnvOptions(), o);
        const std::string path = "/tmp/ticket_experiment.sst";
        if (!w.Open(path).ok()) continue;
        for (const auto& [k, v] : kv) w.Put(k, e.varint ? varint_value(v) : v);
        rocksdb::ExternalSstFileInfo info;
        w.Finish(&info);
        std::printf("tickets: %-32s %9llu B  %.2f B/ticket  %.3f B/ev\n", e.name, (unsigned long long)info.file_size,
                    double(info.file_size) / kv.size(), info.file_size / n);
        std::filesystem::remove(path);
      }
    }
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  return 0;
}
