#include "query/reference/reference_events.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "query/reference/reference_time.h"

namespace kpi::reference {

bool ParseEventLine(std::string_view line, RawEvent* out, std::string* error) {
  const nlohmann::json j = nlohmann::json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    *error = "not a JSON object";
    return false;
  }
  RawEvent e;
  for (const auto& [key, value] : j.items()) {
    if (value.is_null()) continue;
    if (key == "ts") {
      if (value.is_number_integer()) {
        e.ts_ms = value.get<int64_t>();
      } else if (!value.is_string() ||
                 !ParseInstant(value.get<std::string>(), cctz::utc_time_zone(), &e.ts_ms)) {
        *error = "bad ts";
        return false;
      }
    } else if (key == "ticket") {
      if (value.is_number_integer()) {
        e.ticket = std::to_string(value.get<int64_t>());
      } else if (value.is_string()) {
        e.ticket = value.get<std::string>();
      } else {
        *error = "bad ticket";
        return false;
      }
    } else if (key == "revision") {
      if (!value.is_number_unsigned() || value.get<uint64_t>() > 4294967295u) {
        *error = "bad revision";
        return false;
      }
      e.revision = static_cast<uint32_t>(value.get<uint64_t>());
    } else if (key == "op") {
      if (value != "upsert" && value != "retract") {
        *error = "bad op";
        return false;
      }
      e.retract = value == "retract";
    } else if (key == "event" || key == "agent" || key == "id") {
      if (!value.is_string()) {
        *error = "bad " + key;
        return false;
      }
      (key == "event" ? e.event : key == "agent" ? e.agent : e.id) = value.get<std::string>();
    } else if (value.is_string()) {
      e.dims.emplace_back(key, value.get<std::string>());
    } else if (value.is_boolean()) {
      e.measures.emplace_back(key, value.get<bool>() ? 1.0 : 0.0);
    } else if (value.is_number()) {
      e.measures.emplace_back(key, value.get<double>());
    } else {
      *error = "unsupported value of " + key;
      return false;
    }
  }
  if ((e.revision != 0 || e.retract) && e.id.empty()) {
    *error = "revision or retract without id";
    return false;
  }
  if (e.ticket.empty() || e.event.empty() || !j.contains("ts")) {
    *error = "missing ts, ticket or event";
    return false;
  }
  *out = std::move(e);
  return true;
}

}  // namespace kpi::reference
