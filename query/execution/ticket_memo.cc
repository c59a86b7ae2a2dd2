// MemoOff (query/execution/ticket_memo.h).
#include "query/execution/ticket_memo.h"

#include <cstdlib>
#include <string_view>

namespace kpi::query {

bool MemoOff() {
  static const bool off = [] {
    const char* v = std::getenv("KPI_SEGMENT_MEMO");
    return v != nullptr && std::string_view(v) == "off";
  }();
  return off;
}

}  // namespace kpi::query
