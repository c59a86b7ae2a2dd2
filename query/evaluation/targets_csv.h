// Targets from a CSV file: `kpi targets load --db DIR FILE.csv` and
// PUT /v1/targets (evaluation-and-trends.md, section 3) share this loader.
//
// The file: a header `kpi,op,target,<dim>,...`, then one target per line.
// Each row reads as the statement
//     define target <kpi> <op> <target> [where <dim> = <cell> and ...]
// over the dimensions whose cell is not empty (empty or blank = any value); a cell
// that reads as a number (query/catalog/csv_reader.h: `3`, `90%`, `15m`) is a
// number literal, every other cell a string literal. The statement is
// parsed and checked exactly as `define target` checks it (ReadTarget: a
// named KPI, an op of >= > <= <, a literal value; CheckDimensions: known
// dimensions), and it is the text stored, so `show targets` shows it.
//
// All or nothing: every row is checked first, then all targets are saved in
// ONE atomic catalog write (SaveDefinitions) stamped with the metadata's
// clock (the local store's, or a ClickHouse cluster's definitions: the
// same code for every backend, Backend::Meta and LoadSchema).
// A target with the same kpi and where as an existing one replaces it;
// targets not in the file stay. Two rows with the same kpi and where are an
// error naming both lines ("targets.csv:9: duplicate target fcr where
// channel = \"chat\" (first on line 4)").
// Errors are InvalidArgument naming the source and line:
//     targets.csv:7: unknown kpi 'fcrr' (did you mean 'fcr'?) ...
// (without a source: "line 7: ..."); store failures keep their own code.
// Thread safety: as the metadata (one write).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "query/catalog/meta_store.h"
#include "storage/status.h"

namespace kpi::storage {
class Store;
}

namespace kpi::query {

class Schema;  // query/binder/schema.h

struct TargetsLoadReport {
  size_t targets = 0;     // rows of the file
  size_t defined = 0;     // new kpi + where
  size_t redefined = 0;   // replaced an existing target
  std::vector<std::string> keys;  // "fcr where channel = \"chat\"", in file order
  int64_t defined_at_ms = 0;
};

// `schema`: the data's names, for the dimensions' check.
Status LoadTargetsCsv(const MetaWriter& meta, const Schema& schema, std::string_view csv, const std::string& source,
                      TargetsLoadReport* report);
// The same into a local store (its catalog as the schema).
Status LoadTargetsCsv(storage::Store* store, std::string_view csv, const std::string& source,
                      TargetsLoadReport* report);

}  // namespace kpi::query
