#include "storage/ingest/field_rules.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "storage/timestamp.h"

namespace kpi::ingest {

bool IsIdentifier(std::string_view text) {
  if (text.empty()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(text[0])) return false;
  for (size_t i = 1; i < text.size(); ++i) {
    const char c = text[i];
    if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool IsBlank(std::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

std::string Abbreviate(std::string_view text) {
  constexpr size_t kMax = 40;
  size_t cut = text.size();
  if (cut > kMax) {
    cut = kMax;
    // Back up to a lead byte so that the reason stays valid UTF-8.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  }
  std::string out;
  out.reserve(cut + 3);
  for (char c : text.substr(0, cut)) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      // Reasons reach terminals and C-string printing: control bytes as \u00XX.
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  if (cut < text.size()) out.append("...");
  return out;
}

std::string QuoteForReason(std::string_view text) { return "\"" + Abbreviate(text) + "\""; }

std::string KeyPrefix(std::string_view key) { return QuoteForReason(key) + ": "; }

bool CheckEventName(std::string_view name, std::string* reason) {
  if (name.empty()) {
    *reason = "\"event\": empty";
    return false;
  }
  if (!IsIdentifier(name)) {
    *reason = "\"event\": " + QuoteForReason(name) + " is not an identifier ([A-Za-z_][A-Za-z0-9_]*)";
    return false;
  }
  return true;
}

bool CheckEpochMillis(int64_t ms, std::string* reason) {
  if (ValidEpochMillis(ms)) return true;
  *reason = "\"ts\": epoch milliseconds " + std::to_string(ms) + " outside 1970..2200";
  return false;
}

bool ParseTimestampText(std::string_view text, bool assume_utc, int64_t* ms, std::string* reason) {
  if (ParseRfc3339(text, ms, reason, assume_utc)) return true;
  reason->insert(0, "\"ts\": ");
  return false;
}

bool ParseMeasureText(std::string_view text, double* value) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *value);
  return ec == std::errc() && ptr == end && std::isfinite(*value);
}

bool ParseUnsignedDecimal(std::string_view text, int64_t* value) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *value);
  return ec == std::errc() && ptr == end;
}

bool ParseRevisionText(std::string_view text, uint32_t* revision, std::string* reason) {
  int64_t v = 0;
  if (!ParseUnsignedDecimal(text, &v) || v > int64_t{UINT32_MAX}) {
    *reason = "\"revision\": expected an integer in 0..4294967295, got " + QuoteForReason(text);
    return false;
  }
  *revision = static_cast<uint32_t>(v);
  return true;
}

bool ParseOpText(std::string_view text, bool* retract, std::string* reason) {
  if (text == "upsert" || text == "retract") {
    *retract = text == "retract";
    return true;
  }
  *reason = "\"op\": expected \"upsert\" or \"retract\", got " + QuoteForReason(text);
  return false;
}

bool CheckCorrection(const std::string& id, uint32_t revision, bool retract, std::string* reason) {
  if (!id.empty() || (revision == 0 && !retract)) return true;
  *reason = std::string(retract ? "\"op\": retract" : "\"revision\"") + " needs an \"id\" naming the event it corrects";
  return false;
}

bool CheckRequiredKeys(bool have_ts, bool have_ticket, bool have_event, std::string* reason) {
  const char* missing = !have_ts ? "ts" : !have_ticket ? "ticket" : !have_event ? "event" : nullptr;
  if (missing == nullptr) return true;
  *reason = std::string("missing \"") + missing + "\"";
  return false;
}

}  // namespace kpi::ingest
