// Bound select -> ClickHouse SQL (see clickhouse/sql_translate.h).
#include "clickhouse/sql_translate.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <vector>

#include "clickhouse/event_rows.h"
#include "clickhouse/schema_ddl.h"
#include "clickhouse/sql_calendar.h"
#include "clickhouse/sql_lookup.h"
#include "query/execution/scope.h"

namespace kpi::clickhouse {

namespace {

using query::BoundExpr;
using query::BoundKind;
using query::ColumnRef;
using query::Op;
using query::TicketFn;
using query::ValueType;

std::string Num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

// The per-ticket arrays every statement starts from (aliases of the inner
// query), over tuples of each row's fields: 1 identity, 2 -revision,
// 3 batch_ms, 4 seq, 5 retract, 6 ts, 7 event, 8 agent, then one field per
// dimension (its value, '' none) and measure (its value, NULL none) the
// statement reads (`fields`), so the arrays carry nothing else.
std::string TicketArrays(const std::vector<std::string>& fields) {
  std::string tuple = "identity, -toInt64(revision), batch_ms, seq, retract, ts, event, agent";
  for (const std::string& f : fields) tuple += ", " + f;
  return "arraySort(x -> (x.1, x.2, x.3, x.4), groupArray((" + tuple + "))) AS k_raw, "
         "arraySort(x -> (x.6, x.7, x.8, x.1), arrayFilter((x, i) -> x.5 = 0 AND (i = 1 OR x.1 != k_raw[i - 1].1), "
         "k_raw, arrayEnumerate(k_raw))) AS k_ev, "
         "arrayMap(x -> x.6, k_ev) AS k_T, arrayMap(x -> x.7, k_ev) AS k_E, arrayMap(x -> x.8, k_ev) AS k_A, "
         "if(has(k_E, 'created'), k_T[indexOf(k_E, 'created')], k_T[1]) AS k_created";
}

class Translator {
 public:
  Translator(const query::BoundQuery& q, const Names& names, const Config& config, const TranslateOptions& opt)
      : q_(q), names_(names), config_(config), opt_(opt), events_(!q.nested && q.source == query::Source::kEvents) {}

