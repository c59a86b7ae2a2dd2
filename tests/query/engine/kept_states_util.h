// Shared by the engine tests of kept partial states and derived-value
// files: the statements that keep states (kept_states.h), a statement
// bound against a store, and damage (or a forgery with matching checksums)
// done to the values of a derived-value
// file (storage/memo_files.h; layout in docs/storage-format.md
// "Derived-value files").
#pragma once

#include <gtest/gtest.h>
#include <xxhash.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "query/binder/binder.h"
#include "query/parser/parser.h"
#include "storage/store.h"

namespace kpi::query {

// The catalog's event statements, one without groups, and ticket
// statements that keep states too, one with percentiles in a `during`
// window (over the generated events).
inline const std::vector<std::string>& KeptStatesStatements() {
  static const std::vector<std::string> kStatements = {
      "select count() as replies, avg(handle_seconds) as aht from events where event = \"agent_reply\" by agent, day",
      "select avg(accurate) as accuracy from events where event = \"qa_reviewed\" by team",
      "select ratio(cost, 1) as cost_per_contact from events where event = \"agent_reply\" by channel, month",
      "select count() as n, sum(handle_seconds) as s, count(agent) as with_agent from events",
      "select rate(has(escalated)) as escalation from tickets by channel, month",
      "select count() as n, avg(duration(created -> resolved)) as a from tickets at resolved by week",
      "select count() as n, p50(duration(created -> agent_reply)) as p50, p90(duration(created -> agent_reply)) as "
      "p90 from tickets during 2025-01-02 .. 2025-01-05 by channel",
  };
  return kStatements;
}

// `text` bound (the BoundQuery owns its nodes; the statement may go).
inline std::unique_ptr<BoundQuery> BindStatement(storage::Store* store, const std::string& text) {
  auto q = std::make_unique<BoundQuery>();
  ast::Statement st;
  ParseError pe;
  EXPECT_TRUE(ParseStatement(text, &st, &pe)) << text << ": " << pe.message;
  BindError be;
  EXPECT_TRUE(BindSelect(std::get<ast::SelectQuery>(st), store->catalog(), BindContext{}, q.get(), &be))
      << text << ": " << be.message;
  return q;
}

// A derived-value file's bytes and where its parts are
// (docs/storage-format.md, "Derived-value files").
struct MemoFileBytes {
  std::string bytes;
  std::string key;
  size_t table = 0;  // the first entry (48 bytes each)
  uint32_t entries = 0;

  explicit MemoFileBytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
    size_t pos = 12;
    pos += 4 + U32(pos);  // fingerprint
    key = bytes.substr(pos + 4, U32(pos));
    pos += 4 + U32(pos);
    entries = U32(pos);
    table = pos + 4;
  }
  uint32_t U32(size_t at) const {
    uint32_t v;
    std::memcpy(&v, bytes.data() + at, 4);
    return v;
  }
  uint64_t U64(size_t at) const {
    uint64_t v;
    std::memcpy(&v, bytes.data() + at, 8);
    return v;
  }
  size_t Entry(uint32_t i) const { return table + size_t{i} * 48; }
  uint64_t Offset(uint32_t i) const { return U64(Entry(i) + 24); }
  uint64_t Length(uint32_t i) const { return U64(Entry(i) + 32); }
};

// In the derived-value file at `path` (its header left intact), the byte
// in the middle of every value of at least 16 bytes (offset by `shift`)
// xor-ed with `mask`, when `want(key)` for the file's key; how many.
inline int DamageValues(const std::filesystem::path& path, int shift, char mask,
                        const std::function<bool(const std::string&)>& want) {
  MemoFileBytes f(path);
  if (!want(f.key)) return 0;
  int damaged = 0;
  for (uint32_t i = 0; i < f.entries; ++i) {
    const uint64_t offset = f.Offset(i), length = f.Length(i);
    if (length < 16) continue;
    f.bytes[offset + length / 2 + shift] = static_cast<char>(f.bytes[offset + length / 2 + shift] ^ mask);
    ++damaged;
  }
  std::ofstream(path, std::ios::binary | std::ios::trunc) << f.bytes;
  return damaged;
}

// Every value of the derived-value file at `path` replaced by
// `forge(value)`, with the checksums (each value's, the header's) made to
// match: what a hostile writer of DIR/memo, not damage, would leave.
inline void ForgeValues(const std::filesystem::path& path,
                        const std::function<std::string(const std::string&)>& forge) {
  const MemoFileBytes f(path);
  const size_t values = f.Entry(f.entries) + 8;
  std::string header = f.bytes.substr(0, f.Entry(f.entries)), body;
  for (uint32_t i = 0; i < f.entries; ++i) {
    const std::string value = forge(f.bytes.substr(f.Offset(i), f.Length(i)));
    const uint64_t offset = values + body.size(), length = value.size(), sum = XXH3_64bits(value.data(), value.size());
    std::memcpy(header.data() + f.Entry(i) + 24, &offset, 8);
    std::memcpy(header.data() + f.Entry(i) + 32, &length, 8);
    std::memcpy(header.data() + f.Entry(i) + 40, &sum, 8);
    body += value;
  }
  const uint64_t sum = XXH3_64bits(header.data(), header.size());
  header.append(reinterpret_cast<const char*>(&sum), 8);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << header << body;
}

}  // namespace kpi::query
