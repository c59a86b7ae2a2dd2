#include "reader_test_util.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <stdexcept>

namespace kpi::ingest::testing {

ReadResult ReadAll(const std::string& path, const ReaderOptions& options, size_t batch) {
  ReadResult result;
  std::unique_ptr<EventReader> reader;
  result.open_status = EventReader::Open(path, options, &reader);
  if (!result.open_status.ok()) return result;
  std::vector<RawEvent> events;
  for (;;) {
    Status s = reader->Next(batch, &events, &result.rejects);
    reader->TakeFinishedChunks(&result.chunks);
    if (!s.ok()) {
      result.status = s;
      EXPECT_TRUE(events.empty()) << "events returned along with an error";
      break;
    }
    if (events.empty() && reader->at_end()) break;
    if (events.empty()) ++result.empty_batches;
    result.max_batch_seen = std::max(result.max_batch_seen, events.size());
    for (RawEvent& e : events) result.events.push_back(std::move(e));
  }
  result.lines_read = reader->lines_read();
  result.end_offset = reader->position_offset();
  result.end_line = reader->position_line();
  result.bytes_consumed = reader->bytes_consumed();
  result.total_bytes = reader->total_bytes();
  return result;
}

void WriteGzip(const std::string& path, const std::vector<std::string>& members) {
  std::string out;
  for (const std::string& member : members) {
    z_stream zs{};
    if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      throw std::runtime_error("deflateInit2 failed");
    }
    std::string compressed(deflateBound(&zs, member.size()) + 64, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(member.data()));
    zs.avail_in = static_cast<uInt>(member.size());
    zs.next_out = reinterpret_cast<Bytef*>(compressed.data());
    zs.avail_out = static_cast<uInt>(compressed.size());
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate failed");
    compressed.resize(zs.total_out);
    deflateEnd(&zs);
    out += compressed;
  }
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) throw std::runtime_error("cannot write " + path);
  std::fwrite(out.data(), 1, out.size(), f);
  std::fclose(f);
}

std::string Describe(const std::vector<Reject>& rejects) {
  std::string s;
  for (const Reject& r : rejects) s += r.file + ":" + std::to_string(r.line) + ": " + r.reason + "\n";
  return s;
}

}  // namespace kpi::ingest::testing