  bool Run(std::string* sql, std::string* why) {
    using Output = TranslateOptions::Output;
    if (q_.nested && opt_.inner_sql.empty()) return Fail("nested selects", why);
    const std::optional<TranslateOptions::Rolling>& rolling = opt_.rolling;
    std::vector<std::string> inner;       // the row query's columns
    std::vector<std::string> conditions;  // on its rows
    std::vector<std::string> passed;      // its columns the grouping reads
    std::string place;
    if (q_.nested) {
      // Value rows: the inner statement's columns k_c0.. (BoundKind::kGroupKey).
    } else if (events_) {
      inner.push_back("arrayJoin(arrayEnumerate(k_ev)) AS k_i");
      place = "k_T[k_i]";
    } else if (q_.at) {
      if (!q_.at->is_created) conditions.push_back("has(k_E, " + SqlQuote(q_.at->name) + ")");
      place = q_.at_last ? LastTime(*q_.at) : FirstTime(*q_.at);
    } else {
      place = "k_created";
    }
    if (!q_.nested) conditions.insert(conditions.begin(), "length(k_ev) > 0");
    if (!q_.nested && opt_.scope != nullptr) conditions.insert(conditions.begin() + 1, InScope());
    if (q_.during && !q_.nested) {
      conditions.push_back(place + " >= " + std::to_string(q_.during->first));
      conditions.push_back(place + " < " + std::to_string(q_.during->second));
    }
    if (q_.where) conditions.push_back("ifNull(" + Row(q_.where) + ", 0) = 1");
    // evaluate's exclusions: rows placed in the window where the predicate is true are left out.
    for (const query::BoundExclusion& x : q_.exclusions) {
      if (q_.nested) return Fail("exclusions over a nested select", why);
      conditions.push_back("(" + place + " < " + std::to_string(x.start_ms) + " OR " + place +
                           " >= " + std::to_string(x.end_ms) +
                           (x.pred ? " OR ifNull(" + Row(x.pred) + ", 0) = 0)" : ")"));
    }
    std::vector<std::string> outer, group_names;
    for (size_t g = 0; g < q_.groups.size(); ++g) {
      const query::GroupKey& key = q_.groups[g];
      const std::string name = "k_g" + std::to_string(g);
      std::string expr;
      if (key.is_bucket) {
        if (!Bucket(key, place, &expr)) return Fail(std::string("the bucket '") + query::BucketUnitName(key.unit) + "'", why);
      } else {
        expr = Row(key.expr);
      }
      const bool source = rolling && rolling->group == g;
      inner.push_back(expr + " AS " + (source ? "k_src" : name));
      if (!source) passed.push_back(name);
      group_names.push_back(name);
    }
    for (size_t a = 0; a < q_.aggregates.size(); ++a) {
      const query::AggregateSpec& spec = q_.aggregates[a];
      if (spec.over_values && !q_.nested && !spec.cycles) return Fail("this aggregate", why);
      for (size_t i = 0; i < spec.args.size(); ++i) {
        const std::string name = "k_a" + std::to_string(a) + "_" + std::to_string(i);
        // Over cycles: the argument of each of the ticket's cycles (k_c0 its duration).
        const std::string arg =
            spec.cycles ? "arrayMap(k_c0 -> " + Row(spec.args[i]) + ", " + Cycles(*spec.cycles) + ")" : Row(spec.args[i]);
        inner.push_back(arg + " AS " + name);
        passed.push_back(name);
      }
    }
    if (!error_.empty()) return Fail(error_, why);

    std::string rows;  // the row query
    if (q_.nested) {
      std::string cols;
      for (size_t c = 0; c < opt_.inner_columns.size(); ++c)
        cols += (c ? ", " : "") + opt_.inner_columns[c] + " AS k_c" + std::to_string(c);
      rows = "SELECT " + (inner.empty() ? std::string("1 AS k_one") : Join(inner, ", "));
      for (const auto& [alias, def] : defs_) rows += ", " + def + " AS " + alias;
      rows += " FROM (SELECT " + cols + " FROM (" + opt_.inner_sql + "))";
      if (!conditions.empty()) rows += " WHERE " + Join(conditions, " AND ");
    } else {
      inner.insert(inner.begin(), "ticket");
      rows = "SELECT " + Join(inner, ", ") + ", " + TicketArrays(fields_);
      for (const auto& [alias, def] : defs_) rows += ", " + def + " AS " + alias;
      rows += " FROM " + EventsTable(config_);
      if (!q_.repeats.empty()) rows += " GLOBAL ANY LEFT JOIN (" + RepeatAnswers() + ") USING ticket";
      rows += RowFilter() + " GROUP BY ticket HAVING " + Join(conditions, " AND ");
    }
    if (opt_.output == Output::kBucketRange) {
      if (!rolling) return Fail("a bucket range without rolling", why);
      *sql = "SELECT min(k_src), max(k_src) FROM (" + rows + ")";
      return true;
    }
    if (rolling) {
      // Each row counts in the windows of the n buckets from its own on.
      std::string starts, index;
      for (size_t i = 0; i < rolling->starts.size(); ++i) {
        starts += (i ? ", " : "") + std::to_string(rolling->starts[i]);
        index += (i ? ", " : "") + std::to_string(i + 1);
      }
      if (starts.empty()) starts = "0", index = "0";
      passed.push_back("arrayJoin(arrayFilter(s -> s >= " + std::to_string(rolling->first) + ", arraySlice(k_starts, transform(k_src, k_starts, [" +
                       index + "], 0), " + std::to_string(rolling->width) + "))) AS k_g" + std::to_string(rolling->group));
      rows = "WITH CAST([" + starts + "] AS Array(Int64)) AS k_starts SELECT " + Join(passed, ", ") + " FROM (" + rows + ")";
    }

    std::string s;
    if (opt_.output == Output::kAggregates) {
      for (size_t a = 0; a < q_.aggregates.size(); ++a) outer.push_back(Aggregate(a));
      const bool counted = opt_.rows_only && q_.groups.empty();
      s = "SELECT " + Join(group_names, ", ") + (group_names.empty() || outer.empty() ? "" : ", ") + Join(outer, ", ");
      if (outer.empty() && group_names.empty()) s += "count()";
      s += " FROM (" + rows + ")";
      if (!group_names.empty()) s += " GROUP BY " + Join(group_names, ", ");
      if (counted) s += " HAVING count() > 0";
      if (!error_.empty()) return Fail(error_, why);
      *sql = s;
      return true;
    }
    outer = group_names;
    for (size_t i = 0; i < q_.items.size(); ++i) outer.push_back(Group(q_.items[i].expr) + " AS k_o" + std::to_string(i));
    if (!error_.empty()) return Fail(error_, why);
    s = "SELECT " + Join(outer, ", ") + " FROM (" + rows + ")";
    if (!group_names.empty()) s += " GROUP BY " + Join(group_names, ", ");
    if (q_.having) s += " HAVING ifNull(" + Group(q_.having) + ", 0) = 1";
    if (opt_.order) {
      // `order by` keys, then the group columns ascending (the local engine
      // sorts by groups first and keeps that order among ties).
      std::vector<std::string> order;
      for (const query::OrderKey& k : q_.order) {
        const std::string col = k.column < q_.groups.size() ? "k_g" + std::to_string(k.column)
                                                             : "k_o" + std::to_string(k.column - q_.groups.size());
        order.push_back(col + (k.descending ? " DESC" : " ASC"));
      }
      for (const std::string& g : group_names) order.push_back(g + " ASC");
      if (!order.empty()) s += " ORDER BY " + Join(order, ", ");
      if (q_.limit) s += " LIMIT " + std::to_string(*q_.limit);
    }
    if (!error_.empty()) return Fail(error_, why);
    *sql = s;
    return true;
  }

 private:
  static bool Fail(const std::string& what, std::string* why) {
    *why = what + " on the clickhouse backend (not translated yet)";
    return false;
  }
  static std::string Join(const std::vector<std::string>& parts, const char* sep) {
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
    return out;
  }

