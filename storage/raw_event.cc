#include "storage/raw_event.h"

#include <string_view>

namespace kpi {

bool IsReservedKey(std::string_view key) {
  return key == "ts" || key == "ticket" || key == "event" || key == "agent" || key == "id" ||
         key == "revision" || key == "op";
}

}  // namespace kpi
