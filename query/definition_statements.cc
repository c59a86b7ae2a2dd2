#include "query/definition_statements.h"

#include <algorithm>
#include <set>
#include <variant>

#include "query/aggregates/aggregate.h"
#include "query/catalog/definition_store.h"
#include "query/catalog/table_store.h"
#include "query/kpi_store.h"
#include "query/binder/kpi_columns.h"
#include "query/binder/suggest.h"
#include "query/time_buckets.h"
#include "query/watch/watch_definition.h"
#include "query/watch/watch_runs.h"
#include "query/watch/watch_show.h"

namespace kpi::query {

namespace {

// Names a KPI may not take: it would hide a column or a function.
std::string ShadowedName(const std::string& name, const Schema& catalog) {
  const auto& builtin = BuiltinColumnNames();
  if (std::find(builtin.begin(), builtin.end(), name) != builtin.end()) return "the column '" + name + "'";
  if (catalog.FindColumn(name)) return "the column '" + name + "'";
  if (FindAggregate(name)) return "the aggregate " + name + "()";
  const auto& tf = TicketFunctionNames();
  if (std::find(tf.begin(), tf.end(), name) != tf.end() || FindScalarFunction(name))
    return "the function " + name + "()";
  BucketUnit unit;
  if (ParseBucketUnit(name, &unit)) return "the time bucket '" + name + "'";
  if (name == "events" || name == "tickets") return "the source '" + name + "'";
  return "";
}

// First problem in a KPI expression: an unknown function, or a reference
// back to `self` through other KPIs.
bool CheckKpiExpr(const ast::Expr& e, const std::string& self, const KpiMap& kpis, std::set<std::string>* visiting,
                  int depth, ast::SourcePos* pos, std::string* why) {
  if (depth > 64) {
    *pos = e.pos;
    *why = "kpi definitions nest too deep";
    return false;
  }
  if (e.kind == ast::ExprKind::kCall) {
    const auto& tf = TicketFunctionNames();
    if (!FindAggregate(e.text) && std::find(tf.begin(), tf.end(), e.text) == tf.end() &&
        !FindScalarFunction(e.text) && e.text != "cycles") {
      std::vector<std::string> names = AggregateNames();
      names.insert(names.end(), tf.begin(), tf.end());
      for (const std::string& f : ScalarFunctionNames()) names.push_back(f);
      *pos = e.pos;
      *why = "unknown function '" + e.text + "'" + DidYouMean(e.text, names);
      return false;
    }
  }
  if (e.kind == ast::ExprKind::kColumn) {
    if (e.text == self) {
      *pos = e.pos;
      *why = "kpi '" + self + "' would refer to itself";
      return false;
    }
    auto it = kpis.find(e.text);
    if (it != kpis.end() && it->second.expr && visiting->insert(e.text).second) {
      ast::SourcePos inner;
      if (!CheckKpiExpr(*it->second.expr, self, kpis, visiting, depth + 1, &inner, why)) {
        *pos = e.pos;
        *why = "through kpi '" + e.text + "': " + *why;
        return false;
      }
    }
  }
  for (const ast::ExprPtr& a : e.args)
    if (a && !CheckKpiExpr(*a, self, kpis, visiting, depth + 1, pos, why)) return false;
  return true;
}

std::string Trimmed(std::string_view text) {
  while (!text.empty() && (text.back() == ';' || text.back() == ' ' || text.back() == '\n' || text.back() == '\t' ||
                           text.back() == '\r'))
    text.remove_suffix(1);
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\t' || text.front() == '\r'))
    text.remove_prefix(1);
  return std::string(text);
}

class DefinitionRun {
 public:
  DefinitionRun(const MetaWriter& store, const Schema& schema, std::string_view text, Result* out,
                DefinitionError* error, const std::string* viewer)
      : store_(store), schema_(schema), text_(Trimmed(text)), out_(out), error_(error), viewer_(viewer) {}

  Status Denied(const ast::SourcePos& pos, const std::string& message) {
    Fail(pos, message);
    return Status::PermissionDenied(message);
  }

