// Scope: the slice of the store a scoped token sees (issue 14).
//
// A scope is a predicate over dimensions written in the query language's
// expression grammar, e.g. `client = "acme"` or
// `business_type in ("finance", "b2b") and region != "eu"`. Allowed forms:
//   <dim> = "v"   <dim> != "v"   <dim> in ("v", ...)   <dim> not in (...)
//   <dim> is null   <dim> is not null   and   or   not   ( ... )
// with string literals only (dimension values are strings). Builtin
// columns (event, agent, time, created, ...) and measures are not dimensions.
//
// Membership is per TICKET: a ticket is in scope when its dimensions, as
// `from tickets` sees them (the latest value each carried, in the `as of`
// view when the statement has one), satisfy the predicate; then every one
// of its events is in scope, whatever the events carried. Nulls follow the
// query language (three-valued logic; a ticket whose predicate is null is
// outside). A dimension the store has never seen is null on every ticket.
//
// The executor applies a scope at the scan, before everything else
// (ExecOptions::scope): out-of-scope tickets and their events are never
// rows, never enter the repeat_within pre-pass, never reach an aggregate.
// A statement under a scope therefore answers as if the store held only the
// scope's tickets.
//
// Thread safety: a Scope is immutable after Parse. A ScopeFilter belongs to
// one worker thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/catalog.h"
#include "storage/status.h"
#include "storage/store.h"

namespace kpi::query {

class SegmentRows;

class Scope {
 public:
  // Parses `text`; InvalidArgument ("scope, column 9: ...") when it does not
  // parse or uses a form the list above does not allow.
  static Status Parse(std::string_view text, std::shared_ptr<const Scope>* out);

  const std::string& text() const { return text_; }
  // The dimensions the predicate names (sorted, unique).
  const std::vector<std::string>& dims() const { return dims_; }

  // Three-valued: 1 true, 0 false, 2 null. `value(dim)` is the ticket's
  // value of `dim`, nullptr when null. In scope means exactly 1.
  int Eval(const std::function<const std::string*(const std::string& dim)>& value) const;
  // The same over a ticket's dimension values (a dimension absent: null).
  int Eval(const std::map<std::string, std::string>& dims) const;

  struct Node {
    enum Kind : uint8_t { kAnd, kOr, kNot, kIn, kIsNull } kind = kIn;
    bool negated = false;                // kIn: `!=` / `not in`; kIsNull: `is not null`
    size_t dim = 0;                      // kIn / kIsNull: index into dims()
    std::vector<std::string> values;     // kIn: the listed values (`=` is a one-value in)
    std::vector<size_t> args;            // kAnd / kOr / kNot: node indices
  };
  const std::vector<Node>& nodes() const { return nodes_; }  // the root is nodes().back()

 private:
  std::string text_;
  std::vector<std::string> dims_;
  std::vector<Node> nodes_;
};

// A scope resolved against a catalog (one per snapshot and worker): per
// ticket of a segment, whether it is in scope, from the tickets' latest
// dimension codes.
class ScopeFilter {
 public:
  ScopeFilter(const Scope& scope, const storage::Catalog& catalog);

  // Marks keep[t] = 1 for each ticket of `segment` in scope, 0 otherwise;
  // returns how many are in scope. `tickets`, when given, is a kTickets
  // view of the same segment whose dimension columns are shared with the
  // query (a column the query reads too is then derived once).
  uint32_t Mark(const storage::Segment& segment, SegmentRows* tickets, std::vector<uint8_t>* keep);

  // Top-level `<dim> = / in` conjuncts as (column id, codes) for segment
  // pruning (storage::ScanSpec::dim_codes; sound because a ticket's latest
  // value is one of the values its events carried). `impossible`: a
  // conjunct no ticket can satisfy (a value or dimension never seen).
  void Pushdown(std::vector<std::pair<uint32_t, std::vector<uint32_t>>>* dim_codes, bool* impossible) const;

 private:
  struct Leaf {
    std::vector<uint32_t> codes;  // matching dictionary codes (sorted)
    std::vector<uint8_t> listed;  // by code: 1 when listed (codes past its end are not)
    bool Listed(uint32_t code) const { return code < listed.size() && listed[code] != 0; }
  };
  int EvalNode(size_t n, uint32_t t) const;

  const Scope& scope_;
  std::vector<uint32_t> column_of_dim_;  // 0: not a dimension of the catalog (always null)
  std::vector<Leaf> leaves_;             // per node (kIn only)
  std::vector<std::vector<uint32_t>> latest_;  // per dimension: each ticket's latest code (0: null)
};

// For the stored tickets among `tickets`: the latest value each of the
// scope's dimensions carried (a dimension never carried is absent). Tickets
// not in the store are absent. Reads every segment (ticket ids have no
// index): the price of a scoped upload.
using TicketDims = std::map<std::string, std::map<std::string, std::string>>;
Status StoredScopeDims(const storage::Snapshot& snapshot, const Scope& scope, const std::set<std::string>& tickets,
                       TicketDims* out);

}  // namespace kpi::query