  // An inner-query alias for `def`, defined once.
  std::string Define(const std::string& alias, const std::string& def) {
    defs_.emplace(alias, def);
    return alias;
  }

  std::string FirstTime(const query::EventRef& a) {
    if (a.is_created) return "k_created";
    const std::string n = SqlQuote(a.name);
    return "k_T[indexOf(k_E, " + n + ")]";
  }
  std::string LastTime(const query::EventRef& a) {
    if (a.is_created) return "k_created";
    return "k_T[length(k_E) + 1 - indexOf(arrayReverse(k_E), " + SqlQuote(a.name) + ")]";
  }
  // Whether the ticket has the instant FirstTime(a) names (always, for the creation time).
  std::string Has(const query::EventRef& a) { return a.is_created ? "1" : "has(k_E, " + SqlQuote(a.name) + ")"; }

  // The values a dimension carried, per event ('' none), and the sticky /
  // latest machinery over them.
  std::string DimValues(uint32_t id) {
    const std::string d = SqlQuote(names_.ColumnName(id)), n = std::to_string(id);
    const std::string f = Field("d" + n, "arrayFirst((v, k) -> k = " + d + ", dim_values, dim_keys)");
    Define("k_dv" + n, "arrayMap(x -> x." + f + ", k_ev)");
    Define("k_dn" + n, "arrayFilter(v -> v != '', k_dv" + n + ")");
    return n;
  }
  // The durations (seconds) of the ticket's cycles A -> B (query/execution/cycles.h):
  // its A and B events in time order, every A of a millisecond before its
  // B; a B closes a cycle when an A came after the B before it, the cycle
  // starting at the first such A (after a B no cycle is open).
  std::string Cycles(const query::CycleSpec& c) {
    const std::string key = std::to_string(cycles_.emplace(c.a.name + "\n" + c.b.name, cycles_.size()).first->second);
    const std::string ab = Define(
        "k_cy" + key + "ab",
        "arraySort(x -> (x.1, x.2), arrayConcat(arrayMap(t -> (t, 1), arrayFilter((t, e) -> e = " + SqlQuote(c.a.name) +
            ", k_T, k_E)), arrayMap(t -> (t, 2), arrayFilter((t, e) -> e = " + SqlQuote(c.b.name) + ", k_T, k_E))))");
    const std::string t = Define("k_cy" + key + "t", "arrayMap(x -> x.1, " + ab + ")");
    const std::string k = Define("k_cy" + key + "k", "arrayMap(x -> x.2, " + ab + ")");
    const std::string n = Define("k_cy" + key + "n", "arrayCumSum(arrayMap(x -> x = 2, " + k + "))");
    const std::string opener = "arrayFirstIndex((k2, n2) -> k2 = 1 AND n2 = nn - 1, " + k + ", " + n + ")";
    return Define("k_cy" + key, "arrayFilter(d -> d >= 0, arrayMap((tt, kk, nn) -> if(kk = 2 AND " + opener +
                                    " > 0, (tt - " + t + "[" + opener + "]) / 1000, -1), " + t + ", " + k + ", " + n + "))");
  }

  // repeat_within (query/execution/repeat_index.h): per ticket whose
  // dimensions are all non-null, whether another ticket with the same
  // values was created in [created - d, created). A ticket's dimensions and
  // creation come from its shard (GROUP BY ticket); the tickets of one
  // combination, from every shard, meet on the initiator (GROUP BY the
  // dimensions), sorted by creation: a ticket's answer is whether the latest
  // creation strictly before its own is at most d earlier. One row per
  // ticket, a column k_rpjN per repeat_within of the statement; the caller
  // sends it to the shards (GLOBAL JOIN on ticket).
  std::string RepeatAnswers() {
    std::map<std::string, std::string> saved;
    std::vector<std::string> saved_fields;
    std::map<std::string, std::string> saved_field_of;
    saved.swap(defs_);
    saved_fields.swap(fields_);
    saved_field_of.swap(field_of_);
    std::vector<std::string> parts, columns;
    for (size_t r = 0; r < q_.repeats.size(); ++r) {
      const query::RepeatSpec& spec = q_.repeats[r];
      std::vector<std::string> keys, present, names;
      for (size_t d = 0; d < spec.dims.size(); ++d) {
        const std::string n = DimValues(spec.dims[d]);
        keys.push_back("k_dn" + n + "[-1] AS k_rd" + std::to_string(d));
        present.push_back("length(k_dn" + n + ") > 0");
        names.push_back("k_rd" + std::to_string(d));
      }
      if (opt_.scope != nullptr) present.push_back(InScope());
      std::string tickets = "SELECT ticket, k_created, " + Join(keys, ", ") + ", " + TicketArrays(fields_);
      for (const auto& [alias, def] : defs_) tickets += ", " + def + " AS " + alias;
      tickets += " FROM " + EventsTable(config_);
      tickets += RowFilter();
      tickets += " GROUP BY ticket HAVING length(k_ev) > 0 AND " + Join(present, " AND ");
      defs_.clear();
      fields_.clear();
      field_of_.clear();
      const std::string combos =
          "SELECT arraySort(x -> x.1, groupArray((k_created, ticket))) AS k_s, arrayMap(x -> x.1, k_s) AS k_ts, "
          "arrayMap(x -> x.2, k_s) AS k_tk, arrayMap((t, i) -> i = 1 OR t != k_ts[i - 1], k_ts, arrayEnumerate(k_ts)) "
          "AS k_f, arrayCumSum(k_f) AS k_b, arrayFilter((t, f) -> f, k_ts, k_f) AS k_st, arrayMap((t, b) -> b > 1 AND "
          "k_st[b - 1] >= t - " + std::to_string(spec.window_ms) + ", k_ts, k_b) AS k_ok FROM (" + tickets +
          ") GROUP BY " + Join(names, ", ");
      parts.push_back("SELECT k_pair.1 AS ticket, toUInt8(k_pair.2) AS k_ans, toUInt32(" + std::to_string(r) +
                      ") AS k_spec FROM (SELECT arrayJoin(arrayMap((t, a) -> (t, a), k_tk, k_ok)) AS k_pair FROM (" +
                      combos + "))");
      columns.push_back("anyIf(k_ans, k_spec = " + std::to_string(r) + ") AS k_rpj" + std::to_string(r));
    }
    defs_.swap(saved);
    fields_.swap(saved_fields);
    field_of_.swap(saved_field_of);
    std::string all = parts.size() == 1 ? parts[0] : "SELECT * FROM (" + Join(parts, " UNION ALL ") + ")";
    return "SELECT ticket, " + Join(columns, ", ") + " FROM (" + all + ") GROUP BY ticket";
  }

