// EventReader implementation: InputSource -> LineSplitter -> NDJSON or CSV
// parser, turning each bad record into a Reject and never stopping on one;
// chunked, records pass through a ChunkBuffer first so that a known chunk
// is skipped before any of it is parsed.
#include "storage/ingest/event_reader.h"

#include <algorithm>
#include <optional>
#include <variant>

#include "storage/ingest/chunk_buffer.h"
#include "storage/ingest/csv_parser.h"
#include "storage/ingest/field_rules.h"
#include "storage/ingest/input_source.h"
#include "storage/ingest/line_splitter.h"
#include "storage/ingest/ndjson_parser.h"

namespace kpi::ingest {

namespace {

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && std::string_view(s).substr(s.size() - suffix.size()) == suffix;
}

std::string_view StripUtf8Bom(std::string_view text) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  return text;
}

class EventReaderImpl final : public EventReader {
 public:
  EventReaderImpl(std::string path, std::unique_ptr<InputSource> source, const ReaderOptions& options,
                  bool csv)
      : path_(std::move(path)),
        source_(std::move(source)),
        options_(options),
        splitter_(source_.get(), options.max_line_bytes,
                  csv ? LineSplitter::Mode::kCsvRecords : LineSplitter::Mode::kLines) {
    if (csv) {
      csv_.emplace(options_.csv_measures, options_.assume_utc);
    } else {
      ndjson_.emplace(&options_.csv_measures, options_.assume_utc);
      seed_ = ChunkContextSeed(options_, false, "");
    }
    if (options_.chunks) chunk_.bytes.reserve(kMaxChunkBytes + 4096);
  }

  Status Next(size_t max_events, std::vector<RawEvent>* events, std::vector<Reject>* rejects) override {
    events->clear();
    // After an error, records buffered before it are still delivered.
    if (!error_.ok() && cursor_ == chunk_.records.size()) return error_;
    if (max_events == 0) return Status::InvalidArgument("EventReader::Next: max_events must be > 0");
    events->reserve(std::min<size_t>(max_events, 1 << 16));  // no regrowth copies per batch
    return options_.chunks ? NextChunked(max_events, events, rejects) : NextRecords(max_events, events, rejects);
  }

  Status SkipTo(uint64_t offset, uint64_t line) override {
    if (!error_.ok()) return error_;
    // A CSV's header comes first: read it, then jump.
    while (csv_ && !csv_->has_header()) {
      Record record;
      bool has_record = false;
      KPI_RETURN_IF_ERROR(splitter_.Next(&record, &has_record));
      if (!has_record) return Status::InvalidArgument(path_ + ": no CSV header before the checkpoint");
      std::string reason;
      std::string_view text = record.line == 1 ? StripUtf8Bom(record.text) : record.text;
      if (record.too_long || IsBlank(text)) continue;
      if (!TakeHeader(text, &reason)) return Status::InvalidArgument(path_ + ":" + std::to_string(record.line) + ": " + reason);
    }
    position_ = splitter_.position();
    // At or before where reading stands (a checkpoint inside the header):
    // nothing to skip; re-reading is harmless anyway.
    if (offset <= splitter_.position().offset) return Status::OK();
    Status s = splitter_.SkipTo(InputPosition{offset, line});
    if (!s.ok()) return Status::InvalidArgument(path_ + ": cannot skip to byte " + std::to_string(offset) + ": " + s.message());
    position_ = splitter_.position();
    return Status::OK();
  }
  uint64_t position_offset() const override { return position().offset; }
  uint64_t position_line() const override { return position().line; }

  uint64_t bytes_consumed() const override { return source_->bytes_consumed(); }
  uint64_t total_bytes() const override { return source_->total_bytes(); }
  uint64_t lines_read() const override { return position().line - 1; }

  void TakeFinishedChunks(std::vector<FinishedChunk>* out) override {
    out->insert(out->end(), finished_.begin(), finished_.end());
    finished_.clear();
  }
  bool at_end() const override { return input_done_ && cursor_ == chunk_.records.size() && error_.ok(); }

