// Evaluator: vectorized evaluation of row-context bound expressions over the
// rows of one segment (a batch), column at a time, into typed vectors with
// null masks (query/execution/vector.h).
//
// A Selection names the rows to evaluate (row indices into the batch, or all
// rows). Results for the batch's MAIN selection (the rows that passed
// `where`) are memoized per node, so an expression shared by several
// aggregates or group keys runs once per batch. `and` / `or` evaluate their
// cheaper operand first and the other one only on the rows it does not
// decide; Filter() narrows a selection conjunct by conjunct, so per-ticket
// functions run only on tickets that passed the cheaper filters.
// Over tickets, per-ticket functions and operator nodes that qualify
// (memo_keys.h) are computed once over every ticket of a cached segment and
// kept with it (ticket_memo.h); later batches of that segment select from
// the kept column. Over tickets or events, a filter over every row of a
// segment by a predicate that qualifies keeps the rows it selects.
//
// Thread safety: one Evaluator per worker thread; the BoundQuery is shared
// read-only. Vecs returned stay valid until the next StartBatch / SetMain.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "query/binder/bound_expr.h"
#include "query/execution/segment_rows.h"
#include "query/execution/vector.h"

namespace kpi::query {

struct Selection {
  const uint32_t* rows = nullptr;  // nullptr: rows 0 .. n-1
  uint32_t n = 0;
  bool main = false;  // the memoized main selection of the batch
  uint32_t row(uint32_t i) const { return rows ? rows[i] : i; }
};

class Evaluator {
 public:
  explicit Evaluator(const BoundQuery& query);

  // Starts a batch over `rows` (its segment must stay alive during the batch).
  void StartBatch(SegmentRows* rows);
  // repeat_within answers of the batch's tickets, one array per
  // BoundQuery::repeats entry (query/execution/repeat_index.h); must outlive the batch.
  void SetRepeatAnswers(const std::vector<const std::vector<uint8_t>*>* answers) { repeat_answers_ = answers; }
  // Rows of `in` where `pred` is true, appended to *out.
  void Filter(const BoundExpr& pred, const Selection& in, std::vector<uint32_t>* out);
  // The same as a selection: a view of the rows kept with the segment when
  // the filter's rows are kept there, else of *scratch (filled).
  Selection FilterSelection(const BoundExpr& pred, const Selection& in, std::vector<uint32_t>* scratch);
  // Declares the main selection (its rows must stay alive) and drops memoized results.
  void SetMain(const Selection& main);
  // `e` over the main selection (memoized).
  const Vec& EvalMain(const BoundExpr& e);

  // The memo key of `e` over the batch's rows (memo_keys.h), "" if none.
  const std::string& MemoKeyOf(const BoundExpr& e) { return RowKey(e); }

  // Text of row i of a string vector (dictionary texts come from the BoundQuery).
  std::string_view TextAt(const Vec& v, uint32_t i) const;

 private:
  struct Memo {
    uint64_t epoch = 0;
    Vec vec;
  };

  const Vec* Eval(const BoundExpr& e, const Selection& sel);
  Vec* Acquire();
  void Compute(const BoundExpr& e, const Selection& sel, Vec* out);
  void ComputeNode(const BoundExpr& e, const Selection& sel, Vec* out);
  // RowMemoKey of `e` over the batch's rows (memo_keys.h), once per node.
  const std::string& RowKey(const BoundExpr& e);
  // The rows `pred` selects from every row, kept with the segment; null
  // when `in` is not every row or they cannot be kept.
  const std::vector<uint32_t>* KeptFilter(const BoundExpr& pred, const Selection& in);
  // Filter without the memo.
  void FilterRows(const BoundExpr& pred, const Selection& in, std::vector<uint32_t>* out);
  void ComputeConst(const BoundExpr& e, uint32_t n, Vec* out);
  void ComputeColumn(const BoundExpr& e, const Selection& sel, Vec* out);
  void ComputeJoinColumn(const BoundExpr& e, const Vec& key, Vec* out);
  void ComputeScalar(const BoundExpr& e, const Selection& sel, Vec* out);
  void ComputeLogic(const BoundExpr& e, const Selection& sel, Vec* out);
  void ComputeUnary(const BoundExpr& e, const Vec& a, Vec* out);
  void ComputeArithmetic(const BoundExpr& e, const Vec& a, const Vec& b, Vec* out);
  void ComputeComparison(const BoundExpr& e, const Vec& a, const Vec& b, Vec* out);
  void ComputeIn(const BoundExpr& e, const Selection& sel, Vec* out);
  // -1 / 0 / 1 for two non-null elements of comparable vectors.
  int CompareAt(const Vec& a, uint32_t i, const Vec& b, uint32_t j) const;
  const uint32_t* Iota(uint32_t n);

  const BoundQuery& q_;
  const std::vector<const std::vector<uint8_t>*>* repeat_answers_ = nullptr;
  SegmentRows* rows_ = nullptr;
  Selection main_;
  uint64_t epoch_ = 1;
  std::vector<Memo> memo_;
  std::vector<std::unique_ptr<Vec>> pool_;
  size_t pool_top_ = 0;
  std::vector<uint32_t> iota_;
  std::vector<std::pair<bool, std::string>> memo_keys_;  // by node id: (computed, key)
  bool building_memo_ = false;  // computing a node over every ticket to keep it
};

}  // namespace kpi::query
