// Value rows -> Vecs: the aggregates (query/aggregates/) read column vectors;
// a nested select's inner rows and a ticket's reply cycles are Values. One
// packer turns a batch of Values of one expression into the Vec the
// aggregate families expect (durations in milliseconds, strings as codes of
// one dictionary whose texts the query's dict_text holds).
// Thread safety: a packer belongs to one thread.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "query/result.h"
#include "query/execution/vector.h"

namespace kpi::query {

// The dictionary column of packed strings (in BoundQuery::dict_text): in the
// range of scalar dictionaries, far above the ones the binder numbers.
inline constexpr uint32_t kValueRowDictColumn = kScalarDictBase | 0x3F000000u;

class ValuePacker {
 public:
  // `texts`: code - 1 -> text of every string packed so far (may be null
  // when no string is ever packed).
  explicit ValuePacker(std::vector<std::string>* texts) : texts_(texts) {}

  // out: `values.size()` rows of `type` (the expression's declared type).
  void Pack(const std::vector<const Value*>& values, ValueType type, Vec* out);

 private:
  uint32_t Code(const std::string& text);

  std::vector<std::string>* texts_;
  std::unordered_map<std::string, uint32_t> codes_;
};

// A hash of a Value consistent with Value::operator== (-0 and 0 alike).
uint64_t HashValue(const Value& v);

}  // namespace kpi::query
