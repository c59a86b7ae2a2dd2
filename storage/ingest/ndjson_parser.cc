#include "storage/ingest/ndjson_parser.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "storage/ingest/field_rules.h"

namespace kpi::ingest {

namespace od = simdjson::ondemand;

namespace {

const char* TypeName(od::json_type type) {
  switch (type) {
    case od::json_type::array: return "an array";
    case od::json_type::object: return "an object";
    case od::json_type::number: return "a number";
    case od::json_type::string: return "a string";
    case od::json_type::boolean: return "a boolean";
    case od::json_type::null: return "null";
  }
  return "an unknown value";
}

std::string JsonFault(simdjson::error_code error) {
  if (error == simdjson::UTF8_ERROR) return "invalid UTF-8";
  return std::string("invalid JSON: ") + simdjson::error_message(error);
}

std::string_view RawToken(od::value& value) {
  std::string_view raw = value.raw_json_token();
  while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\r' || raw.back() == '\n')) {
    raw.remove_suffix(1);
  }
  return raw;
}

// The number's text as written, for reasons ("got 12.5").
std::string NumberText(od::value& value) { return Abbreviate(RawToken(value)); }

// JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(std::string_view t) {
  size_t i = 0;
  auto digits = [&]() {
    const size_t start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    return i > start;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (i < t.size() && t[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == t.size();
}

// simdjson says NUMBER_ERROR both for malformed numbers (01, 1.) and for
// well-formed ones it cannot represent (1e999): tell them apart.
std::string NumberFault(std::string_view key, od::value& value) {
  const std::string_view raw = RawToken(value);
  if (!IsJsonNumber(raw)) return "invalid JSON: malformed number " + Abbreviate(raw) + " in " + QuoteForReason(key);
  return KeyPrefix(key) + "number out of range: " + Abbreviate(raw);
}

// Reads a JSON integer as its decimal string (ticket and id). Returns false
// with *reason for fractions and exponents.
bool IntegerAsText(std::string_view key, od::value& value, std::string* out, std::string* reason,
                   simdjson::error_code* json_error) {
  od::number number;
  simdjson::error_code error = value.get_number().get(number);
  if (error != simdjson::SUCCESS) {
    if (error == simdjson::NUMBER_ERROR || error == simdjson::NUMBER_OUT_OF_RANGE) {
      *reason = NumberFault(key, value);
    } else {
      *json_error = error;
    }
    return false;
  }
  char digits[24];
  std::to_chars_result r;
  switch (number.get_number_type()) {
    case od::number_type::signed_integer:
      r = std::to_chars(digits, digits + sizeof(digits), number.get_int64());
      break;
    case od::number_type::unsigned_integer:
      r = std::to_chars(digits, digits + sizeof(digits), number.get_uint64());
      break;
    default:
      *reason = KeyPrefix(key) + "expected a string or integer, got " + NumberText(value);
      return false;
  }
  out->assign(digits, static_cast<size_t>(r.ptr - digits));
  return true;
}

bool HasDuplicate(std::vector<std::string_view>* keys, std::string_view* duplicate) {
  const size_t n = keys->size();
  if (n <= 32) {
    for (size_t i = 1; i < n; ++i) {
      for (size_t j = 0; j < i; ++j) {
        if ((*keys)[i] == (*keys)[j]) {
          *duplicate = (*keys)[i];
          return true;
        }
      }
    }
    return false;
  }
  // Many keys (a hostile line): sort instead of the quadratic scan.
  std::sort(keys->begin(), keys->end());
  auto it = std::adjacent_find(keys->begin(), keys->end());
  if (it == keys->end()) return false;
  *duplicate = *it;
  return true;
}

// Overwrites the next pair of a reused vector, keeping string capacity.
template <typename V>
void PutPair(std::vector<std::pair<std::string, V>>* pairs, size_t* used, std::string_view key, V value) {
  if (*used < pairs->size()) {
    auto& p = (*pairs)[*used];
    p.first.assign(key);
    p.second = std::move(value);
  } else {
    pairs->emplace_back(std::string(key), std::move(value));
  }
  ++*used;
}

void PutDim(std::vector<std::pair<std::string, std::string>>* pairs, size_t* used, std::string_view key,
            std::string_view value) {
  if (*used < pairs->size()) {
    auto& p = (*pairs)[*used];
    p.first.assign(key);
    p.second.assign(value);
  } else {
    pairs->emplace_back(std::string(key), std::string(value));
  }
  ++*used;
}

}  // namespace

struct NdjsonParser::Impl {
  od::parser parser;
  std::unique_ptr<char[]> buf;
  size_t capacity = 0;
  std::vector<std::string_view> keys;
  std::vector<std::string> measure_names;
  std::unordered_set<std::string_view> measure_set;  // views into measure_names
  bool assume_utc = true;

  bool Parse(std::string_view line, RawEvent* event, std::string* reason);
};

NdjsonParser::NdjsonParser(const std::unordered_set<std::string>* typed_measures, bool assume_utc)
    : impl_(std::make_unique<Impl>()) {
  impl_->assume_utc = assume_utc;
  if (typed_measures != nullptr) {
    impl_->measure_names.assign(typed_measures->begin(), typed_measures->end());
    for (const std::string& name : impl_->measure_names) impl_->measure_set.insert(name);
  }
}

NdjsonParser::~NdjsonParser() = default;

bool NdjsonParser::Parse(std::string_view line, RawEvent* event, std::string* reason) {
  return impl_->Parse(line, event, reason);
}

bool NdjsonParser::Impl::Parse(std::string_view line, RawEvent* event, std::string* reason) {
  // simdjson reads up to SIMDJSON_PADDING bytes past the end: copy the line
  // into a padded buffer that is reused across lines.
  const size_t need = line.size() + simdjson::SIMDJSON_PADDING;
  if (capacity < need) {
    capacity = std::max({need, capacity * 2, size_t{4096}});
    buf.reset(new char[capacity]);
  }
  std::memcpy(buf.get(), line.data(), line.size());
  std::memset(buf.get() + line.size(), 0, simdjson::SIMDJSON_PADDING);

  od::document doc;
  simdjson::error_code error = parser.iterate(buf.get(), line.size(), capacity).get(doc);
  if (error != simdjson::SUCCESS) {
    *reason = JsonFault(error);
    return false;
  }
  od::json_type doc_type;
  if ((error = doc.type().get(doc_type)) != simdjson::SUCCESS) {
    *reason = JsonFault(error);
    return false;
  }
  if (doc_type != od::json_type::object) {
    *reason = std::string("not a JSON object (") + TypeName(doc_type) + ")";
    return false;
  }
  od::object object;
  if ((error = doc.get_object().get(object)) != simdjson::SUCCESS) {
    *reason = JsonFault(error);
    return false;
  }

  keys.clear();
  std::string fault;  // the first fault that is not malformed JSON
  bool have_ts = false, have_ticket = false, have_event = false;
  event->agent.clear();
  event->id.clear();
  event->revision = 0;
  event->retract = false;
  size_t dims_used = 0, measures_used = 0;

  for (auto field_result : object) {
    od::field field;
    if ((error = std::move(field_result).get(field)) != simdjson::SUCCESS) break;
    std::string_view key;
    if ((error = field.unescaped_key().get(key)) != simdjson::SUCCESS) break;
    od::value value = field.value();
    od::json_type type;
    if ((error = value.type().get(type)) != simdjson::SUCCESS) break;
    keys.push_back(key);
    // After a fault the rest is only walked to find malformed JSON.
    if (!fault.empty()) continue;
    if (type == od::json_type::null) continue;  // null = absent
    if (type == od::json_type::object) {
      fault = KeyPrefix(key) + "nested object not allowed";
      continue;
    }
    if (type == od::json_type::array) {
      fault = KeyPrefix(key) + "array not allowed";
      continue;
    }

    if (key == "ts") {
      if (type == od::json_type::string) {
        std::string_view text;
        if ((error = value.get_string().get(text)) != simdjson::SUCCESS) break;
        have_ts = ParseTimestampText(text, assume_utc, &event->ts_ms, &fault);
      } else if (type == od::json_type::number) {
        od::number number;
        error = value.get_number().get(number);
        if (error == simdjson::NUMBER_ERROR || error == simdjson::NUMBER_OUT_OF_RANGE) {
          fault = NumberFault(key, value);
          error = simdjson::SUCCESS;
          continue;
        }
        if (error != simdjson::SUCCESS) break;
        if (number.get_number_type() == od::number_type::signed_integer) {
          event->ts_ms = number.get_int64();
          have_ts = CheckEpochMillis(event->ts_ms, &fault);
        } else if (number.get_number_type() == od::number_type::unsigned_integer) {
          fault = "\"ts\": epoch milliseconds " + NumberText(value) + " outside 1970..2200";
        } else {
          fault = "\"ts\": epoch milliseconds must be an integer, got " + NumberText(value);
        }
      } else {
        fault = std::string("\"ts\": expected an RFC 3339 string or integer epoch milliseconds, got ") +
                TypeName(type);
      }
    } else if (key == "ticket" || key == "id") {
      std::string* out = key == "ticket" ? &event->ticket : &event->id;
      if (type == od::json_type::string) {
        std::string_view text;
        if ((error = value.get_string().get(text)) != simdjson::SUCCESS) break;
        out->assign(text);
      } else if (type == od::json_type::number) {
        simdjson::error_code json_error = simdjson::SUCCESS;
        if (!IntegerAsText(key, value, out, &fault, &json_error)) {
          if ((error = json_error) != simdjson::SUCCESS) break;
          continue;
        }
      } else {
        fault = KeyPrefix(key) + "expected a string or integer, got " + TypeName(type);
        continue;
      }
      if (key == "ticket") {
        if (out->empty()) {
          fault = "\"ticket\": empty";
          continue;
        }
        have_ticket = true;
      }
    } else if (key == "revision") {
      std::string text;
      if (type == od::json_type::number) {
        simdjson::error_code json_error = simdjson::SUCCESS;
        if (!IntegerAsText(key, value, &text, &fault, &json_error)) {
          if ((error = json_error) != simdjson::SUCCESS) break;
          continue;
        }
      } else if (type == od::json_type::string) {
        std::string_view t;
        if ((error = value.get_string().get(t)) != simdjson::SUCCESS) break;
        text.assign(t);
      } else {
        fault = KeyPrefix(key) + "expected an integer, got " + TypeName(type);
        continue;
      }
      ParseRevisionText(text, &event->revision, &fault);
    } else if (key == "op") {
      if (type != od::json_type::string) {
        fault = KeyPrefix(key) + "expected a string, got " + TypeName(type);
        continue;
      }
      std::string_view text;
      if ((error = value.get_string().get(text)) != simdjson::SUCCESS) break;
      ParseOpText(text, &event->retract, &fault);
    } else if (key == "event" || key == "agent") {
      if (type != od::json_type::string) {
        fault = KeyPrefix(key) + "expected a string, got " + TypeName(type);
        continue;
      }
      std::string_view text;
      if ((error = value.get_string().get(text)) != simdjson::SUCCESS) break;
      if (key == "event") {
        have_event = CheckEventName(text, &fault);
        if (have_event) event->event.assign(text);
      } else {
        event->agent.assign(text);
      }
    } else if (key.empty()) {
      fault = "empty key";
    } else if (type == od::json_type::string) {
      if (!measure_set.empty() && measure_set.count(key) != 0) {
        fault = KeyPrefix(key) + "expected a number or boolean, got a string";
        continue;
      }
      std::string_view text;
      if ((error = value.get_string().get(text)) != simdjson::SUCCESS) break;
      if (!text.empty()) PutDim(&event->dims, &dims_used, key, text);
    } else if (type == od::json_type::number) {
      double number;
      error = value.get_double().get(number);
      if (error == simdjson::NUMBER_ERROR || error == simdjson::NUMBER_OUT_OF_RANGE ||
          (error == simdjson::SUCCESS && !std::isfinite(number))) {
        fault = NumberFault(key, value);
        error = simdjson::SUCCESS;
        continue;
      }
      if (error != simdjson::SUCCESS) break;
      PutPair(&event->measures, &measures_used, key, number);
    } else if (type == od::json_type::boolean) {
      bool flag;
      if ((error = value.get_bool().get(flag)) != simdjson::SUCCESS) break;
      PutPair(&event->measures, &measures_used, key, flag ? 1.0 : 0.0);
    }
  }
  if (error != simdjson::SUCCESS) {
    *reason = JsonFault(error);
    return false;
  }
  // Anything after the closing brace ({"a":1} {"b":2}, or a stray token).
  const char* location = nullptr;
  if (doc.current_location().get(location) != simdjson::OUT_OF_BOUNDS) {
    *reason = "invalid JSON: unexpected content after the object";
    return false;
  }
  if (!fault.empty()) {
    *reason = std::move(fault);
    return false;
  }
  std::string_view duplicate;
  if (HasDuplicate(&keys, &duplicate)) {
    *reason = "duplicate key " + QuoteForReason(duplicate);
    return false;
  }
  if (!CheckRequiredKeys(have_ts, have_ticket, have_event, reason)) return false;
  if (!CheckCorrection(event->id, event->revision, event->retract, reason)) return false;
  event->dims.resize(dims_used);
  event->measures.resize(measures_used);
  return true;
}

}  // namespace kpi::ingest
