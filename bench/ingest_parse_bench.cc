// Ingest parsing throughput: NDJSON lines -> RawEvent (the parser alone and
// the whole EventReader over a file), CSV records, and RFC 3339 timestamps.
// Lines are synthetic, shaped like the examples of event-format.md
// (~150-250 bytes). Counters: items_per_second = lines (or stamps) per
// second, bytes_per_second = input bytes per second. The reader runs
// unchunked, chunked, and chunked with every chunk known (re-ingest).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include "storage/ingest/content_chunks.h"
#include "storage/ingest/csv_parser.h"
#include "storage/ingest/event_reader.h"
#include "storage/ingest/ndjson_parser.h"
#include "storage/timestamp.h"

namespace {

using kpi::RawEvent;

const char* const kChannels[] = {"chat", "email", "phone", "web"};
const char* const kTeams[] = {"billing", "tech_support", "onboarding", "retention"};
const char* const kCategories[] = {"refund", "login_problem", "delivery", "invoice_question"};
const char* const kRegions[] = {"north", "south", "east", "west"};

std::string Stamp(int i) {
  // 2025-03-01T08:15:02.123Z plus i seconds, varied milliseconds.
  return kpi::FormatRfc3339(1740816902123LL + int64_t{i} * 1237);
}

// One line per event kind of the format document, rotating.
std::vector<std::string> MakeNdjsonLines(int count) {
  std::vector<std::string> lines;
  lines.reserve(static_cast<size_t>(count));
  char buf[512];
  for (int i = 0; i < count; ++i) {
    const int ticket = 100000 + i / 4;
    switch (i % 4) {
      case 0:
        std::snprintf(buf, sizeof(buf),
                      "{\"ts\":\"%s\",\"ticket\":\"T%06d\",\"event\":\"created\",\"customer\":\"C%05d\","
                      "\"channel\":\"%s\",\"team\":\"%s\",\"category\":\"%s\",\"priority\":\"P%d\","
                      "\"region\":\"%s\",\"id\":\"e%08d\"}",
                      Stamp(i).c_str(), ticket, i % 9973, kChannels[i % 4], kTeams[(i / 4) % 4],
                      kCategories[(i / 16) % 4], 1 + i % 4, kRegions[(i / 8) % 4], i);
        break;
      case 1:
        std::snprintf(buf, sizeof(buf),
                      "{\"ts\":\"%s\",\"ticket\":\"T%06d\",\"event\":\"agent_reply\",\"agent\":\"a%03d\","
                      "\"handle_seconds\":%d,\"team\":\"%s\",\"channel\":\"%s\",\"id\":\"e%08d\"}",
                      Stamp(i).c_str(), ticket, i % 211, 30 + i % 900, kTeams[(i / 4) % 4], kChannels[i % 4], i);
        break;
      case 2:
        std::snprintf(buf, sizeof(buf),
                      "{\"ts\":\"%s\",\"ticket\":\"T%06d\",\"event\":\"resolved\",\"agent\":\"a%03d\","
                      "\"team\":\"%s\",\"category\":\"%s\",\"region\":\"%s\",\"id\":\"e%08d\"}",
                      Stamp(i).c_str(), ticket, i % 211, kTeams[(i / 4) % 4], kCategories[(i / 16) % 4],
                      kRegions[(i / 8) % 4], i);
        break;
      default:
        std::snprintf(buf, sizeof(buf),
                      "{\"ts\":\"%s\",\"ticket\":\"T%06d\",\"event\":\"rated\",\"csat\":%d,\"nps\":%d,"
                      "\"channel\":\"%s\",\"survey\":\"post_contact_v2\",\"id\":\"e%08d\"}",
                      Stamp(i).c_str(), ticket, 1 + i % 5, i % 11, kChannels[i % 4], i);
        break;
    }
    lines.emplace_back(buf);
  }
  return lines;
}

void BM_NdjsonParse(benchmark::State& state) {
  const std::vector<std::string> lines = MakeNdjsonLines(4096);
  const std::unordered_set<std::string> measures = kpi::ingest::ReaderOptions().csv_measures;
  kpi::ingest::NdjsonParser parser(&measures, true);
  RawEvent event;
  std::string reason;
  size_t i = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    const std::string& line = lines[i];
    if (!parser.Parse(line, &event, &reason)) state.SkipWithError(reason.c_str());
    benchmark::DoNotOptimize(event.ts_ms);
    bytes += static_cast<int64_t>(line.size()) + 1;
    if (++i == lines.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_NdjsonParse);

// Every chunk a first read finished, as known (what the store would hold).
class AllKnown final : public kpi::ingest::KnownChunks {
 public:
  kpi::Status Find(const kpi::ingest::ChunkKey& key, bool* found, kpi::ingest::ChunkCounts* counts) const override {
    auto it = known_.find({key.high, key.low});
    *found = it != known_.end();
    if (*found) *counts = it->second;
    return kpi::Status::OK();
  }
  void Add(const kpi::ingest::FinishedChunk& c) { known_[{c.key.high, c.key.low}] = {c.lines, c.events}; }

 private:
  std::map<std::pair<uint64_t, uint64_t>, kpi::ingest::ChunkCounts> known_;
};

// The whole reader: read(2) in blocks, line splitting, parsing, RawEvent
// batches of 10,000 (allocations included). Argument: 0 unchunked, 1 chunked
// (content-defined chunks cut, hashed and buffered before parsing: what
// `kpi ingest` does on a first read), 2 chunked with every chunk known
// (a re-ingest: nothing parsed). items_per_second counts the file's lines.
void BM_NdjsonReaderFile(benchmark::State& state) {
  const std::vector<std::string> lines = MakeNdjsonLines(200000);
  char path[] = "/tmp/kpi_ingest_bench_XXXXXX";
  const int fd = ::mkstemp(path);
  if (fd < 0) {
    state.SkipWithError("mkstemp failed");
    return;
  }
  std::string content;
  for (const std::string& line : lines) content.append(line).push_back('\n');
  if (::write(fd, content.data(), content.size()) != static_cast<ssize_t>(content.size())) {
    state.SkipWithError("write failed");
  }
  ::close(fd);
  kpi::ingest::ReaderOptions options;
  options.chunks = state.range(0) > 0;
  AllKnown known;
  auto read_all = [&](bool record) {
    std::unique_ptr<kpi::ingest::EventReader> reader;
    if (!kpi::ingest::EventReader::Open(path, options, &reader).ok()) return false;
    std::vector<RawEvent> batch;
    std::vector<kpi::ingest::Reject> rejects;
    std::vector<kpi::ingest::FinishedChunk> chunks;
    for (;;) {
      if (!reader->Next(10000, &batch, &rejects).ok()) return false;
      reader->TakeFinishedChunks(&chunks);
      if (batch.empty() && reader->at_end()) break;
    }
    if (record)
      for (const auto& c : chunks) known.Add(c);
    return rejects.empty() && reader->lines_read() == lines.size();
  };
  if (state.range(0) == 2) {
    if (!read_all(true)) state.SkipWithError("first read failed");
    options.known_chunks = &known;
  }
  for (auto _ : state) {
    if (!read_all(false)) {
      state.SkipWithError("read failed");
      break;
    }
  }
  ::unlink(path);
  state.SetItemsProcessed(static_cast<int64_t>(lines.size()) * state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(content.size()) * state.iterations());
}
BENCHMARK(BM_NdjsonReaderFile)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

void BM_CsvParse(benchmark::State& state) {
  std::vector<std::string> records;
  for (int i = 0; i < 4096; ++i) {
    records.push_back(Stamp(i) + ",T" + std::to_string(100000 + i / 4) + ",agent_reply,a" +
                      std::to_string(i % 211) + ",e" + std::to_string(i) + "," + kChannels[i % 4] + ",\"" +
                      kTeams[(i / 4) % 4] + ", tier 2\"," + std::to_string(30 + i % 900));
  }
  kpi::ingest::CsvParser parser(kpi::ingest::ReaderOptions().csv_measures, true);
  std::string reason;
  if (!parser.ParseHeader("ts,ticket,event,agent,id,channel,team,handle_seconds", &reason)) {
    state.SkipWithError(reason.c_str());
    return;
  }
  RawEvent event;
  size_t i = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    if (!parser.Parse(records[i], &event, &reason)) state.SkipWithError(reason.c_str());
    benchmark::DoNotOptimize(event.ts_ms);
    bytes += static_cast<int64_t>(records[i].size()) + 1;
    if (++i == records.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_CsvParse);

void BM_ParseRfc3339(benchmark::State& state) {
  std::vector<std::string> stamps;
  for (int i = 0; i < 1024; ++i) {
    std::string s = Stamp(i * 7919);
    switch (i % 4) {
      case 0: break;                                             // 2025-03-01T08:15:02.123Z
      case 1: s.replace(s.size() - 1, 1, "+08:00"); break;       // offset
      case 2: s.replace(19, std::string::npos, "Z"); break;      // no fraction
      default: s.replace(23, std::string::npos, "456789-05:30"); break;  // 9 digits + offset
    }
    stamps.push_back(s);
  }
  size_t i = 0;
  int64_t ms = 0;
  std::string error;
  for (auto _ : state) {
    if (!kpi::ParseRfc3339(stamps[i], &ms, &error)) state.SkipWithError(error.c_str());
    benchmark::DoNotOptimize(ms);
    if (++i == stamps.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseRfc3339);

void BM_FormatRfc3339(benchmark::State& state) {
  int64_t ms = 1740816902123LL;
  for (auto _ : state) {
    std::string s = kpi::FormatRfc3339(ms);
    benchmark::DoNotOptimize(s.data());
    ms += 1237;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FormatRfc3339);

}  // namespace

BENCHMARK_MAIN();
