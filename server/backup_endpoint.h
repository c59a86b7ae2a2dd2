// POST /v1/backup?to=DIR (admin): a consistent backup of the served store,
// taken by the process that holds it (a second process cannot open a store
// a server has open). DIR is a path on the server's machine, absolute, that
// must not exist yet; its parent must. The backup holds every batch
// acknowledged before the request and none after it (Store::Backup,
// storage/backup.h); uploads wait while the checkpoint is written, queries
// do not.
//
// 200 {"backup":DIR,"files":N,"bytes":N,"last_batch":N,"last_batch_time":"...",
//      "sequence":N,"seconds":S}; 400 without `to`, with a relative DIR or
// one that exists; 500 when writing it fails; 501 on a server without a
// store (kpi serve --backend clickhouse: the cluster's data is backed up
// with ClickHouse's own means, docs/scale-out.md "Backups").
// Thread safety: as Store::Backup (any thread; backups serialise with writes).
#pragma once

#include "server/http_message.h"
#include "server/url.h"
#include "storage/store.h"

namespace kpi::server {

Response HandleBackup(storage::Store* store, const Target& target);

}  // namespace kpi::server
