// `kpi report`: an audit report of KPIs against their targets over a
// window, as one self-contained HTML page (cli/report_html.h) or a PDF of
// it printed by headless Chromium.
//
//   kpi report --db DIR (--scorecard NAME | -f FILE) --during "A .. B"
//              [--by "dim, ..."] [--bucket auto|day|week|month] [--title T]
//              --out report.html|report.pdf
//
// The KPIs are the scorecard's, or the names listed in FILE (separated by
// commas, blanks or lines; `--` starts a comment). `--during` is the text
// after `during` in a statement (`2025-11-01 .. 2025-12-01`), `--by` the
// text after `by`; a relative window (`previous month`, `last 30d`) is
// read once, against the first statement's now. The statements the report
// runs, all as of one instant (the first one's as_of, so every result
// reflects the same data and definitions):
//   evaluate K1, K2, ... from tickets during W [by B]            (summary)
//   evaluate scorecard NAME from tickets during W [by B]          (--scorecard)
//   evaluate Ki from tickets during W by BUCKET                   (one trend per KPI)
// BUCKET: --bucket, or for `auto` from the window's length when it reads
// as two dates (up to 62 days: day; up to 400: week; longer: month; week
// otherwise).
// PDF: the page is written to a temporary file next to --out and printed
// with `chromium --headless --print-to-pdf` (KPI_CHROMIUM names another
// binary); without Chromium the report fails (exit 2) saying so.
// Exit: 0 written; 1 a statement failed (unknown KPI or scorecard, a bad
// window), with the engine's message; 2 usage, I/O, store or Chromium
// errors.
// Thread safety: one call at a time per output stream.
#pragma once

#include <cstdio>
#include <string>

namespace kpi::cli {

struct ReportFlags {
  std::string db;
  std::string scorecard;  // either this
  std::string kpi_file;   // or this
  std::string during;
  std::string by;
  std::string bucket = "auto";
  std::string title;
  std::string out;  // .html or .pdf
};

int RunReport(const ReportFlags& flags, std::FILE* out, std::FILE* err);

// The trend bucket for `bucket` ("auto": from the window, see above).
std::string ReportBucket(const std::string& bucket, const std::string& during);

}  // namespace kpi::cli