  // The WHERE of the events read: the batches up to `as of`, the tickets asked for.
  std::string RowFilter() const {
    std::vector<std::string> where;
    if (q_.as_of_ms) where.push_back("batch_ms <= " + std::to_string(*q_.as_of_ms));
    if (opt_.tickets != nullptr) {
      std::string listed;
      for (const std::string& t : *opt_.tickets) listed += (listed.empty() ? "" : ", ") + SqlQuote(t);
      where.push_back(listed.empty() ? "0" : "ticket IN (" + listed + ")");
    }
    return where.empty() ? "" : " WHERE " + Join(where, " AND ");
  }

  // The scope's condition on a ticket (query/execution/scope.h): each node
  // an alias holding 1 true, 0 false or 2 null (Kleene logic), a dimension's
  // value its latest non-empty one among the ticket's copies in force; a
  // name that is not a dimension of the cluster is null on every ticket.
  std::string InScope() {
    const query::Scope& scope = *opt_.scope;
    std::vector<std::string> v(scope.nodes().size());
    for (size_t i = 0; i < scope.nodes().size(); ++i) {
      const query::Scope::Node& n = scope.nodes()[i];
      std::string def;
      switch (n.kind) {
        case query::Scope::Node::kAnd:
          def = "multiIf(" + v[n.args[0]] + " = 0 OR " + v[n.args[1]] + " = 0, 0, " + v[n.args[0]] + " = 1 AND " +
                v[n.args[1]] + " = 1, 1, 2)";
          break;
        case query::Scope::Node::kOr:
          def = "multiIf(" + v[n.args[0]] + " = 1 OR " + v[n.args[1]] + " = 1, 1, " + v[n.args[0]] + " = 0 AND " +
                v[n.args[1]] + " = 0, 0, 2)";
          break;
        case query::Scope::Node::kNot: def = "multiIf(" + v[n.args[0]] + " = 2, 2, " + v[n.args[0]] + " = 1, 0, 1)"; break;
        case query::Scope::Node::kIsNull:
        case query::Scope::Node::kIn: {
          const auto info = names_.FindColumn(scope.dims()[n.dim]);
          const bool dim = info && info->kind == storage::ColumnKind::kDimension;
          const std::string yes = n.negated ? "0" : "1", no = n.negated ? "1" : "0";
          if (n.kind == query::Scope::Node::kIsNull) {
            def = dim ? "if(length(k_dn" + DimValues(info->id) + ") = 0, " + yes + ", " + no + ")" : "toUInt8(" + yes + ")";
            break;
          }
          if (!dim) {
            def = "toUInt8(2)";
            break;
          }
          const std::string d = DimValues(info->id);
          std::string listed;
          for (const std::string& value : n.values) listed += (listed.empty() ? "" : ", ") + SqlQuote(value);
          def = "multiIf(length(k_dn" + d + ") = 0, 2, has([" + listed + "], k_dn" + d + "[-1]), " + yes + ", " + no + ")";
          break;
        }
      }
      v[i] = Define("k_sc" + std::to_string(i), def);
    }
    return v.empty() ? "0" : v.back() + " = 1";
  }

