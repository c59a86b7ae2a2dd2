// Event rows and identities (see clickhouse/event_rows.h).
#include "clickhouse/event_rows.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <utility>
#include <vector>

#include <xxhash.h>

namespace kpi::clickhouse {

namespace {
constexpr uint64_t kIdSeed = 0x6b70692d6964ULL;       // "kpi-id"
constexpr uint64_t kContentSeed = 0x6b70692d63ULL;    // "kpi-c"

void AppendLen(const std::string& s, std::string* out) {
  const uint32_t n = static_cast<uint32_t>(s.size());
  out->append(reinterpret_cast<const char*>(&n), sizeof(n));
  out->append(s);
}

void AppendDouble(double v, std::string* out) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  out->append(buf);
}

// Backslash escapes of \\ \t \n \r \0 and, with `quote`, of '.
void AppendEscaped(const std::string& s, bool quote, std::string* out) {
  for (char c : s) {
    switch (c) {
      case '\\': out->append("\\\\"); break;
      case '\t': out->append("\\t"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\0': out->append("\\0"); break;
      case '\'':
        if (quote) out->append("\\'");
        else out->push_back(c);
        break;
      default: out->push_back(c);
    }
  }
}

// 'text' (arrays inside TSV, SQL literals).
void AppendQuoted(const std::string& s, std::string* out) {
  out->push_back('\'');
  AppendEscaped(s, true, out);
  out->push_back('\'');
}

// Two TSV fields: the keys and the values of `pairs` as array literals
// (['a','b'] / [1,2]), TSV-escaped as a whole.
template <typename Pairs, typename AppendValue>
void AppendPairs(const Pairs& pairs, AppendValue append_value, std::string* out) {
  std::string keys = "[", values = "[";
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (i) keys += ',', values += ',';
    AppendQuoted(pairs[i].first, &keys);
    append_value(pairs[i].second, &values);
  }
  out->push_back('\t');
  AppendEscaped(keys + "]", false, out);
  out->push_back('\t');
  AppendEscaped(values + "]", false, out);
}

}  // namespace

uint64_t EventIdentity(const RawEvent& e) {
  if (!e.id.empty()) return XXH3_128bits_withSeed(e.id.data(), e.id.size(), kIdSeed).low64;
  std::string canon;
  canon.append(reinterpret_cast<const char*>(&e.ts_ms), sizeof(e.ts_ms));
  AppendLen(e.event, &canon);
  AppendLen(e.agent, &canon);
  std::vector<std::pair<std::string, std::string>> dims = e.dims;
  std::sort(dims.begin(), dims.end());
  for (const auto& [k, v] : dims) {
    canon.push_back('d');
    AppendLen(k, &canon);
    AppendLen(v, &canon);
  }
  std::vector<std::pair<std::string, double>> measures = e.measures;
  std::sort(measures.begin(), measures.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [k, v] : measures) {
    canon.push_back('m');
    AppendLen(k, &canon);
    const double x = v == 0 ? 0.0 : v;  // -0 and 0 are the same measure
    canon.append(reinterpret_cast<const char*>(&x), sizeof(x));
  }
  return XXH3_128bits_withSeed(canon.data(), canon.size(), kContentSeed).low64;
}

void AppendTsvString(const std::string& s, std::string* out) { AppendEscaped(s, false, out); }

std::string SqlQuote(const std::string& s) {
  std::string out;
  AppendQuoted(s, &out);
  return out;
}

void AppendEventRow(const RawEvent& e, int64_t batch_ms, uint32_t seq, std::string* out) {
  AppendTsvString(e.ticket, out);
  out->push_back('\t');
  out->append(std::to_string(e.ts_ms));
  out->push_back('\t');
  AppendTsvString(e.event, out);
  out->push_back('\t');
  AppendTsvString(e.agent, out);
  AppendPairs(e.dims, [](const std::string& v, std::string* to) { AppendQuoted(v, to); }, out);
  AppendPairs(e.measures, [](double v, std::string* to) { AppendDouble(v, to); }, out);
  out->push_back('\t');
  out->append(std::to_string(EventIdentity(e)));
  out->push_back('\t');
  out->append(std::to_string(e.revision));
  out->push_back('\t');
  out->push_back(e.retract ? '1' : '0');
  out->push_back('\t');
  out->append(std::to_string(batch_ms));
  out->push_back('\t');
  out->append(std::to_string(seq));
  out->push_back('\n');
}

}  // namespace kpi::clickhouse
