// GET /v1/alerts (read role): the open and recent alerts of the watches the
// token may see, as `show alerts` lists them (query/watch/watch_show.h):
//
//   200 {"firing":N,"resolved":N,
//        "alerts":[{"watch":..,"kpi":..,"groups":"channel=chat","state":"firing",
//                   "since":"..Z","resolved_at":null,"value":0.041,"op":"<=",
//                   "target":0.03,"delivery":"delivered"},...]}
// firing first (newest first), then the resolved ones kept for their
// watch's `keep` (most recently resolved first). 500 when the store cannot
// be read. The alerts are the backend's metadata (Backend::Meta: the local
// store's or a cluster's); a null backend answers 503.
// Thread safety: any thread.
#pragma once

#include "query/backend/backend.h"
#include "server/auth.h"
#include "server/http_message.h"

namespace kpi::server {

Response HandleAlerts(const query::Backend* backend, const Grant& grant);

}  // namespace kpi::server