  std::string MeasureRows(uint32_t id) {
    const std::string m = SqlQuote(names_.ColumnName(id)), n = std::to_string(id);
    return Define("k_mr" + n, "arrayFilter(x -> isNotNull(x." + MeasureField(id) + "), k_ev)");
  }
  // The tuple field of measure `id`: its value on the row, NULL when the row has none.
  std::string MeasureField(uint32_t id) {
    const std::string m = SqlQuote(names_.ColumnName(id));
    return Field("m" + std::to_string(id), "if(has(measure_keys, " + m + "), arrayFirst((v, k) -> k = " + m +
                                                 ", measure_values, measure_keys), NULL)");
  }
  // The tuple field (its number, as text) of a row value `expr` named `key`.
  std::string Field(const std::string& key, const std::string& expr) {
    auto [it, inserted] = field_of_.emplace(key, std::to_string(9 + fields_.size()));
    if (inserted) fields_.push_back(expr);
    return it->second;
  }
  std::string MeasureOf(const std::string& row, uint32_t id) { return "assumeNotNull(" + row + "." + MeasureField(id) + ")"; }

  std::string Column(const BoundExpr* e) {
    switch (e->column) {
      case ColumnRef::kTicket: return "ticket";
      case ColumnRef::kCreated: return "k_created";
      case ColumnRef::kTime: return "k_T[k_i]";
      case ColumnRef::kEvent: return "k_E[k_i]";
      case ColumnRef::kAgent: return "nullIf(k_A[k_i], '')";
      case ColumnRef::kDim: {
        const std::string n = DimValues(e->column_id);
        if (!events_) return "if(length(k_dn" + n + ") > 0, k_dn" + n + "[-1], NULL)";
        Define("k_dc" + n, "arrayCumSum(arrayMap(v -> v != '', k_dv" + n + "))");
        return "if(k_dc" + n + "[k_i] > 0, k_dn" + n + "[k_dc" + n + "[k_i]], NULL)";
      }
      case ColumnRef::kMeasure: {
        if (events_) {
          return "k_ev[k_i]." + MeasureField(e->column_id);
        }
        const std::string rows = MeasureRows(e->column_id);
        return "if(length(" + rows + ") > 0, " + MeasureOf(rows + "[-1]", e->column_id) + ", NULL)";
      }
    }
    return "NULL";
  }

  std::string TicketFunction(const BoundExpr* e) {
    if (events_) {
      error_ = "per-ticket functions on `from events`";
      return "NULL";
    }
    const query::EventRef& a = e->a;
    const std::string an = SqlQuote(a.name), bn = SqlQuote(e->b.name);
    switch (e->fn) {
      // has(created) looks at actual created events (a ticket without one
      // still has a creation time, which Has() is about).
      case TicketFn::kHas: return "has(k_E, " + an + ")";
      case TicketFn::kCountOf: return "arrayCount(e -> e = " + an + ", k_E)";
      case TicketFn::kCountBefore: {
        const std::string tb = FirstTime(e->b);
        return "if(" + Has(e->b) + ", arrayCount((t, e) -> e = " + an + " AND t < " + tb +
               ", k_T, k_E), arrayCount(e -> e = " + an + ", k_E))";
      }
      case TicketFn::kFirst: return "if(" + Has(a) + ", " + FirstTime(a) + ", NULL)";
      case TicketFn::kLast: return "if(" + Has(a) + ", " + LastTime(a) + ", NULL)";
      case TicketFn::kAgentOf: return "if(" + Has(a) + ", nullIf(k_A[indexOf(k_E, " + an + ")], ''), NULL)";
      case TicketFn::kTotal: {
        const std::string rows = MeasureRows(e->column_id);
        const std::string m = SqlQuote(names_.ColumnName(e->column_id));
        return "if(length(" + rows + ") > 0, arraySum(arrayMap(x -> " + MeasureOf("x", e->column_id) + ", " + rows + ")), NULL)";
      }
      case TicketFn::kDuration: {
        const std::string ta = FirstTime(a);
        std::string tb, has_b;
        if (e->b.is_created) {
          tb = "k_created";
          has_b = "k_created >= " + ta;
        } else {
          const std::string pred = "(t, e) -> e = " + bn + " AND t >= " + ta;
          tb = "arrayFirst(" + pred + ", k_T, k_E)";
          has_b = "arrayExists(" + pred + ", k_T, k_E)";
        }
        const std::string span = e->clock ? OpenSpan(e->clock, ta, tb) : "(" + tb + " - " + ta + ")";
        return "if(" + Has(a) + " AND " + has_b + ", " + span + " / 1000, NULL)";
      }
      case TicketFn::kRepeatWithin: {
        // The answer computed across shards (RepeatAnswers), joined to the
        // ticket's events; null when a dimension is.
        std::vector<std::string> present;
        for (uint32_t d : e->dims) present.push_back("length(k_dn" + DimValues(d) + ") > 0");
        const std::string r = std::to_string(e->repeat);
        return "if(" + Join(present, " AND ") + ", " + Define("k_rp" + r, "any(k_rpj" + r + ")") + ", NULL)";
      }
    }
    return "NULL";
  }

