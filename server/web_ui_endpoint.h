// The web UI's endpoints: its static files and the two reads its editor and
// charts need besides /v1/query.
//
//   GET /  and  GET /ui/<file>   no auth   the embedded assets (web/assets.h);
//       gzip-compressed (Content-Encoding) for clients that accept it,
//       ETag + If-None-Match (304), Cache-Control: no-cache, and a
//       Content-Security-Policy that allows only the server's own scripts,
//       so the page works offline and loads nothing from elsewhere.
//       The files hold no data: the page signs in with a bearer token and
//       every data request is authorized like any API client's.
//   GET /v1/complete?q=TEXT[&cursor=N]   read
//       completion of TEXT at byte offset N (default: its end) by the REPL's
//       rule (query/completion.h): {"from":F,"prefix":"cha","candidates":[...],
//       "more":false}, at most 100 candidates (more: true when cut).
//   GET /v1/exemptions   read
//       the exemption windows the viewer sees, for shading charts:
//       {"exemptions":[{"name","kind":"exclude"|"relax","start","end",
//       "start_ms","end_ms","tz","relax":[{"kpi","op","value"}],"text"}]}
// Both read through the backend (query/backend/backend.h: its names and
// Meta), so they answer alike over the local store and a ClickHouse
// cluster; a null backend answers 503.
// Thread safety: pure over the backend (reads only).
#pragma once

#include <string>

#include "server/auth.h"
#include "server/http_message.h"
#include "server/url.h"

namespace kpi::query {
class Backend;
}

namespace kpi::server {

// True for "/" and "/ui/..." (the asset paths, found or not).
bool IsWebAssetPath(std::string_view path);
Response ServeWebAsset(const Request& request, std::string_view path);

Response HandleComplete(const query::Backend* backend, const Target& target, const Grant& grant);
Response HandleExemptions(const query::Backend* backend, const Grant& grant);

}  // namespace kpi::server
