#include "storage/ingest/line_splitter.h"

#include <algorithm>
#include <cstring>

namespace kpi::ingest {

namespace {

// Large reads keep system calls (and inflate calls) rare.
constexpr size_t kReadBlock = 1 << 20;
// The buffer holds one whole line, so its length is capped to keep the
// allocation sane whatever the caller asks for.
constexpr size_t kMaxLineCap = size_t{1} << 30;

}  // namespace

LineSplitter::LineSplitter(InputSource* source, size_t max_line_bytes, Mode mode)
    : source_(source), max_line_bytes_(std::min(max_line_bytes, kMaxLineCap)), mode_(mode) {
  // One full line (+ "\r\n") plus a read block must fit after compaction;
  // the buffer starts smaller and grows to that only for long lines.
  max_capacity_ = max_line_bytes_ + 2 + kReadBlock;
  capacity_ = std::min(max_capacity_, 2 * kReadBlock);
  buf_.reset(new char[capacity_]);
}

void LineSplitter::MakeRoomForRead() {
  if (begin_ > 0) {
    std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
    base_offset_ += begin_;
    end_ -= begin_;
    scan_ -= begin_;
    begin_ = 0;
  }
  if (capacity_ - end_ >= kReadBlock / 2 || capacity_ == max_capacity_) return;
  const size_t grown = std::min(max_capacity_, capacity_ * 2);
  std::unique_ptr<char[]> bigger(new char[grown]);
  std::memcpy(bigger.get(), buf_.get(), end_);
  buf_ = std::move(bigger);
  capacity_ = grown;
}

void LineSplitter::StartRecord() {
  inner_newlines_ = 0;
  csv_state_ = CsvState::kFieldStart;
  skipping_ = false;
}

bool LineSplitter::FindTerminator(size_t* terminator) {
  if (mode_ == Mode::kLines) {
    const void* hit = std::memchr(buf_.get() + scan_, '\n', end_ - scan_);
    if (hit == nullptr) {
      scan_ = end_;
      return false;
    }
    *terminator = static_cast<size_t>(static_cast<const char*>(hit) - buf_.get());
    return true;
  }
  // CSV: a quote opens a quoted field only at the start of a field; a quote
  // inside an unquoted field is left for the parser to reject, so one stray
  // quote cannot swallow the rest of the file.
  const char* b = buf_.get();
  for (size_t i = scan_; i < end_; ++i) {
    const char c = b[i];
    switch (csv_state_) {
      case CsvState::kQuoted:
        if (c == '"') {
          csv_state_ = CsvState::kAfterQuote;
        } else if (c == '\n') {
          if (skipping_) {
            // A record already too long whose quote is still open: end it
            // here, so an unbalanced quote cannot swallow the input.
            scan_ = i;
            *terminator = i;
            return true;
          }
          ++inner_newlines_;
        }
        break;
      case CsvState::kFieldStart:
      case CsvState::kUnquoted:
      case CsvState::kAfterQuote:
        if (c == '\n') {
          scan_ = i;
          *terminator = i;
          return true;
        }
        if (c == ',') {
          csv_state_ = CsvState::kFieldStart;
        } else if (c == '"' && csv_state_ != CsvState::kUnquoted) {
          csv_state_ = CsvState::kQuoted;  // an opening quote, or "" inside a quoted field
        } else {
          csv_state_ = CsvState::kUnquoted;
        }
        break;
    }
  }
  scan_ = end_;
  return false;
}

Status LineSplitter::Next(Record* record, bool* has_record) {
  *has_record = false;
  *record = Record();
  for (;;) {
    size_t terminator = 0;
    if (FindTerminator(&terminator)) {
      record->line = next_line_;
      if (skipping_) {
        record->too_long = true;
      } else {
        size_t len = terminator - begin_;
        if (len > 0 && buf_[terminator - 1] == '\r') --len;
        if (len > max_line_bytes_) {
          record->too_long = true;
        } else {
          record->text = std::string_view(buf_.get() + begin_, len);
        }
      }
      next_line_ += 1 + inner_newlines_;
      begin_ = scan_ = terminator + 1;
      StartRecord();
      *has_record = true;
      return Status::OK();
    }
    // No terminator in the buffer: the record continues past it.
    const bool open_quote = mode_ == Mode::kCsvRecords && csv_state_ == CsvState::kQuoted && inner_newlines_ > 0;
    if (!skipping_ && end_ - begin_ > max_line_bytes_ + 1) {
      if (open_quote) {  // a quote still open after max_line_bytes: unbalanced
        CutAtFirstLine(record);
        *has_record = true;
        return Status::OK();
      }
      skipping_ = true;
    }
    if (skipping_) {  // drop what streamed past
      base_offset_ += end_;
      begin_ = scan_ = end_ = 0;
    }
    if (eof_ && open_quote && !skipping_) {  // the input ends inside the quote: unbalanced
      CutAtFirstLine(record);
      *has_record = true;
      return Status::OK();
    }
    if (eof_) {
      if (begin_ == end_ && !skipping_) return Status::OK();  // nothing left
      record->line = next_line_;
      size_t len = end_ - begin_;
      if (len > 0 && buf_[end_ - 1] == '\r') --len;
      if (skipping_ || len > max_line_bytes_) {
        record->too_long = true;
      } else {
        record->text = std::string_view(buf_.get() + begin_, len);
      }
      next_line_ += 1 + inner_newlines_;
      begin_ = scan_ = end_;
      StartRecord();
      *has_record = true;
      return Status::OK();
    }
    MakeRoomForRead();
    size_t got = 0;
    KPI_RETURN_IF_ERROR(source_->Read(buf_.get() + end_, capacity_ - end_, &got));
    if (got == 0) eof_ = true;
    end_ += got;
  }
}

void LineSplitter::CutAtFirstLine(Record* record) {
  const char* b = buf_.get();
  const size_t newline =
      static_cast<size_t>(static_cast<const char*>(std::memchr(b + begin_, '\n', end_ - begin_)) - b);
  record->line = next_line_;
  record->unclosed_quote = true;
  size_t len = newline - begin_;
  if (len > 0 && b[newline - 1] == '\r') --len;
  if (len > max_line_bytes_) {
    record->too_long = true;
  } else {
    record->text = std::string_view(b + begin_, len);
  }
  next_line_ += 1;
  begin_ = scan_ = newline + 1;
  StartRecord();
}

void LineSplitter::ResyncAfterFirstLine(const Record& record) {
  const size_t newline = static_cast<size_t>(record.text.data() - buf_.get()) + record.text.find('\n');
  next_line_ = record.line + 1;
  begin_ = scan_ = newline + 1;
  StartRecord();
}

Status LineSplitter::SkipTo(const InputPosition& to) {
  for (;;) {
    if (to.offset <= base_offset_ + end_) {
      if (to.offset < base_offset_ + begin_) return Status::InvalidArgument("cannot skip backwards");
      begin_ = scan_ = static_cast<size_t>(to.offset - base_offset_);
      next_line_ = to.line;
      StartRecord();
      return Status::OK();
    }
    base_offset_ += end_;  // all of the buffer lies before `to`
    begin_ = scan_ = end_ = 0;
    if (eof_) return Status::InvalidArgument("the input ends before byte " + std::to_string(to.offset));
    size_t got = 0;
    KPI_RETURN_IF_ERROR(source_->Read(buf_.get(), capacity_, &got));
    if (got == 0) eof_ = true;
    end_ = got;
  }
}

}  // namespace kpi::ingest