  // Open ms of [ta, tb] in a calendar (clickhouse/sql_calendar.h).
  std::string OpenSpan(const query::BusinessClock* clock, const std::string& ta, const std::string& tb) {
    size_t c = 0;
    while (c < q_.clocks.size() && q_.clocks[c].get() != clock) ++c;
    CalendarArrays arrays;
    if (!opt_.event_times || !CalendarArraysFor(*clock, opt_.event_times->first, opt_.event_times->second, &arrays)) {
      error_ = "durations `in` a calendar outside the years 1970-2199";
      return "0";
    }
    if (arrays.starts.empty()) return "toInt64(0)";  // never open while there are events
    const std::string n = std::to_string(c);
    const std::string s = Define("k_cs" + n, arrays.starts), e = Define("k_ce" + n, arrays.ends),
                      p = Define("k_cp" + n, arrays.open_before);
    auto before = [&](const std::string& t) {
      const std::string i = Define("k_ci" + std::to_string(defs_.size()), OpenIntervalIndexSql(s, t));
      return OpenMsBeforeSql(s, e, p, i, t);
    };
    return "(" + before(tb) + " - " + before(ta) + ")";
  }

  static std::string Const(const query::Value& v) {
    switch (v.type) {
      case ValueType::kNull: return "NULL";
      case ValueType::kBool: return v.boolean ? "1" : "0";
      case ValueType::kNumber:
      case ValueType::kDuration: return Num(v.number);
      case ValueType::kTime: return "toInt64(" + std::to_string(v.time_ms) + ")";
      case ValueType::kString: return SqlQuote(v.text);
    }
    return "NULL";
  }

  // Operators, shared by both contexts; `sub` translates an operand.
  template <typename Sub>
  std::string Operator(const BoundExpr* e, Sub sub) {
    switch (e->kind) {
      case BoundKind::kConst: return Const(e->value);
      case BoundKind::kUnary: {
        const std::string x = sub(e->args[0]);
        if (e->op == Op::kNot) return "if(isNull(" + x + "), NULL, " + x + " = 0)";
        return "(-" + x + ")";
      }
      case BoundKind::kBinary: return Binary(e, sub(e->args[0]), sub(e->args[1]));
      case BoundKind::kIn: {
        const std::string x = sub(e->args[0]);
        std::vector<std::string> eq;
        for (size_t i = 1; i < e->args.size(); ++i)
          if (e->args[i]->kind != BoundKind::kConst || !e->args[i]->value.is_null()) eq.push_back(x + " = " + sub(e->args[i]));
        const std::string any = eq.empty() ? "0" : "ifNull(" + Join(eq, " OR ") + ", 0)";
        const std::string miss = e->list_has_null ? "NULL" : "0";
        const std::string in = "multiIf(isNull(" + x + "), NULL, " + any + ", 1, " + miss + ")";
        return e->negated ? "if(isNull(" + in + "), NULL, " + in + " = 0)" : in;
      }
      case BoundKind::kScalar: return Scalar(e, sub);
      default: break;
    }
    error_ = "this expression";
    return "NULL";
  }

  std::string Binary(const BoundExpr* e, const std::string& a, const std::string& b) {
    const ValueType ta = e->args[0]->type, tb = e->args[1]->type;
    switch (e->op) {
      case Op::kAnd:
        return "multiIf(ifNull(" + a + " = 0, 0) OR ifNull(" + b + " = 0, 0), 0, isNull(" + a + ") OR isNull(" + b +
               "), NULL, 1)";
      case Op::kOr:
        return "multiIf(ifNull(" + a + " = 1, 0) OR ifNull(" + b + " = 1, 0), 1, isNull(" + a + ") OR isNull(" + b +
               "), NULL, 0)";
      case Op::kEq: return "(" + a + " = " + b + ")";
      case Op::kNe: return "(" + a + " != " + b + ")";
      case Op::kLt: return "(" + a + " < " + b + ")";
      case Op::kLe: return "(" + a + " <= " + b + ")";
      case Op::kGt: return "(" + a + " > " + b + ")";
      case Op::kGe: return "(" + a + " >= " + b + ")";
      case Op::kAdd:
      case Op::kSub: {
        const char* op = e->op == Op::kAdd ? " + " : " - ";
        if (ta == ValueType::kTime && tb == ValueType::kTime) return "((" + a + " - " + b + ") / 1000)";
        if (ta == ValueType::kTime) return "(" + a + op + "toInt64(round(" + b + " * 1000)))";
        if (tb == ValueType::kTime) return "(toInt64(round(" + a + " * 1000))" + op + b + ")";
        return "(" + a + op + b + ")";
      }
      case Op::kMul: return "(" + a + " * " + b + ")";
      case Op::kDiv: return "if(" + b + " = 0, NULL, " + a + " / " + b + ")";
      default: break;
    }
    error_ = "this operator";
    return "NULL";
  }

  // least / greatest skip nulls (null only when every argument is): each
  // argument becomes coalesce(itself, the others...).
  static std::vector<std::string> SkipNulls(const std::vector<std::string>& args) {
    std::vector<std::string> out;
    for (size_t i = 0; i < args.size(); ++i) {
      std::vector<std::string> order = {args[i]};
      for (size_t j = 0; j < args.size(); ++j)
        if (j != i) order.push_back(args[j]);
      out.push_back("coalesce(" + Join(order, ", ") + ")");
    }
    return out;
  }

