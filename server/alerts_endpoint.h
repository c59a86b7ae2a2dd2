// GET /v1/alerts (read role): the open and recent alerts of the watches the
// token may see, as `show alerts` lists them (query/watch/watch_show.h):
//
//   200 {"firing":N,"resolved":N,
//        "alerts":[{"watch":..,"kpi":..,"groups":"channel=chat","state":"firing",
//                   "since":"..Z","resolved_at":null,"value":0.041,"op":"<=",
//                   "target":0.03,"delivery":"delivered"},...]}
// firing first (newest first), then the resolved ones kept for their
// watch's `keep` (most recently resolved first). 500 when the store cannot
// be read.
// Thread safety: any thread.
#pragma once

#include "server/auth.h"
#include "server/http_message.h"
#include "storage/store.h"

namespace kpi::server {

Response HandleAlerts(const storage::Store* store, const Grant& grant);

}  // namespace kpi::server
