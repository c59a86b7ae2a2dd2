// GET /v1/alerts (see server/alerts_endpoint.h).
#include "server/alerts_endpoint.h"

#include "query/catalog/meta_store.h"
#include "query/execution/scope.h"
#include "query/watch/watch_show.h"
#include "server/result_render.h"

namespace kpi::server {

Response HandleAlerts(const query::Backend* backend, const Grant& grant) {
  if (backend == nullptr) return ErrorResponse(503, "this server has no store");
  query::Result alerts;
  const Status s = query::ShowAlerts(backend->Meta(), grant.scope ? &grant.scope->text() : nullptr, &alerts);
  if (!s.ok()) return ErrorResponse(500, s.ToString());
  size_t firing = 0;
  for (const auto& row : alerts.rows) firing += row[3].text == "firing";
  Response r;
  r.body = "{\"firing\":" + std::to_string(firing) + ",\"resolved\":" + std::to_string(alerts.rows.size() - firing) +
           ",\"alerts\":" + RenderRowsAsObjects(alerts) + "}\n";
  return r;
}

}  // namespace kpi::server
