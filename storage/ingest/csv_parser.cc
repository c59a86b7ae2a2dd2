#include "storage/ingest/csv_parser.h"

#include <simdjson.h>

#include <cstdint>

#include "storage/ingest/field_rules.h"

namespace kpi::ingest {

CsvParser::CsvParser(const std::unordered_set<std::string>& measures, bool assume_utc)
    : measures_(measures), assume_utc_(assume_utc) {}

std::string& CsvParser::Slot(size_t index) {
  if (index == fields_.size()) fields_.emplace_back();
  return fields_[index];
}

bool CsvParser::SplitFields(std::string_view record, std::string* reason) {
  field_count_ = 0;
  // Past the header's width fields are only counted (for "got M"), so a
  // hostile line of commas cannot grow fields_ without bound.
  const size_t keep = columns_.empty() ? SIZE_MAX : columns_.size();
  auto next_field = [this, keep]() -> std::string& {
    std::string& f = field_count_ < keep ? Slot(field_count_) : overflow_;
    ++field_count_;
    f.clear();
    return f;
  };
  size_t i = 0;
  const size_t n = record.size();
  for (;;) {
    std::string& field = next_field();
    if (i < n && record[i] == '"') {
      // Quoted field: runs to the next quote not doubled.
      ++i;
      for (;;) {
        size_t quote = record.find('"', i);
        if (quote == std::string_view::npos) {
          *reason = "unterminated quoted field " + std::to_string(field_count_);
          return false;
        }
        field.append(record.substr(i, quote - i));
        i = quote + 1;
        if (i < n && record[i] == '"') {
          field.push_back('"');
          ++i;
          continue;
        }
        break;
      }
      if (i < n && record[i] != ',') {
        *reason = "unexpected text after the closing quote of field " + std::to_string(field_count_);
        return false;
      }
    } else {
      size_t stop = i;
      while (stop < n && record[stop] != ',') {
        if (record[stop] == '"') {
          *reason = "quote inside unquoted field " + std::to_string(field_count_);
          return false;
        }
        ++stop;
      }
      field.assign(record.substr(i, stop - i));
      i = stop;
    }
    if (i >= n) return true;
    ++i;  // the comma; a record ending in ',' has an empty last field
    if (i == n) {
      next_field();
      return true;
    }
  }
}

bool CsvParser::ParseHeader(std::string_view record, std::string* reason) {
  columns_.clear();
  if (!simdjson::validate_utf8(record.data(), record.size())) {
    *reason = "invalid UTF-8 in the CSV header";
    return false;
  }
  if (!SplitFields(record, reason)) {
    reason->insert(0, "CSV header: ");
    return false;
  }
  std::unordered_set<std::string> seen;
  std::vector<Column> columns;
  for (size_t i = 0; i < field_count_; ++i) {
    const std::string& name = fields_[i];
    if (name.empty()) {
      *reason = "CSV header: column " + std::to_string(i + 1) + " has no name";
      return false;
    }
    if (!seen.insert(name).second) {
      *reason = "CSV header: duplicate column " + QuoteForReason(name);
      return false;
    }
    Role role = Role::kDimension;
    if (name == "ts") {
      role = Role::kTs;
    } else if (name == "ticket") {
      role = Role::kTicket;
    } else if (name == "event") {
      role = Role::kEvent;
    } else if (name == "agent") {
      role = Role::kAgent;
    } else if (name == "id") {
      role = Role::kId;
    } else if (name == "revision") {
      role = Role::kRevision;
    } else if (name == "op") {
      role = Role::kOp;
    } else if (measures_.count(name) != 0) {
      role = Role::kMeasure;
    }
    columns.push_back(Column{name, role});
  }
  for (const char* required : {"ts", "ticket", "event"}) {
    if (seen.count(required) == 0) {
      *reason = std::string("CSV header: missing column \"") + required + "\"";
      return false;
    }
  }
  columns_ = std::move(columns);
  return true;
}

bool CsvParser::Parse(std::string_view record, RawEvent* event, std::string* reason) {
  if (!simdjson::validate_utf8(record.data(), record.size())) {
    *reason = "invalid UTF-8";
    return false;
  }
  if (!SplitFields(record, reason)) return false;
  if (field_count_ != columns_.size()) {
    *reason = "expected " + std::to_string(columns_.size()) + " fields, got " + std::to_string(field_count_);
    return false;
  }
  bool have_ts = false, have_ticket = false, have_event = false;
  event->agent.clear();
  event->id.clear();
  event->revision = 0;
  event->retract = false;
  event->dims.clear();
  event->measures.clear();
  for (size_t i = 0; i < field_count_; ++i) {
    const std::string& cell = fields_[i];
    if (cell.empty()) continue;  // absent
    const Column& column = columns_[i];
    switch (column.role) {
      case Role::kTs: {
        int64_t ms;
        if (ParseUnsignedDecimal(cell, &ms)) {
          if (!CheckEpochMillis(ms, reason)) return false;
        } else if (cell.find_first_not_of("0123456789") == std::string::npos) {
          *reason = "\"ts\": epoch milliseconds " + Abbreviate(cell) + " outside 1970..2200";
          return false;
        } else if (!ParseTimestampText(cell, assume_utc_, &ms, reason)) {
          return false;
        }
        event->ts_ms = ms;
        have_ts = true;
        break;
      }
      case Role::kTicket:
        event->ticket = cell;
        have_ticket = true;
        break;
      case Role::kEvent:
        if (!CheckEventName(cell, reason)) return false;
        event->event = cell;
        have_event = true;
        break;
      case Role::kAgent:
        event->agent = cell;
        break;
      case Role::kId:
        event->id = cell;
        break;
      case Role::kRevision:
        if (!ParseRevisionText(cell, &event->revision, reason)) return false;
        break;
      case Role::kOp:
        if (!ParseOpText(cell, &event->retract, reason)) return false;
        break;
      case Role::kMeasure: {
        double value;
        if (!ParseMeasureText(cell, &value)) {
          *reason = KeyPrefix(column.name) + "expected a number, got " + QuoteForReason(cell);
          return false;
        }
        event->measures.emplace_back(column.name, value);
        break;
      }
      case Role::kDimension:
        event->dims.emplace_back(column.name, cell);
        break;
    }
  }
  if (!CheckRequiredKeys(have_ts, have_ticket, have_event, reason)) return false;
  return CheckCorrection(event->id, event->revision, event->retract, reason);
}

}  // namespace kpi::ingest