 private:
  // What a record is: an event (in scratch_), a reject, nothing (a blank
  // line, the CSV header) or the end of the input (error_ set: an unusable
  // CSV header).
  enum class Outcome { kNothing, kEvent, kReject, kFatal };

  InputPosition position() const { return options_.chunks ? position_ : splitter_.position(); }

  // Reads records straight from the splitter (unchunked).
  Status NextRecords(size_t max_events, std::vector<RawEvent>* events, std::vector<Reject>* rejects) {
    while (events->size() < max_events) {
      Record record;
      bool has_record = false;
      Status s = splitter_.Next(&record, &has_record);
      if (!s.ok()) {
        // Deliver the good events read before the failure; report it next call.
        error_ = s;
        return events->empty() ? s : Status::OK();
      }
      if (!has_record) {
        input_done_ = true;
        break;
      }
      Reject reject;
      bool cut_back = false;
      switch (Take(record, &reject, &cut_back)) {
        case Outcome::kEvent: events->push_back(scratch_); break;  // exactly sized copies
        case Outcome::kReject: rejects->push_back(std::move(reject)); break;
        case Outcome::kFatal: return events->empty() ? error_ : Status::OK();
        case Outcome::kNothing: break;
      }
    }
    return Status::OK();
  }

  // Reads chunk by chunk: skips known chunks, delivers the others' records.
  Status NextChunked(size_t max_events, std::vector<RawEvent>* events, std::vector<Reject>* rejects) {
    uint64_t skipped = 0;
    while (events->size() < max_events) {
      if (cursor_ < chunk_.records.size()) {
        DeliverBuffered(events, rejects);
        continue;
      }
      if (!error_.ok()) return events->empty() ? error_ : Status::OK();
      if (input_done_ || skipped >= max_events) break;
      ReadChunk();
      if (chunk_.records.empty() || chunk_.truncated || chunk_.rejected || options_.known_chunks == nullptr) continue;
      bool found = false;
      ChunkCounts counts;
      Status s = options_.known_chunks->Find(chunk_.key, &found, &counts);
      if (!s.ok()) {
        error_ = Status::IOError(path_ + ": cannot look up known chunks: " + s.message());
        cursor_ = chunk_.records.size();
        continue;
      }
      // The line count guards against the unthinkable (a key collision).
      if (!found || counts.lines != chunk_.lines()) continue;
      finished_.push_back(FinishedChunk{chunk_.key, chunk_.records.front().line, chunk_.lines(), counts.events,
                                        /*skipped=*/true, /*clean=*/false});
      position_ = chunk_.records.back().end;
      cursor_ = chunk_.records.size();
      skipped += counts.events;
    }
    return Status::OK();
  }

  // Buffers the records of the next chunk (ChunkBuffer), settling those the
  // splitter must still hold; sets input_done_ at the end of the input and
  // error_ when it breaks off (the chunk is then truncated).
  void ReadChunk() {
    chunk_.Clear();
    cursor_ = 0;
    chunk_events_ = 0;
    chunk_rejects_ = 0;
    for (;;) {
      Record record;
      bool has_record = false;
      Status s = splitter_.Next(&record, &has_record);
      if (!s.ok()) {
        error_ = s;
        chunk_.truncated = true;
        break;
      }
      if (!has_record) {
        input_done_ = true;
        if (chunk_.records.empty()) position_ = splitter_.position();
        break;
      }
      Reject reject;
      bool cut_back = false;
      if (csv_ && !csv_->has_header()) {  // blank lines and the header: before any chunk
        if (Take(record, &reject, &cut_back) == Outcome::kFatal) {
          chunk_.truncated = true;
          break;
        }
        position_ = splitter_.position();
        continue;
      }
      const bool settle_now =
          record.too_long || record.unclosed_quote || (csv_ && record.text.find('\n') != std::string_view::npos);
      if (!settle_now) {
        if (chunk_.Add(record.text, record.line, splitter_.position())) break;
        continue;
      }
      const Outcome outcome = Take(record, &reject, &cut_back);
      const std::string_view consumed = cut_back ? record.text.substr(0, record.text.find('\n')) : record.text;
      const bool ends = chunk_.Add(consumed, record.line, splitter_.position());
      if (outcome == Outcome::kEvent) chunk_.Decide(scratch_);
      if (outcome == Outcome::kReject) chunk_.Decide(std::move(reject));
      if (ends) break;
    }
    if (!chunk_.records.empty() && !chunk_.truncated) chunk_.key = ComputeChunkKey(chunk_.bytes, seed_);
  }

