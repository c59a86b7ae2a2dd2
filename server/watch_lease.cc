// The watch runner's lease (see server/watch_lease.h).
#include "server/watch_lease.h"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <random>

namespace kpi::server {

using nlohmann::json;

WatchLease::WatchLease(query::MetaWriter meta, std::chrono::milliseconds lease, std::string holder)
    : meta_(std::move(meta)), lease_ms_(std::max<int64_t>(lease.count(), 3)),
      holder_(holder.empty() ? DefaultHolder() : std::move(holder)) {}

std::string WatchLease::DefaultHolder() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  char nonce[9];
  std::snprintf(nonce, sizeof(nonce), "%08x", static_cast<unsigned>(std::random_device{}()));
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + nonce;
}

bool WatchLease::Read(std::string* holder, int64_t* until_ms) {
  holder->clear();
  *until_ms = 0;
  std::string value;
  const Status s = meta_.GetMeta(kWatchLeaseNamespace, kWatchLeaseKey, &value);
  if (s.code() == Status::Code::kNotFound) return true;
  if (!s.ok()) {
    error_ = "cannot read the watch lease: " + s.ToString();
    return false;
  }
  const json doc = json::parse(value, nullptr, /*allow_exceptions=*/false);
  if (doc.is_object() && doc.contains("holder") && doc["holder"].is_string() && doc.contains("until_ms") &&
      doc["until_ms"].is_number_integer()) {
    *holder = doc["holder"].get<std::string>();
    *until_ms = doc["until_ms"].get<int64_t>();
  }  // an entry that does not read is an expired lease
  return true;
}

bool WatchLease::Write(int64_t until_ms) {
  const json doc = {{"holder", holder_}, {"until_ms", until_ms}};
  const Status s = meta_.WriteMeta({query::MetaWrite{kWatchLeaseNamespace, kWatchLeaseKey, doc.dump()}});
  if (!s.ok()) {
    error_ = "cannot write the watch lease: " + s.ToString();
    return false;
  }
  return true;
}

bool WatchLease::Check(int64_t now_ms) {
  if (now_ms < next_check_ms_) return leading_;
  next_check_ms_ = now_ms + lease_ms_ / 3;
  leading_ = candidate_ = false;
  std::string holder;
  int64_t until = 0;
  if (!Read(&holder, &until)) return false;
  error_.clear();
  const bool live = until > now_ms;
  if (live && holder != holder_) return false;  // another front end leads
  // Ours and live (renewed, or our claim read back): lead. Free: claim it,
  // and lead once a later check reads the claim back.
  if (!Write(now_ms + lease_ms_)) return false;
  leading_ = live;
  candidate_ = !live;
  return leading_;
}

void WatchLease::Release() {
  const bool held = leading_ || candidate_;
  leading_ = candidate_ = false;
  if (!held) return;
  std::string holder;
  int64_t until = 0;
  if (Read(&holder, &until) && holder == holder_)
    meta_.WriteMeta({query::MetaWrite{kWatchLeaseNamespace, kWatchLeaseKey, std::nullopt}});
}

}  // namespace kpi::server
