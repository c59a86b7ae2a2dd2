// One JSON POST to a webhook (see server/webhook_client.h).
#include "server/webhook_client.h"

#include "net/http_post.h"

namespace kpi::server {

Status PostJson(const query::WebhookUrl& url, const std::string& body, std::chrono::milliseconds timeout) {
  net::HttpPostRequest request;
  request.host = url.host;
  request.port = url.port;
  request.target = url.target;
  request.body = body;
  request.content_type = "application/json";
  request.user_agent = "kpistore-watch";
  request.timeout = timeout;
  net::HttpReply reply;
  if (Status posted = net::HttpPost(request, &reply); !posted.ok()) return posted;
  if (reply.status < 200 || reply.status > 299) return Status::IOError("HTTP " + std::to_string(reply.status));
  return Status::OK();
}

}  // namespace kpi::server
