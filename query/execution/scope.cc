// Scopes of tokens (see query/execution/scope.h).
#include "query/execution/scope.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <variant>

#include "query/binder/binder.h"
#include "query/parser/parser.h"
#include "query/execution/segment_rows.h"

namespace kpi::query {

namespace {

// The scope is parsed as the `where` of this statement, so it is exactly
// the query language's expression grammar; positions are moved back.
constexpr std::string_view kPrefix = "select count() from tickets where ";

std::string At(const ast::SourcePos& pos) {
  const int column = pos.line == 1 ? pos.column - static_cast<int>(kPrefix.size()) : pos.column;
  return "scope, " + (pos.line > 1 ? "line " + std::to_string(pos.line) + ", " : std::string()) + "column " +
         std::to_string(std::max(column, 1)) + ": ";
}

class Builder {
 public:
  Status Build(const ast::Expr& e, std::vector<Scope::Node>* nodes, std::vector<std::string>* dims, size_t* out) {
    nodes_ = nodes;
    dims_ = dims;
    return Walk(e, out);
  }

 private:
  Status Dim(const ast::Expr& e, size_t* index) {
    if (e.kind != ast::ExprKind::kColumn || e.boolean)  // TABLE.column
      return Status::InvalidArgument(At(e.pos) + "a scope compares dimensions with string values (`client = \"acme\"`)");
    const auto& builtin = BuiltinColumnNames();
    if (std::find(builtin.begin(), builtin.end(), e.text) != builtin.end())
      return Status::InvalidArgument(At(e.pos) + "'" + e.text + "' is not a dimension; a scope names dimensions only");
    auto it = std::find(dims_->begin(), dims_->end(), e.text);
    if (it == dims_->end()) {
      dims_->push_back(e.text);
      it = dims_->end() - 1;
    }
    *index = static_cast<size_t>(it - dims_->begin());
    return Status::OK();
  }

  Status Literal(const ast::Expr& e, std::string* out) {
    if (e.kind != ast::ExprKind::kString)
      return Status::InvalidArgument(At(e.pos) + "a scope's values are strings in double quotes");
    *out = e.text;
    return Status::OK();
  }

  size_t Push(Scope::Node n) {
    nodes_->push_back(std::move(n));
    return nodes_->size() - 1;
  }

  Status Walk(const ast::Expr& e, size_t* out) {
    Scope::Node n;
    switch (e.kind) {
      case ast::ExprKind::kBinary:
        if (e.text == "and" || e.text == "or") {
          n.kind = e.text == "and" ? Scope::Node::kAnd : Scope::Node::kOr;
          for (const ast::ExprPtr& a : e.args) {
            size_t i;
            KPI_RETURN_IF_ERROR(Walk(*a, &i));
            n.args.push_back(i);
          }
          *out = Push(std::move(n));
          return Status::OK();
        }
        if (e.text == "=" || e.text == "!=") {
          const ast::Expr* col = e.args[0].get();
          const ast::Expr* lit = e.args[1].get();
          if (col->kind == ast::ExprKind::kString) std::swap(col, lit);
          n.kind = Scope::Node::kIn;
          n.negated = e.text == "!=";
          KPI_RETURN_IF_ERROR(Dim(*col, &n.dim));
          n.values.emplace_back();
          KPI_RETURN_IF_ERROR(Literal(*lit, &n.values.back()));
          *out = Push(std::move(n));
          return Status::OK();
        }
        break;
      case ast::ExprKind::kIn:
        n.kind = Scope::Node::kIn;
        n.negated = e.negated;
        KPI_RETURN_IF_ERROR(Dim(*e.args[0], &n.dim));
        for (size_t i = 1; i < e.args.size(); ++i) {
          n.values.emplace_back();
          KPI_RETURN_IF_ERROR(Literal(*e.args[i], &n.values.back()));
        }
        *out = Push(std::move(n));
        return Status::OK();
      case ast::ExprKind::kIsNull:
        n.kind = Scope::Node::kIsNull;
        n.negated = e.negated;
        KPI_RETURN_IF_ERROR(Dim(*e.args[0], &n.dim));
        *out = Push(std::move(n));
        return Status::OK();
      case ast::ExprKind::kUnary:
        if (e.text == "not") {
          n.kind = Scope::Node::kNot;
          size_t i;
          KPI_RETURN_IF_ERROR(Walk(*e.args[0], &i));
          n.args.push_back(i);
          *out = Push(std::move(n));
          return Status::OK();
        }
        break;
      default:
        break;
    }
    return Status::InvalidArgument(At(e.pos) +
                                   "a scope is made of `dim = \"v\"`, `!=`, `in (...)`, `not in`, `is [not] null`, "
                                   "`and`, `or`, `not` and parentheses");
  }

