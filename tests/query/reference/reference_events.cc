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
  if (e.ticket.empty() || e.event.empty() || !j.contains("ts")) {
    *error = "missing ts, ticket or event";
    return false;
  }
  *out = std::move(e);
  return true;
}

}  // namespace kpi::reference