  // The visible KPIs (every KPI for an unscoped token).
  Status VisibleKpis(KpiMap* kpis) {
    DefinitionMap stored;
    KPI_RETURN_IF_ERROR(LoadDefinitions(store_, DefinitionKind::kKpi, &stored));
    KeepVisible(&stored, viewer_);
    return ToKpis(stored, kpis, nullptr);
  }

  // Whether this token may (re)define `name` of `kind`; on success *owner is
  // the owner the definition gets and *existed whether it is a redefinition.
  Status MayDefine(DefinitionKind kind, const std::string& name, const ast::SourcePos& pos, std::string* owner,
                   bool* existed) {
    DefinitionMap all;
    KPI_RETURN_IF_ERROR(LoadDefinitions(store_, kind, &all));
    auto it = all.find(name);
    *existed = it != all.end();
    if (viewer_ == nullptr) {  // unscoped: a redefinition keeps its owner
      *owner = *existed ? it->second.owner : "";
      return Status::OK();
    }
    *owner = *viewer_;
    if (!*existed || it->second.owner == *viewer_) return Status::OK();
    const std::string what = std::string(DefinitionKindName(kind)) + " '" + name + "'";
    if (it->second.owner.empty())
      return Denied(pos, what + " is shared by every scope: this token is scoped (" + *viewer_ +
                             ") and may change only its scope's own definitions; choose another name");
    return Denied(pos, "the name of " + what + " is taken by another scope's definition; choose another name");
  }

  // Whether this token may drop the visible definition `def`.
  Status MayDrop(const StoredDefinition& def, const ast::SourcePos& pos) {
    if (viewer_ == nullptr || def.owner == *viewer_) return Status::OK();
    return Denied(pos, std::string(DefinitionKindName(def.kind)) + " '" + def.name +
                           "' is shared by every scope: this token is scoped (" + *viewer_ +
                           ") and may drop only its scope's own definitions");
  }

  Status Fail(const ast::SourcePos& pos, const std::string& message, bool not_found = false) {
    error_->pos = pos;
    error_->message = message;
    const std::string where = "line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column) + ": ";
    return not_found ? Status::NotFound(where + message) : Status::InvalidArgument(where + message);
  }
  Status Fail(const DefinitionError& e) { return Fail(e.pos, e.message); }

  Status Run(const ast::DefineKpi& d) {
    if (d.expr == nullptr) return Fail(d.pos, "kpi '" + d.name + "' has no expression");
    const std::string shadow = ShadowedName(d.name, schema_);
    if (!shadow.empty()) return Fail(d.pos, "kpi name '" + d.name + "' would hide " + shadow + "; choose another name");
    std::string owner;
    bool existed = false;
    KPI_RETURN_IF_ERROR(MayDefine(DefinitionKind::kKpi, d.name, d.pos, &owner, &existed));
    KpiMap kpis;
    KPI_RETURN_IF_ERROR(VisibleKpis(&kpis));
    std::set<std::string> visiting;
    ast::SourcePos pos;
    std::string why;
    if (!CheckKpiExpr(*d.expr, d.name, kpis, &visiting, 0, &pos, &why)) return Fail(pos, why);
    if (BindError unknown; KpiNamesUnknownColumn(*d.expr, kpis, schema_, &unknown))
      return Fail(unknown.pos, "kpi '" + d.name + "': " + unknown.message);
    const std::string expr_text = d.expr_text.empty() ? ast::ToString(*d.expr) : d.expr_text;
    KPI_RETURN_IF_ERROR(SaveKpi(store_, d.name, expr_text, store_.NowMs(), owner));
    out_->message = "kpi " + d.name + (existed ? " redefined" : " defined");
    return Status::OK();
  }

  Status Run(const ast::DefineCalendar& d) {
    CalendarDefinition c;
    DefinitionError e;
    ast::DefineCalendar copy = d;
    copy.text = text_;
    if (!ReadCalendar(copy, &c, &e)) return Fail(e);
    return Save(DefinitionKind::kCalendar, d.name.name, "calendar " + d.name.name, d.name.pos);
  }