  std::vector<Scope::Node>* nodes_ = nullptr;
  std::vector<std::string>* dims_ = nullptr;
};

// Kleene logic on 1 true, 0 false, 2 null.
int Not3(int v) { return v == 2 ? 2 : 1 - v; }

}  // namespace

Status Scope::Parse(std::string_view text, std::shared_ptr<const Scope>* out) {
  const std::string statement = std::string(kPrefix) + std::string(text);
  ast::Statement st;
  ParseError perr;
  if (!ParseStatement(statement, &st, &perr)) return Status::InvalidArgument(At(perr.pos) + perr.message);
  const auto* q = std::get_if<ast::SelectQuery>(&st);
  if (q == nullptr || q->where == nullptr || !q->group_by.empty() || q->limit || !q->order_by.empty() || q->as_of ||
      q->during_start || q->during_relative || q->at_event || q->having || q->tz || q->compare || q->rolling)
    return Status::InvalidArgument("scope: expected one predicate over dimensions, e.g. client = \"acme\"");
  auto scope = std::make_shared<Scope>();
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  scope->text_ = std::string(text);
  size_t root = 0;
  Builder b;
  KPI_RETURN_IF_ERROR(b.Build(*q->where, &scope->nodes_, &scope->dims_, &root));
  *out = std::move(scope);
  return Status::OK();
}

int Scope::Eval(const std::function<const std::string*(const std::string& dim)>& value) const {
  std::vector<int> v(nodes_.size(), 2);
  // Children are pushed before their parents: one pass in index order.
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const Node& n = nodes_[i];
    switch (n.kind) {
      case Node::kAnd: {
        const int a = v[n.args[0]], b = v[n.args[1]];
        v[i] = (a == 0 || b == 0) ? 0 : (a == 1 && b == 1) ? 1 : 2;
        break;
      }
      case Node::kOr: {
        const int a = v[n.args[0]], b = v[n.args[1]];
        v[i] = (a == 1 || b == 1) ? 1 : (a == 0 && b == 0) ? 0 : 2;
        break;
      }
      case Node::kNot: v[i] = Not3(v[n.args[0]]); break;
      case Node::kIsNull: {
        const bool null = value(dims_[n.dim]) == nullptr;
        v[i] = null != n.negated ? 1 : 0;
        break;
      }
      case Node::kIn: {
        const std::string* x = value(dims_[n.dim]);
        if (x == nullptr) {
          v[i] = 2;
          break;
        }
        const bool found = std::find(n.values.begin(), n.values.end(), *x) != n.values.end();
        v[i] = found != n.negated ? 1 : 0;
        break;
      }
    }
  }
  return v.empty() ? 2 : v.back();
}

int Scope::Eval(const std::map<std::string, std::string>& dims) const {
  return Eval([&](const std::string& d) -> const std::string* {
    auto it = dims.find(d);
    return it == dims.end() ? nullptr : &it->second;
  });
}

// ---- ScopeFilter ---------------------------------------------------------------

ScopeFilter::ScopeFilter(const Scope& scope, const storage::Catalog& catalog) : scope_(scope) {
  for (const std::string& d : scope.dims()) {
    const auto info = catalog.FindColumn(d);
    column_of_dim_.push_back(info && info->kind == storage::ColumnKind::kDimension ? info->id : 0);
  }
  leaves_.resize(scope.nodes().size());
  for (size_t i = 0; i < scope.nodes().size(); ++i) {
    const Scope::Node& n = scope.nodes()[i];
    if (n.kind != Scope::Node::kIn || column_of_dim_[n.dim] == 0) continue;
    for (const std::string& v : n.values) {
      const uint32_t code = catalog.FindCode(column_of_dim_[n.dim], v);
      if (code != 0) leaves_[i].codes.push_back(code);
    }
    std::sort(leaves_[i].codes.begin(), leaves_[i].codes.end());
    if (!leaves_[i].codes.empty()) leaves_[i].listed.assign(leaves_[i].codes.back() + size_t{1}, 0);
    for (uint32_t c : leaves_[i].codes) leaves_[i].listed[c] = 1;
  }
  latest_.resize(scope.dims().size());
}

