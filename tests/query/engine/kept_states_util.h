// Shared by the engine tests of kept partial states and derived-value
// files: the statements that keep states (kept_states.h), a statement
// bound against a store, and damage done to the values of a derived-value
// file (storage/memo_files.h; layout in docs/storage-format.md
// "Derived-value files").
#pragma once

#include <gtest/gtest.h>

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

// In the derived-value file at `path` (its header left intact), the byte
// in the middle of every value of at least 16 bytes (offset by `shift`)
// xor-ed with `mask`, when `want(key)` for the file's key; how many.
inline int DamageValues(const std::filesystem::path& path, int shift, char mask,
                        const std::function<bool(const std::string&)>& want) {
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto u32 = [&](size_t at) {
    uint32_t v;
    std::memcpy(&v, bytes.data() + at, 4);
    return v;
  };
  auto u64 = [&](size_t at) {
    uint64_t v;
    std::memcpy(&v, bytes.data() + at, 8);
    return v;
  };
  size_t pos = 12;
  pos += 4 + u32(pos);  // fingerprint
  const std::string key = bytes.substr(pos + 4, u32(pos));
  pos += 4 + u32(pos);
  if (!want(key)) return 0;
  const uint32_t n = u32(pos);
  pos += 4;
  int damaged = 0;
  for (uint32_t i = 0; i < n; ++i, pos += 48) {
    const uint64_t offset = u64(pos + 24), length = u64(pos + 32);
    if (length < 16) continue;
    bytes[offset + length / 2 + shift] = static_cast<char>(bytes[offset + length / 2 + shift] ^ mask);
    ++damaged;
  }
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  return damaged;
}

}  // namespace kpi::query
