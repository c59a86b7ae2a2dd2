// Lookup over the generated asset table (see web/assets.h).
#include "web/assets.h"

namespace kpi::web {

const Asset* FindAsset(std::string_view path) {
  for (const Asset& a : AllAssets())
    if (a.path == path) return &a;
  return nullptr;
}

}  // namespace kpi::web
