// The dashboards endpoints: web UI boards kept as data in the store's one
// versioned catalog of definitions (query/catalog/definition_store.h, kind
// "dashboard"), their text the stored form of server/dashboard_spec.h.
//
//   GET    /v1/dashboards                 read   {"dashboards":[{"name","title","tiles","version","version_ms"}]}
//   GET    /v1/dashboards/NAME            read   {"name","version","version_ms","title","columns","tiles":[...]}
//            ?version=MS                         the version defined at MS (from .../versions)
//   GET    /v1/dashboards/NAME/versions   read   {"name","versions":[{"version","version_ms","dropped"}]}
//   PUT    /v1/dashboards/NAME            admin  body: the dashboard JSON; 400 names the bad field
//   DELETE /v1/dashboards/NAME            admin
// Ownership follows the other definitions: a scoped admin's dashboard is
// owned by its scope; a scoped token sees shared dashboards and its scope's
// own, and a scoped admin changes only its scope's own (403 otherwise).
// Unknown or invisible names are 404. Every define and drop is kept in the
// history with the metadata clock's instant. The definitions are the
// backend's (Backend::Meta): the local store's or a ClickHouse cluster's,
// the same code; a null backend answers 503.
// Thread safety: as the backend's metadata (writes are atomic there).
#pragma once

#include <string>

#include "server/auth.h"
#include "server/http_message.h"
#include "server/url.h"

namespace kpi::query {
class Backend;
}

namespace kpi::server {

inline constexpr std::string_view kDashboardsPath = "/v1/dashboards";

// `target.path` starts with kDashboardsPath; the router checked the method
// and the role. `grant`: the asking token's.
Response HandleDashboards(const query::Backend* backend, const Request& request, const Target& target,
                          const Grant& grant);

}  // namespace kpi::server
