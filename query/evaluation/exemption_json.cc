// Exemption windows as JSON (see query/evaluation/exemption_json.h).
#include "query/evaluation/exemption_json.h"

#include "query/value_json.h"

namespace kpi::query {

std::string ExemptionWindowsJson(const std::vector<Exemption>& exemptions) {
  std::string out = "[";
  for (const Exemption& x : exemptions) {
    if (out.size() > 1) out.push_back(',');
    out += "{\"name\":" + JsonString(x.name) + ",\"kind\":" + (x.exclude ? "\"exclude\"" : "\"relax\"") +
           ",\"start\":" + JsonString(Rfc3339InZone(x.start_ms, "UTC")) +
           ",\"end\":" + JsonString(Rfc3339InZone(x.end_ms, "UTC")) + ",\"start_ms\":" + std::to_string(x.start_ms) +
           ",\"end_ms\":" + std::to_string(x.end_ms) + ",\"tz\":" + JsonString(x.tz) + ",\"relax\":[";
    for (size_t i = 0; i < x.relax.size(); ++i) {
      if (i > 0) out.push_back(',');
      out += "{\"kpi\":" + JsonString(x.relax[i].kpi) + ",\"op\":" + JsonString(x.relax[i].op) + ",\"value\":";
      AppendJsonNumber(&out, x.relax[i].value);
      out.push_back('}');
    }
    out += "],\"text\":" + JsonString(x.text) + "}";
  }
  return out + "]";
}

}  // namespace kpi::query
