// WebhookClient: one JSON POST to a webhook (`define watch ... notify`),
// with Boost.Beast over plain TCP.
//
// The whole exchange (resolve, connect, send, read the reply) is bounded by
// `timeout`; a reply with a 2xx status is success, anything else (another
// status, a refused or timed-out connection) a failure with a one-line
// reason ("connection refused", "HTTP 503"). Redirects are not followed.
// Thread safety: PostJson may be called from any thread.
#pragma once

#include <chrono>
#include <string>

#include "query/watch/webhook_url.h"
#include "storage/status.h"

namespace kpi::server {

// OK on a 2xx reply; otherwise IOError with the reason.
Status PostJson(const query::WebhookUrl& url, const std::string& body, std::chrono::milliseconds timeout);

}  // namespace kpi::server
