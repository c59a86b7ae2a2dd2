// EventReader implementation: InputSource -> LineSplitter -> NDJSON or CSV
// parser, turning each bad record into a Reject and never stopping on one.
#include "storage/ingest/event_reader.h"

#include <algorithm>
#include <optional>

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
        max_line_bytes_(options.max_line_bytes),
        splitter_(source_.get(), options.max_line_bytes,
                  csv ? LineSplitter::Mode::kCsvRecords : LineSplitter::Mode::kLines) {
    if (csv) {
      csv_.emplace(options.csv_measures, options.assume_utc);
    } else {
      ndjson_.emplace(&options.csv_measures, options.assume_utc);
    }
  }

  Status Next(size_t max_events, std::vector<RawEvent>* events, std::vector<Reject>* rejects) override {
    events->clear();
    if (!error_.ok()) return error_;
    if (max_events == 0) return Status::InvalidArgument("EventReader::Next: max_events must be > 0");
    std::string reason;
    events->reserve(std::min<size_t>(max_events, 1 << 16));  // no regrowth copies per batch
    while (events->size() < max_events) {
      Record record;
      bool has_record = false;
      Status s = splitter_.Next(&record, &has_record);
      if (!s.ok()) {
        // Deliver the good events read before the failure; report it next call.
        error_ = s;
        return events->empty() ? s : Status::OK();
      }
      if (!has_record) break;
      std::string_view text = record.text;
      if (record.line == 1) text = StripUtf8Bom(text);
      if (record.too_long && csv_ && !csv_->has_header()) {
        // Without its header no later record of a CSV can be read.
        error_ = Status::InvalidArgument(path_ + ":" + std::to_string(record.line) + ": CSV header longer than " +
                                         std::to_string(max_line_bytes_) + " bytes");
        return events->empty() ? error_ : Status::OK();
      }
      if (record.too_long) {
        rejects->push_back(
            Reject{path_, record.line, "line longer than " + std::to_string(max_line_bytes_) + " bytes"});
        continue;
      }
      if (record.unclosed_quote && csv_ && csv_->has_header()) {
        rejects->push_back(Reject{path_, record.line, UnbalancedQuoteReason(text, record.line,
            "no closing quote before the end of the input or within " + std::to_string(max_line_bytes_) +
                " bytes")});
        continue;
      }
      if (IsBlank(text)) continue;
      if (csv_ && !csv_->has_header()) {
        if (!csv_->ParseHeader(text, &reason)) {
          error_ = Status::InvalidArgument(path_ + ":" + std::to_string(record.line) + ": " + reason);
          return events->empty() ? error_ : Status::OK();
        }
        continue;
      }
      // Parse into a reused event (its strings and vectors keep their
      // capacity), then copy it out with exactly sized allocations.
      const bool ok = csv_ ? csv_->Parse(text, &scratch_, &reason) : ndjson_->Parse(text, &scratch_, &reason);
      if (csv_ && text.find('\n') != std::string_view::npos) {
        // A quoted field ran over lines. Legitimate when the record parses
        // and none of the lines it took is a record of its own; otherwise
        // its opening quote was unbalanced: reject the first line only.
        std::string why = ok ? SwallowedRecord(text, record.line) : "as one record with the lines after it: " + reason;
        if (!why.empty()) {
          rejects->push_back(Reject{path_, record.line, UnbalancedQuoteReason(text, record.line, why)});
          splitter_.ResyncAfterFirstLine(record);
          reason.clear();
          continue;
        }
      }
      if (!ok) {
        rejects->push_back(Reject{path_, record.line, std::move(reason)});
        reason.clear();
        continue;
      }
      scratch_.line = record.line;
      events->push_back(scratch_);
    }
    return Status::OK();
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
      if (!csv_->ParseHeader(text, &reason)) return Status::InvalidArgument(path_ + ":" + std::to_string(record.line) + ": " + reason);
    }
    // At or before where reading stands (a checkpoint inside the header):
    // nothing to skip; re-reading is harmless anyway.
    if (offset <= splitter_.position().offset) return Status::OK();
    Status s = splitter_.SkipTo(InputPosition{offset, line});
    if (!s.ok()) return Status::InvalidArgument(path_ + ": cannot skip to byte " + std::to_string(offset) + ": " + s.message());
    return Status::OK();
  }
  uint64_t position_offset() const override { return splitter_.position().offset; }
  uint64_t position_line() const override { return splitter_.position().line; }

  uint64_t bytes_consumed() const override { return source_->bytes_consumed(); }
  uint64_t total_bytes() const override { return source_->total_bytes(); }
  uint64_t lines_read() const override { return splitter_.lines_read(); }

 private:
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
  size_t max_line_bytes_;
  LineSplitter splitter_;
  std::optional<CsvParser> csv_;
  std::optional<NdjsonParser> ndjson_;
  RawEvent scratch_;
  RawEvent probe_;  // scratch for the unbalanced-quote checks
  Status error_;  // sticky: a failed read or an unusable CSV header ends the input
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