  // Delivers the next buffered record; finishes the chunk after its last.
  void DeliverBuffered(std::vector<RawEvent>* events, std::vector<Reject>* rejects) {
    const BufferedRecord& r = chunk_.records[cursor_++];
    position_ = r.end;
    if (r.decided >= 0) {
      auto& outcome = chunk_.decided[static_cast<size_t>(r.decided)];
      if (RawEvent* e = std::get_if<RawEvent>(&outcome)) {
        events->push_back(std::move(*e));
        ++chunk_events_;
      } else {
        rejects->push_back(std::move(std::get<Reject>(outcome)));
        ++chunk_rejects_;
      }
    } else {
      Record record;
      record.text = chunk_.text(r);
      record.line = r.line;
      Reject reject;
      bool cut_back = false;  // never: a buffered record holds no newline
      switch (Take(record, &reject, &cut_back)) {
        case Outcome::kEvent:
          events->push_back(scratch_);
          ++chunk_events_;
          break;
        case Outcome::kReject:
          rejects->push_back(std::move(reject));
          ++chunk_rejects_;
          break;
        case Outcome::kFatal:  // only the CSV header can be fatal, and it is read before any chunk
        case Outcome::kNothing: break;
      }
    }
    if (cursor_ == chunk_.records.size() && !chunk_.truncated) {
      finished_.push_back(FinishedChunk{chunk_.key, chunk_.records.front().line, chunk_.lines(), chunk_events_,
                                        /*skipped=*/false, /*clean=*/chunk_rejects_ == 0});
    }
  }

  // Handles one record (fresh from the splitter, or buffered: then it is a
  // single line after the header). A multi-line CSV record found unbalanced
  // is rejected and cut back to its first line (*cut_back; the splitter
  // goes on after that line).
  Outcome Take(const Record& record, Reject* reject, bool* cut_back) {
    std::string reason;
    std::string_view text = record.text;
    if (record.line == 1) text = StripUtf8Bom(text);
    if (record.too_long && csv_ && !csv_->has_header()) {
      // Without its header no later record of a CSV can be read.
      error_ = Status::InvalidArgument(path_ + ":" + std::to_string(record.line) + ": CSV header longer than " +
                                       std::to_string(options_.max_line_bytes) + " bytes");
      return Outcome::kFatal;
    }
    if (record.too_long) {
      *reject = Reject{path_, record.line, "line longer than " + std::to_string(options_.max_line_bytes) + " bytes"};
      return Outcome::kReject;
    }
    if (record.unclosed_quote && csv_ && csv_->has_header()) {
      *reject = Reject{path_, record.line, UnbalancedQuoteReason(text, record.line,
          "no closing quote before the end of the input or within " + std::to_string(options_.max_line_bytes) +
              " bytes")};
      return Outcome::kReject;
    }
    if (IsBlank(text)) return Outcome::kNothing;
    if (csv_ && !csv_->has_header()) {
      if (!TakeHeader(text, &reason)) {
        error_ = Status::InvalidArgument(path_ + ":" + std::to_string(record.line) + ": " + reason);
        return Outcome::kFatal;
      }
      return Outcome::kNothing;
    }
    // Parse into a reused event (its strings and vectors keep their
    // capacity); the caller copies it out with exactly sized allocations.
    const bool ok = csv_ ? csv_->Parse(text, &scratch_, &reason) : ndjson_->Parse(text, &scratch_, &reason);
    if (csv_ && text.find('\n') != std::string_view::npos) {
      // A quoted field ran over lines. Legitimate when the record parses
      // and none of the lines it took is a record of its own; otherwise
      // its opening quote was unbalanced: reject the first line only.
      std::string why = ok ? SwallowedRecord(text, record.line) : "as one record with the lines after it: " + reason;
      if (!why.empty()) {
        *reject = Reject{path_, record.line, UnbalancedQuoteReason(text, record.line, why)};
        splitter_.ResyncAfterFirstLine(record);
        *cut_back = true;
        return Outcome::kReject;
      }
    }
    if (!ok) {
      *reject = Reject{path_, record.line, std::move(reason)};
      return Outcome::kReject;
    }
    scratch_.line = record.line;
    return Outcome::kEvent;
  }

