// The web UI's files (web/*.html, *.js, *.css and the vendored Apache
// ECharts bundle, third_party/echarts), embedded into the binary at build
// time so that `kpi serve` needs no other files and no network: every asset
// the browser loads comes from the server itself.
//
// Paths are the URL paths the server answers: "/" (the single page), and
// "/ui/<file>". web/CMakeLists.txt lists them; embed_assets.cmake generates
// the table (content type from the extension, ETag = SHA-1 of the bytes).
// Thread safety: immutable static data.
#pragma once

#include <span>
#include <string_view>

namespace kpi::web {

struct Asset {
  std::string_view path;          // "/" or "/ui/app.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view body;          // the file's bytes
  std::string_view etag;          // "\"<sha1>\"", quotes included
};

// Every embedded asset.
std::span<const Asset> AllAssets();

// The asset at `path`, or nullptr.
const Asset* FindAsset(std::string_view path);

}  // namespace kpi::web