  // 18.16 has no common type of Int64 and Float64 (case, coalesce, least):
  // numbers and durations are Float64 in these functions.
  static std::string Typed(const BoundExpr* e, const std::string& x) {
    if (e->type == ValueType::kNumber || e->type == ValueType::kDuration) return "toFloat64(" + x + ")";
    return x;
  }
  // 18.16's least / greatest take two arguments.
  static std::string Pairwise(const char* fn, const std::vector<std::string>& args) {
    std::string out = args.back();
    for (size_t i = args.size() - 1; i-- > 0;) out = std::string(fn) + "(" + args[i] + ", " + out + ")";
    return out;
  }

  template <typename Sub>
  std::string Scalar(const BoundExpr* e, Sub sub) {
    std::vector<std::string> args, typed;
    for (const BoundExpr* x : e->args) args.push_back(sub(x));
    for (const std::string& x : args) typed.push_back(Typed(e, x));
    switch (e->scalar) {
      case query::ScalarFn::kCase: {
        std::vector<std::string> parts;
        const size_t pairs = (args.size() - (e->has_else ? 1 : 0)) / 2;
        for (size_t i = 0; i < pairs; ++i) parts.push_back("ifNull(" + args[2 * i] + ", 0) = 1, " + typed[2 * i + 1]);
        parts.push_back(e->has_else ? typed.back() : "NULL");
        return "multiIf(" + Join(parts, ", ") + ")";
      }
      case query::ScalarFn::kIsNull: return "isNull(" + args[0] + ")";
      case query::ScalarFn::kIsNotNull: return "isNotNull(" + args[0] + ")";
      case query::ScalarFn::kCoalesce: return "coalesce(" + Join(typed, ", ") + ")";
      case query::ScalarFn::kLeast: return Pairwise("least", SkipNulls(typed));
      case query::ScalarFn::kGreatest: return Pairwise("greatest", SkipNulls(typed));
      case query::ScalarFn::kAbs: return "abs(" + args[0] + ")";
      case query::ScalarFn::kRound: {
        const std::string scale = Num(std::pow(10.0, e->digits));
        // Half away from zero (18.16 has no sign()).
        return "(if(" + args[0] + " < 0, -1, 1) * floor(abs(" + args[0] + ") * " + scale + " + 0.5) / " + scale + ")";
      }
    }
    return "NULL";
  }

  // Row context: an alias per bound node (shared subexpressions once).
  std::string Row(const BoundExpr* e) {
    if (e->id >= 0) {
      const std::string alias = "k_n" + std::to_string(e->id);
      if (defs_.count(alias)) return alias;
      const std::string def = RowInline(e);
      return Define(alias, def);
    }
    return RowInline(e);
  }
  std::string RowInline(const BoundExpr* e) {
    switch (e->kind) {
      case BoundKind::kColumn: return Column(e);
      case BoundKind::kTicketFn: return TicketFunction(e);
      case BoundKind::kJoinColumn: return JoinColumn(e);
      case BoundKind::kGroupKey: return "k_c" + std::to_string(e->index);  // a nested select's inner column
      default: return Operator(e, [this](const BoundExpr* x) { return Row(x); });
    }
  }

  // `TABLE.column` of a joined lookup table, the table inlined (clickhouse/sql_lookup.h).
  std::string JoinColumn(const BoundExpr* e) {
    const query::LookupTable& t = *q_.joins[static_cast<size_t>(e->index)].table;
    if (t.rows == 0) return "NULL";
    const std::string j = std::to_string(e->index), c = j + "_" + std::to_string(e->column_id);
    const std::string keys = Define("k_jk" + j, LookupKeys(t));
    const std::string row = Define("k_jr" + j, LookupIndex(t, keys, Row(e->args[0]), e->args[0]->type));
    std::string missing = row + " = 0";
    const std::string nulls = LookupNulls(t, e->column_id);
    if (!nulls.empty()) missing += " OR " + Define("k_jn" + c, nulls) + "[" + row + "] = 1";
    return "if(" + missing + ", NULL, " + Define("k_jv" + c, LookupValues(t, e->column_id)) + "[" + row + "])";
  }

  // Group context: over the inner query's columns.
  std::string Group(const BoundExpr* e) {
    switch (e->kind) {
      case BoundKind::kAggregate: return Aggregate(static_cast<size_t>(e->index));
      case BoundKind::kGroupKey: return "k_g" + std::to_string(e->index);
      case BoundKind::kItemRef: return Group(q_.items[static_cast<size_t>(e->index)].expr);
      default: return Operator(e, [this](const BoundExpr* x) { return Group(x); });
    }
  }