  Status Run(const ast::DefineTarget& d) {
    KpiMap kpis;
    KPI_RETURN_IF_ERROR(VisibleKpis(&kpis));
    TargetRule t;
    DefinitionError e;
    if (!ReadTarget(d, kpis, &t, &e)) return Fail(e);
    if (!CheckDimensions(t.where, d.where, schema_, &e)) return Fail(e);
    return Save(DefinitionKind::kTarget, t.key, "target " + t.key, d.kpi.pos);
  }

  Status Run(const ast::DefineExemption& d) {
    KpiMap kpis;
    KPI_RETURN_IF_ERROR(VisibleKpis(&kpis));
    Exemption x;
    DefinitionError e;
    if (!ReadExemption(d, kpis, &x, &e)) return Fail(e);
    if (!CheckDimensions(x.match, d.where, schema_, &e)) return Fail(e);
    // "Most lenient" needs one direction: every relaxation of a KPI loosens
    // it the same way (a lower bound with >= / >, or an upper bound with <= / <).
    // Checked against every exemption, other scopes' too (an unscoped
    // evaluate applies them all), naming only those this token sees.
    LoadedDefinitions current;
    KPI_RETURN_IF_ERROR(LoadAllDefinitions(store_, std::nullopt, &current));
    DefinitionMap visible;
    KPI_RETURN_IF_ERROR(LoadDefinitions(store_, DefinitionKind::kExemption, &visible));
    KeepVisible(&visible, viewer_);
    auto upper = [](const std::string& op) { return op == "<=" || op == "<"; };
    for (size_t i = 0; i < x.relax.size(); ++i)
      for (const Exemption& other : current.exemptions) {
        if (other.name == x.name) continue;
        const std::string who =
            visible.count(other.name) ? "exemption '" + other.name + "'" : std::string("another scope's exemption");
        for (const Relaxation& r : other.relax)
          if (r.kpi == x.relax[i].kpi && upper(r.op) != upper(x.relax[i].op))
            return Fail(d.relax[i].kpi.pos, who + " relaxes kpi '" + r.kpi + "' with " + r.op + ", this one with " +
                                                x.relax[i].op + ": relaxations of one kpi must bound it the same way");
      }
    return Save(DefinitionKind::kExemption, x.name, "exemption " + x.name, d.name.pos);
  }

  Status Run(const ast::DefineScorecard& d) {
    KpiMap kpis;
    KPI_RETURN_IF_ERROR(VisibleKpis(&kpis));
    Scorecard s;
    DefinitionError e;
    if (!ReadScorecard(d, kpis, &s, &e)) return Fail(e);
    return Save(DefinitionKind::kScorecard, s.name, "scorecard " + s.name, d.name.pos);
  }

  // The watched statement was bound by the engine (query/engine.cc) before this.
  Status Run(const ast::DefineWatch& d) {
    WatchDefinition w;
    DefinitionError e;
    ast::DefineWatch copy = d;
    copy.text = text_;
    if (!ReadWatch(copy, &w, &e)) return Fail(e);
    return Save(DefinitionKind::kWatch, w.name, "watch " + w.name, d.name.pos);
  }