namespace {

// visit(t, code) for each sparse entry of `d` in `s`, t the ticket whose
// events hold the entry's row. Entries ascend by row, so one pass with a
// ticket cursor, and a ticket's last call carries its latest event's code.
// Requires s.num_tickets() > 0.
template <typename Visit>
void ForEachTicketEntry(const storage::Segment& s, const storage::SparseCodes& d, const Visit& visit) {
  const uint32_t nt = s.num_tickets(), ne = s.num_events();
  const uint32_t* begin = s.event_begin.data();
  const size_t m = std::min(d.rows.size(), d.codes.size());
  uint32_t t = 0;
  for (size_t k = 0; k < m; ++k) {
    const uint32_t row = d.rows[k];
    if (row >= ne) break;
    while (t + 1 < nt && begin[t + 1] <= row) ++t;
    visit(t, d.codes[k]);
  }
}

// Per ticket of `s`, the code of `column` its latest event carried (0: none),
// as `from tickets` reads a dimension.
void LatestCodes(const storage::Segment& s, uint32_t column, std::vector<uint32_t>* out) {
  out->assign(s.num_tickets(), 0);
  const storage::SparseCodes* d = column == 0 ? nullptr : s.FindDim(column);
  if (d == nullptr || s.num_tickets() == 0) return;
  ForEachTicketEntry(s, *d, [out](uint32_t t, uint32_t code) { (*out)[t] = code; });
}

}  // namespace

int ScopeFilter::EvalNode(size_t i, uint32_t t) const {
  const Scope::Node& n = scope_.nodes()[i];
  switch (n.kind) {
    case Scope::Node::kAnd: {
      const int a = EvalNode(n.args[0], t);
      if (a == 0) return 0;
      const int b = EvalNode(n.args[1], t);
      return b == 0 ? 0 : (a == 1 && b == 1) ? 1 : 2;
    }
    case Scope::Node::kOr: {
      const int a = EvalNode(n.args[0], t);
      if (a == 1) return 1;
      const int b = EvalNode(n.args[1], t);
      return b == 1 ? 1 : (a == 0 && b == 0) ? 0 : 2;
    }
    case Scope::Node::kNot: return Not3(EvalNode(n.args[0], t));
    case Scope::Node::kIsNull: {
      const bool null = latest_[n.dim][t] == 0;
      return null != n.negated ? 1 : 0;
    }
    case Scope::Node::kIn: {
      const uint32_t c = latest_[n.dim][t];
      if (c == 0) return 2;
      return leaves_[i].Listed(c) != n.negated ? 1 : 0;
    }
  }
  return 2;
}