  // An aggregate over the row query's argument columns; over cycles each
  // row holds an array (a ticket's cycles), folded with the -Array forms.
  std::string Aggregate(size_t a) {
    const query::AggregateSpec& spec = q_.aggregates[a];
    const bool over = spec.cycles.has_value();
    auto arg = [a](size_t i) { return "k_a" + std::to_string(a) + "_" + std::to_string(i); };
    auto fold = [&](const std::string& fn, size_t i) { return fn + (over ? "Array(" : "(") + arg(i) + ")"; };
    auto present = [&](size_t i) {  // non-null values
      return over ? "sum(arrayCount(v -> isNotNull(v), " + arg(i) + "))" : "count(" + arg(i) + ")";
    };
    // Sums are of the values sorted, compensated: rows reach the initiator
    // from the shards in any order, and a plain float sum would differ in
    // the last bits between runs (an answer's result_hash must not).
    // NULL without values, as sum() over no values.
    auto sum = [&](size_t i) {
      return "if(" + present(i) + " = 0, NULL, arrayReduce('sumKahan', arraySort(" + fold("groupArray", i) + ")))";
    };
    const std::string& n = spec.name;
    if (n == "count") return spec.args.empty() ? "count()" : present(0);
    if (n == "min" || n == "max") return "if(" + present(0) + " = 0, NULL, " + fold(n, 0) + ")";
    if (n == "sum") return sum(0);
    if (n == "avg") return sum(0) + " / " + present(0);
    if (n == "distinct") return "ifNull(" + fold("uniqExact", 0) + ", 0)";
    if (n == "rate") {
      const std::string trues =
          over ? "sum(arrayCount(v -> ifNull(v, 0) = 1, " + arg(0) + "))" : "countIf(ifNull(" + arg(0) + ", 0) = 1)";
      return "if(" + present(0) + " = 0, NULL, " + trues + " / " + present(0) + ")";
    }
    if (n == "ratio") return "if(" + sum(1) + " = 0, NULL, " + sum(0) + " / " + sum(1) + ")";
    if (spec.family != nullptr && (n == "percentile" || n[0] == 'p')) {
      const std::string s = "arraySort(" + fold("groupArray", 0) + ")";
      const std::string pos = "(" + Num(spec.param) + " * (length(" + s + ") - 1))";
      const std::string lo = "toUInt64(floor(" + pos + "))";
      const std::string v0 = s + "[" + lo + " + 1]";
      const std::string v1 = s + "[least(" + lo + " + 2, length(" + s + "))]";
      return "if(length(" + s + ") = 0, NULL, " + v0 + " + (" + v1 + " - " + v0 + ") * (" + pos + " - floor(" + pos + ")))";
    }
    error_ = "the aggregate " + n + "()";
    return "NULL";
  }

  bool Bucket(const query::GroupKey& key, const std::string& place, std::string* out) const {
    const std::string tz = SqlQuote(q_.tz_name);
    const std::string t = "toDateTime(intDiv(" + place + ", 1000), " + tz + ")";
    std::string start;
    switch (key.unit) {
      case query::BucketUnit::kHour: start = "toStartOfHour(" + t + ")"; break;
      case query::BucketUnit::kDay: start = "toStartOfDay(" + t + ")"; break;
      case query::BucketUnit::kWeek: start = "toDateTime(toMonday(" + t + "), " + tz + ")"; break;
      case query::BucketUnit::kMonth: start = "toDateTime(toStartOfMonth(" + t + "), " + tz + ")"; break;
      case query::BucketUnit::kQuarter: start = "toDateTime(toStartOfQuarter(" + t + "), " + tz + ")"; break;
      case query::BucketUnit::kYear: start = "toDateTime(toStartOfYear(" + t + "), " + tz + ")"; break;
      case query::BucketUnit::kMinute:
      case query::BucketUnit::kStep: {
        // Whole steps of elapsed time from the local midnight (a 23- or
        // 25-hour day has 23 or 25 hours of steps).
        const std::string step = std::to_string(key.unit == query::BucketUnit::kMinute ? 60'000 : key.step_ms);
        const std::string midnight = "(toInt64(toUnixTimestamp(toStartOfDay(" + t + "))) * 1000)";
        *out = "(" + midnight + " + intDiv(" + place + " - " + midnight + ", " + step + ") * " + step + ")";
        return key.unit == query::BucketUnit::kMinute || key.step_ms > 0;
      }
      case query::BucketUnit::kHourOfDay: *out = "toHour(" + t + ")"; return true;
      case query::BucketUnit::kWeekday: *out = "toDayOfWeek(" + t + ")"; return true;
    }
    *out = "toInt64(toUnixTimestamp(" + start + ")) * 1000";
    return true;
  }

  const query::BoundQuery& q_;
  const Names& names_;
  const Config& config_;
  const TranslateOptions& opt_;
  const bool events_;
  std::map<std::string, std::string> defs_;  // alias -> definition (inner query)
  std::vector<std::string> fields_;          // the rows' tuple fields past the eighth (TicketArrays)
  std::map<std::string, std::string> field_of_;  // "d<id>" / "m<id>" -> its field number
  std::map<std::string, size_t> cycles_;     // "A\nB" -> its number in cycle aliases
  std::string error_;
};

}  // namespace

std::vector<std::string> AnswerColumns(const query::BoundQuery& q) {
  std::vector<std::string> out;
  for (size_t g = 0; g < q.groups.size(); ++g) out.push_back("k_g" + std::to_string(g));
  for (size_t i = 0; i < q.items.size(); ++i) out.push_back("k_o" + std::to_string(i));
  return out;
}

bool TranslateSelect(const query::BoundQuery& q, const Names& names, const Config& config,
                     const TranslateOptions& options, std::string* sql, std::string* unsupported) {
  Translator t(q, names, config, options);
  return t.Run(sql, unsupported);
}

}  // namespace kpi::clickhouse