  bool TakeHeader(std::string_view text, std::string* reason) {
    if (!csv_->ParseHeader(text, reason)) return false;
    header_ = std::string(text);
    seed_ = ChunkContextSeed(options_, true, header_);
    return true;
  }

  // The reject reason of the first line of a record whose quote is taken as
  // unbalanced (`text` starts with that line).
  std::string UnbalancedQuoteReason(std::string_view text, uint64_t line, const std::string& why) {
    std::string reason;
    std::string_view first = text.substr(0, text.find('\n'));
    if (!first.empty() && first.back() == '\r') first.remove_suffix(1);
    if (csv_->Parse(first, &probe_, &reason)) reason = "unbalanced quote";
    return reason + " (unbalanced quote: " + why + "; reading resumed at line " + std::to_string(line + 1) + ")";
  }
  // "" unless a physical line after the first of the multi-line record
  // `text` parses as a record on its own; then says which.
  std::string SwallowedRecord(std::string_view text, uint64_t line) {
    std::string ignored;
    size_t at = text.find('\n');
    for (uint64_t n = line + 1; at != std::string_view::npos; ++n) {
      std::string_view rest = text.substr(at + 1);
      size_t next = rest.find('\n');
      std::string_view one = rest.substr(0, next);
      if (!one.empty() && one.back() == '\r') one.remove_suffix(1);
      if (!IsBlank(one) && csv_->Parse(one, &probe_, &ignored)) {
        return "it would take line " + std::to_string(n) + ", itself a valid record, into a quoted field";
      }
      at = next == std::string_view::npos ? next : at + 1 + next;
    }
    return "";
  }

  std::string path_;
  std::unique_ptr<InputSource> source_;
  const ReaderOptions options_;
  LineSplitter splitter_;
  std::optional<CsvParser> csv_;
  std::optional<NdjsonParser> ndjson_;
  RawEvent scratch_;
  RawEvent probe_;  // scratch for the unbalanced-quote checks
  Status error_;  // sticky: a failed read or an unusable CSV header ends the input
  bool input_done_ = false;  // the splitter delivered its last record

  // Chunked reading only.
  std::string header_;  // the CSV header record, part of the chunk keys' seed
  uint64_t seed_ = 0;   // ChunkContextSeed
  ChunkBuffer chunk_;   // the chunk being delivered
  size_t cursor_ = 0;   // its next record to deliver
  uint64_t chunk_events_ = 0, chunk_rejects_ = 0;  // delivered from it so far
  InputPosition position_;  // after the last record delivered or skipped
  std::vector<FinishedChunk> finished_;  // not yet taken
};

}  // namespace

Status EventReader::Open(const std::string& path, const ReaderOptions& options,
                         std::unique_ptr<EventReader>* reader) {
  std::unique_ptr<InputSource> source;
  KPI_RETURN_IF_ERROR(InputSource::Open(path, &source));
  bool csv = false;
  switch (options.format) {
    case InputFormat::kCsv: csv = true; break;
    case InputFormat::kNdjson: csv = false; break;
    case InputFormat::kAuto: csv = EndsWith(path, ".csv") || EndsWith(path, ".csv.gz"); break;
  }
  *reader = std::make_unique<EventReaderImpl>(path, std::move(source), options, csv);
  return Status::OK();
}

}  // namespace kpi::ingest
