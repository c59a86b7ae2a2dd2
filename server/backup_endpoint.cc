#include "server/backup_endpoint.h"

#include <filesystem>

#include "server/json_text.h"
#include "storage/backup.h"
#include "storage/timestamp.h"

namespace kpi::server {

Response HandleBackup(storage::Store* store, const Target& target) {
  // A server over a ClickHouse cluster holds no data: backups are the cluster's.
  if (store == nullptr)
    return ErrorResponse(501, "this server holds no store (it serves a ClickHouse cluster): back up the cluster with "
                              "ClickHouse's own means, e.g. ALTER TABLE ... FREEZE of events_local on every shard and "
                              "of kpi_meta and kpi_names on the first (docs/scale-out.md, \"Backups\")");
  const std::string* to = target.Param("to");
  if (to == nullptr || to->empty()) return ErrorResponse(400, "missing ?to=DIR (an absolute path on the server)");
  if (!std::filesystem::path(*to).is_absolute())
    return ErrorResponse(400, "?to= must be an absolute path on the server, got " + *to);
  storage::BackupInfo info;
  const Status s = store->Backup(*to, &info);
  if (!s.ok()) return ErrorResponse(s.code() == Status::Code::kInvalidArgument ? 400 : 500, s.message());
  Response r;
  r.body = "{\"backup\":" + JsonString(*to) + ",\"files\":" + std::to_string(info.files) +
           ",\"bytes\":" + std::to_string(info.bytes) + ",\"last_batch\":" + std::to_string(info.last_batch) +
           ",\"last_batch_time\":" +
           (info.last_batch_ms > 0 ? JsonString(FormatRfc3339(info.last_batch_ms)) : std::string("null")) +
           ",\"sequence\":" + std::to_string(info.sequence) + ",\"seconds\":" + std::to_string(info.seconds) + "}\n";
  return r;
}

}  // namespace kpi::server