  Status Run(const ast::ShowKpis& s) {
    if (s.kind == "watch") return ShowWatches(store_, viewer_, out_);
    if (s.kind == "alert") return ShowAlerts(store_, viewer_, out_);
    out_->columns = {ResultColumn{"name", ValueType::kString}, ResultColumn{"definition", ValueType::kString},
                     ResultColumn{"defined_at", ValueType::kTime}};
    DefinitionKind kind = DefinitionKind::kKpi;
    for (DefinitionKind k : kAllDefinitionKinds)
      if (s.kind == DefinitionKindName(k)) kind = k;
    if (kind == DefinitionKind::kKpi) {
      out_->columns[1].name = "expression";
      KpiMap kpis;
      KPI_RETURN_IF_ERROR(VisibleKpis(&kpis));
      for (const auto& [name, def] : kpis)
        out_->rows.push_back({Value::String(name), Value::String(def.text), Value::Time(def.defined_at_ms)});
    } else {
      DefinitionMap defs;
      KPI_RETURN_IF_ERROR(LoadDefinitions(store_, kind, &defs));
      KeepVisible(&defs, viewer_);
      for (const auto& [name, def] : defs)
        out_->rows.push_back({Value::String(name), Value::String(def.text), Value::Time(def.defined_at_ms)});
    }
    // Listed as stored; those that no longer read say so.
    if (kind == DefinitionKind::kCalendar || kind == DefinitionKind::kTarget || kind == DefinitionKind::kExemption ||
        kind == DefinitionKind::kScorecard) {
      LoadedDefinitions loaded;
      KPI_RETURN_IF_ERROR(LoadAllDefinitions(store_, std::nullopt, &loaded, viewer_));
      for (const UnreadableDefinition& u : loaded.unreadable)
        if (u.kind == s.kind) out_->warnings.push_back(u.Describe());
    }
    const size_t n = out_->rows.size();
    out_->message = std::to_string(n) + " " + s.kind + (n == 1 ? "" : "s");
    return Status::OK();
  }

  Status Run(const ast::DropKpi& d) {
    KpiMap kpis;
    KPI_RETURN_IF_ERROR(VisibleKpis(&kpis));
    if (!kpis.count(d.name)) {
      std::string value;
      // An entry that does not decode: only an unscoped token may drop it.
      if (viewer_ != nullptr || store_.GetMeta(kKpiNamespace, d.name, &value).code() == Status::Code::kNotFound) {
        std::vector<std::string> names;
        for (const auto& [name, def] : kpis) names.push_back(name);
        return Fail(d.pos, "unknown kpi '" + d.name + "'" + DidYouMean(d.name, names), true);
      }
    }
    if (viewer_ != nullptr) {
      DefinitionMap stored;
      KPI_RETURN_IF_ERROR(LoadDefinitions(store_, DefinitionKind::kKpi, &stored));
      auto it = stored.find(d.name);
      if (it == stored.end()) return Fail(d.pos, "unknown kpi '" + d.name + "'", true);
      KPI_RETURN_IF_ERROR(MayDrop(it->second, d.pos));
    }
    KPI_RETURN_IF_ERROR(DropKpi(store_, d.name, store_.NowMs()));
    out_->message = "kpi " + d.name + " dropped";
    return Status::OK();
  }

  Status Run(const ast::DropNamed& d) {
    DefinitionKind kind = DefinitionKind::kTable;
    for (DefinitionKind k : kAllDefinitionKinds)
      if (d.kind == DefinitionKindName(k)) kind = k;
    KPI_RETURN_IF_ERROR(CheckExists(kind, d.name.name, d.name.pos));
    if (kind == DefinitionKind::kTable) {
      KPI_RETURN_IF_ERROR(DropTable(store_, d.name.name, store_.NowMs()));
    } else if (kind == DefinitionKind::kWatch) {
      // Its run history, state and alerts go with it, in the same write.
      std::vector<MetaWrite> forget;
      KPI_RETURN_IF_ERROR(ForgetWatchWrites(store_, d.name.name, &forget));
      KPI_RETURN_IF_ERROR(DropDefinition(store_, kind, d.name.name, store_.NowMs(), std::move(forget)));
    } else {
      KPI_RETURN_IF_ERROR(DropDefinition(store_, kind, d.name.name, store_.NowMs()));
    }
    out_->message = d.kind + " " + d.name.name + " dropped";
    return Status::OK();
  }

  Status Run(const ast::DropTarget& d) {
    std::string key;
    DefinitionError e;
    if (!TargetKey(d.kpi, d.where, &key, &e)) return Fail(e);
    KPI_RETURN_IF_ERROR(CheckExists(DefinitionKind::kTarget, key, d.kpi.pos));
    KPI_RETURN_IF_ERROR(DropDefinition(store_, DefinitionKind::kTarget, key, store_.NowMs()));
    out_->message = "target " + key + " dropped";
    return Status::OK();
  }