uint32_t ScopeFilter::Mark(const storage::Segment& segment, SegmentRows* tickets, std::vector<uint8_t>* keep) {
  const uint32_t nt = segment.num_tickets();
  keep->assign(nt, 0);
  uint8_t* out = keep->data();
  const size_t root = scope_.nodes().size() - 1;
  const Scope::Node& r = scope_.nodes()[root];
  uint32_t kept = 0;
  if (r.kind == Scope::Node::kIn && tickets != nullptr) {
    // The common scope over the query's own tickets view: one lookup per ticket.
    if (column_of_dim_[r.dim] == 0) return 0;
    const uint32_t* col = tickets->Dim(column_of_dim_[r.dim]);
    const Leaf& leaf = leaves_[root];
    const uint8_t* listed = leaf.listed.data();
    const uint32_t size = static_cast<uint32_t>(leaf.listed.size());
    const uint8_t flip = r.negated ? 1 : 0;
    for (uint32_t t = 0; t < nt; ++t) {
      const uint32_t c = col[t];
      out[t] = c != 0 && ((c < size && listed[c] != 0) ^ flip);
      kept += out[t];
    }
    return kept;
  }
  if (r.kind == Scope::Node::kIn) {
    // The common scope, `dim = "v"` or `dim in (...)`: one pass over the
    // dimension's sparse entries (rows ascend, so each ticket's last entry
    // writes last); a ticket without any stays out (null).
    const uint32_t column = column_of_dim_[r.dim];
    const storage::SparseCodes* d = column == 0 ? nullptr : segment.FindDim(column);
    if (d == nullptr || nt == 0) return 0;
    const Leaf& leaf = leaves_[root];
    const uint8_t* listed = leaf.listed.data();
    const uint32_t size = static_cast<uint32_t>(leaf.listed.size());
    const uint8_t flip = r.negated ? 1 : 0;
    ForEachTicketEntry(segment, *d, [&](uint32_t t, uint32_t c) {
      out[t] = c != 0 && ((c < size && listed[c] != 0) ^ flip);
    });
    for (uint32_t i = 0; i < nt; ++i) kept += out[i];
    return kept;
  }
  for (size_t d = 0; d < latest_.size(); ++d) {
    if (tickets != nullptr && column_of_dim_[d] != 0) {
      const uint32_t* col = tickets->Dim(column_of_dim_[d]);
      latest_[d].assign(col, col + nt);
    } else {
      LatestCodes(segment, column_of_dim_[d], &latest_[d]);
    }
  }
  for (uint32_t t = 0; t < nt; ++t) {
    const uint8_t in = EvalNode(root, t) == 1;
    out[t] = in;
    kept += in;
  }
  return kept;
}

void ScopeFilter::Pushdown(std::vector<std::pair<uint32_t, std::vector<uint32_t>>>* dim_codes,
                           bool* impossible) const {
  *impossible = false;
  std::vector<size_t> conj{scope_.nodes().size() - 1}, stack = conj;
  conj.clear();
  while (!stack.empty()) {
    const size_t i = stack.back();
    stack.pop_back();
    const Scope::Node& n = scope_.nodes()[i];
    if (n.kind == Scope::Node::kAnd) {
      stack.insert(stack.end(), n.args.begin(), n.args.end());
      continue;
    }
    conj.push_back(i);
  }
  for (size_t i : conj) {
    const Scope::Node& n = scope_.nodes()[i];
    if (n.kind != Scope::Node::kIn || n.negated) continue;
    if (column_of_dim_[n.dim] == 0 || leaves_[i].codes.empty()) {
      *impossible = true;
      continue;
    }
    dim_codes->emplace_back(column_of_dim_[n.dim], leaves_[i].codes);
  }
}

Status StoredScopeDims(const storage::Snapshot& snapshot, const Scope& scope, const std::set<std::string>& tickets,
                       TicketDims* out) {
  out->clear();
  if (tickets.empty()) return Status::OK();
  std::vector<std::pair<std::string, uint32_t>> columns;  // the scope's dimensions the catalog knows
  for (const std::string& d : scope.dims()) {
    const auto info = snapshot.catalog().FindColumn(d);
    if (info && info->kind == storage::ColumnKind::kDimension) columns.emplace_back(d, info->id);
  }
  std::vector<std::vector<uint32_t>> latest(columns.size());
  for (const storage::SegmentRef& ref : snapshot.Plan(storage::ScanSpec{}, nullptr)) {
    std::shared_ptr<const storage::Segment> seg;
    KPI_RETURN_IF_ERROR(snapshot.Load(ref, &seg));
    bool decoded = false;
    for (uint32_t t = 0; t < seg->num_tickets(); ++t) {
      if (!tickets.count(seg->ticket_ids[t])) continue;
      if (!decoded) {
        for (size_t c = 0; c < columns.size(); ++c) LatestCodes(*seg, columns[c].second, &latest[c]);
        decoded = true;
      }
      std::map<std::string, std::string>& dims = (*out)[seg->ticket_ids[t]];
      for (size_t c = 0; c < columns.size(); ++c)
        if (latest[c][t] != 0) dims[columns[c].first] = snapshot.catalog().Decode(columns[c].second, latest[c][t]);
    }
  }
  return Status::OK();
}

}  // namespace kpi::query
