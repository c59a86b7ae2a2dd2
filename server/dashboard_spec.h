// DashboardSpec: the JSON document of a web UI dashboard, checked and put in
// its one stored form (PUT /v1/dashboards/NAME, docs/server-api.md).
//
// Accepted body: a JSON list of tiles, or an object
//   {"title": "Service desk", "columns": 3, "tiles": [ tile, ... ]}
// where a tile is
//   {"statement": "evaluate frt from tickets by week",   required
//    "title": "FRT by week",                             optional
//    "chart": "auto",        auto|table|line|bar|evaluation|number (auto: by the result's shape)
//    "refresh": "30s",       seconds (number) or "<n>s|m|h"; 0 or "off": never; default 60 s
//    "width": 1}             grid columns the tile spans, 1..4
// Rules: 1..50 tiles; a statement parses (query/parser) and only reads
// (select, evaluate, show, explain: never define/drop); columns 1..6; a
// refresh of at least 1 s and at most 1 day; no unknown fields (a typo is
// an error, not a silently ignored setting).
// An invalid document gives the path of the offending field ("tiles[2].chart",
// "tiles[0].statement") and a message; for a statement that does not parse,
// the line and column inside that statement.
// Stored form (Canonical): {"title":...,"columns":N,"tiles":[{"title":...,
// "statement":...,"chart":...,"refresh":<seconds>,"width":N}]}, every field
// present, so what GET returns can be PUT back unchanged.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kpi::server {

struct DashboardTile {
  std::string title;
  std::string statement;
  std::string chart = "auto";
  int refresh_seconds = 60;
  int width = 1;
};

struct DashboardSpec {
  std::string title;
  int columns = 3;
  std::vector<DashboardTile> tiles;
};

struct DashboardSpecError {
  std::string field;    // "tiles[2].chart"; "" for the document itself
  std::string message;  // "tiles[2].chart: must be one of ..."
  int line = 0;         // a statement's parse error: its position in the statement
  int column = 0;
};

// Reads and checks `json_text`; false with *error when it is not a valid dashboard.
bool ParseDashboardSpec(std::string_view json_text, DashboardSpec* out, DashboardSpecError* error);

// The stored JSON form (see above), one line.
std::string CanonicalDashboardJson(const DashboardSpec& spec);

// Dashboard names: 1-128 letters, digits, '_' or '-', starting with a letter or digit.
bool IsDashboardName(std::string_view name);

}  // namespace kpi::server