 private:
  Status Save(DefinitionKind kind, const std::string& name, const std::string& what, const ast::SourcePos& pos) {
    std::string owner;
    bool existed = false;
    KPI_RETURN_IF_ERROR(MayDefine(kind, name, pos, &owner, &existed));
    KPI_RETURN_IF_ERROR(SaveDefinition(store_, kind, name, text_, store_.NowMs(), {}, owner));
    out_->message = what + (existed ? " redefined" : " defined");
    return Status::OK();
  }

  Status CheckExists(DefinitionKind kind, const std::string& name, const ast::SourcePos& pos) {
    DefinitionMap defs;
    KPI_RETURN_IF_ERROR(LoadDefinitions(store_, kind, &defs));
    KeepVisible(&defs, viewer_);  // another scope's definition is as if absent
    if (auto it = defs.find(name); it != defs.end()) return MayDrop(it->second, pos);
    std::vector<std::string> names;
    for (const auto& [n, def] : defs) names.push_back(n);
    return Fail(pos, std::string("unknown ") + DefinitionKindName(kind) + " '" + name + "'" + DidYouMean(name, names),
                true);
  }

  const MetaWriter& store_;
  const Schema& schema_;
  std::string text_;
  Result* out_;
  DefinitionError* error_;
  const std::string* viewer_;
};

}  // namespace

namespace {

// A dimension a target or relaxation may name: a column of the store, a
// built-in column, a joined table's column (TABLE.column) or agent_of(...).
bool KnownDimension(const std::string& dim, const Schema& catalog) {
  if (dim.find('.') != std::string::npos || dim.rfind("agent_of(", 0) == 0) return true;
  const auto& builtin = BuiltinColumnNames();
  if (std::find(builtin.begin(), builtin.end(), dim) != builtin.end()) return true;
  BucketUnit unit;
  return catalog.FindColumn(dim).has_value() || ParseBucketUnit(dim, &unit);
}

}  // namespace

bool CheckDimensions(const std::vector<GroupMatch>& where, const ast::ExprPtr& expr, const Schema& catalog,
                     DefinitionError* error) {
  for (const GroupMatch& m : where) {
    if (KnownDimension(m.dim, catalog)) continue;
    std::vector<std::string> names;
    for (const storage::ColumnInfo& c : catalog.Columns()) names.push_back(c.name);
    error->pos = expr ? expr->pos : ast::SourcePos{};
    error->message = "unknown dimension '" + m.dim + "'" + DidYouMean(m.dim, names);
    return false;
  }
  return true;
}

bool RunDefinitionStatement(const MetaWriter& store, const Schema& schema, const ast::Statement& st,
                            std::string_view text, Result* out, DefinitionError* error, Status* status,
                            const std::string* owner) {
  DefinitionRun run(store, schema, text, out, error, owner);
  return std::visit(
      [&](const auto& s) -> bool {
        using T = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<T, ast::SelectQuery> || std::is_same_v<T, ast::Explain> ||
                      std::is_same_v<T, ast::Evaluate>) {
          return false;
        } else {
          *status = run.Run(s);
          return true;
        }
      },
      st);
}

bool ExecuteDefinitionStatement(const MetaWriter& store, const Schema& schema, const ast::Statement& st,
                                std::string_view text, Result* out, QueryError* error, Status* status,
                                const std::string* owner) {
  DefinitionError derr;
  if (!RunDefinitionStatement(store, schema, st, text, out, &derr, status, owner)) return false;
  if (!status->ok() && !derr.message.empty()) {
    error->message = derr.message;
    error->line = derr.pos.line;
    error->column = derr.pos.column;
    error->snippet = SourceSnippet(text, derr.pos.line, derr.pos.column);
    const std::string where = error->ToString();
    if (status->code() == Status::Code::kPermissionDenied) *status = Status::PermissionDenied(where);
    else if (status->code() != Status::Code::kNotFound) *status = Status::InvalidArgument(where);
  }
  return true;
}

}  // namespace kpi::query
