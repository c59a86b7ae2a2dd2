// ast::ToString: canonical one-line text of an expression. Reading it back
// with the parser gives the same tree (kinds, operators, values): the
// parenthesisation follows the grammar's precedence (query/parser/x3/grammar_def.h).
#include <string>

#include "query/parser/ast.h"
#include "query/parser/x3/literals.h"
#include "query/parser/x3/quoted_names.h"

namespace kpi::query::ast {

namespace {

// Binding strength, loosest first; mirrors the grammar.
enum Precedence : int {
  kPrecPair = 0,  // A -> B, A before B (call arguments only)
  kPrecOr = 1,
  kPrecAnd = 2,
  kPrecNot = 3,
  kPrecCompare = 4,  // = != < <= > >= in; non-associative
  kPrecAdd = 5,
  kPrecMultiply = 6,
  kPrecNegate = 7,
  kPrecPrimary = 8,
};

int BinaryPrecedence(const std::string& op) {
  if (op == "or") return kPrecOr;
  if (op == "and") return kPrecAnd;
  if (op == "+" || op == "-") return kPrecAdd;
  if (op == "*" || op == "/") return kPrecMultiply;
  return kPrecCompare;
}

int PrecedenceOf(const Expr* e) {
  if (e == nullptr) return kPrecPrimary;
  switch (e->kind) {
    case ExprKind::kBinary:
      return BinaryPrecedence(e->text);
    case ExprKind::kUnary:
      return e->text == "not" ? kPrecNot : kPrecNegate;
    case ExprKind::kIn:
    case ExprKind::kIsNull:
      return kPrecCompare;
    case ExprKind::kArrow:
    case ExprKind::kBefore:
      return kPrecPair;
    default:
      return kPrecPrimary;
  }
}

void Print(const Expr* e, std::string* out);

void PrintWrapped(const Expr* e, bool parenthesise, std::string* out) {
  if (parenthesise) *out += '(';
  Print(e, out);
  if (parenthesise) *out += ')';
}

const Expr* Arg(const Expr& e, size_t i) { return i < e.args.size() ? e.args[i].get() : nullptr; }

void PrintList(const Expr& e, size_t from, std::string* out) {
  for (size_t i = from; i < e.args.size(); ++i) {
    if (i > from) *out += ", ";
    Print(e.args[i].get(), out);
  }
}

void Print(const Expr* e, std::string* out) {
  if (e == nullptr) {
    *out += "null";
    return;
  }
  switch (e->kind) {
    case ExprKind::kNumber:
    case ExprKind::kPercent:
    case ExprKind::kDuration:
      *out += query::x3p::FormatNumberLiteral(e->kind, e->number);
      return;
    case ExprKind::kString:
      *out += query::x3p::QuoteString(e->text);
      return;
    case ExprKind::kBool:
      *out += e->boolean ? "true" : "false";
      return;
    case ExprKind::kNull:
      *out += "null";
      return;
    case ExprKind::kTimestamp:
      *out += e->text;
      return;
    case ExprKind::kColumn:
      // Names quoted where they need it (`état`, `a.b`): read back the same.
      if (e->boolean) {  // TABLE.column
        const size_t dot = e->text.find('.');
        *out += query::x3p::QuoteName(std::string_view(e->text).substr(0, dot));
        *out += '.';
        *out += query::x3p::QuoteName(std::string_view(e->text).substr(dot + 1));
      } else {
        *out += query::x3p::QuoteName(e->text);
      }
      return;
    case ExprKind::kCall:
      *out += query::x3p::QuoteName(e->text);
      *out += '(';
      PrintList(*e, 0, out);
      *out += ')';
      return;
    case ExprKind::kUnary: {
      const Expr* operand = Arg(*e, 0);
      if (e->text == "not") {
        *out += "not ";
        PrintWrapped(operand, PrecedenceOf(operand) < kPrecNot, out);
        return;
      }
      *out += e->text;
      std::string operand_text;
      PrintWrapped(operand, PrecedenceOf(operand) < kPrecNegate, &operand_text);
      if (!operand_text.empty() && operand_text[0] == '-') *out += ' ';  // `- -x`, never `--x` (a comment)
      *out += operand_text;
      return;
    }
    case ExprKind::kBinary: {
      const int prec = BinaryPrecedence(e->text);
      const Expr* left = Arg(*e, 0);
      const Expr* right = Arg(*e, 1);
      // Left-associative; comparisons do not chain at all.
      const bool wrap_left =
          PrecedenceOf(left) < prec || (prec == kPrecCompare && PrecedenceOf(left) == kPrecCompare);
      PrintWrapped(left, wrap_left, out);
      *out += ' ';
      *out += e->text;
      *out += ' ';
      PrintWrapped(right, PrecedenceOf(right) <= prec, out);
      return;
    }
    case ExprKind::kIn: {
      const Expr* tested = Arg(*e, 0);
      PrintWrapped(tested, PrecedenceOf(tested) <= kPrecCompare, out);
      *out += e->negated ? " not in (" : " in (";
      PrintList(*e, 1, out);
      *out += ')';
      return;
    }
    case ExprKind::kIsNull: {
      const Expr* tested = Arg(*e, 0);
      PrintWrapped(tested, PrecedenceOf(tested) <= kPrecCompare, out);
      *out += e->negated ? " is not null" : " is null";
      return;
    }
    case ExprKind::kCase: {
      *out += "case";
      const size_t pairs = (e->args.size() - (e->boolean ? 1 : 0)) / 2;
      for (size_t i = 0; i < pairs; ++i) {
        *out += " when ";
        Print(Arg(*e, 2 * i), out);
        *out += " then ";
        Print(Arg(*e, 2 * i + 1), out);
      }
      if (e->boolean) {
        *out += " else ";
        Print(Arg(*e, e->args.size() - 1), out);
      }
      *out += " end";
      return;
    }
    case ExprKind::kArrow:
    case ExprKind::kBefore: {
      const Expr* left = Arg(*e, 0);
      const Expr* right = Arg(*e, 1);
      PrintWrapped(left, PrecedenceOf(left) == kPrecPair, out);
      *out += e->kind == ExprKind::kArrow ? " -> " : " before ";
      PrintWrapped(right, PrecedenceOf(right) == kPrecPair, out);
      if (e->kind == ExprKind::kArrow && !e->text.empty()) *out += " in " + e->text;
      return;
    }
  }
  *out += "?";
}

}  // namespace

std::string ToString(const Expr& expr) {
  std::string out;
  Print(&expr, &out);
  return out;
}

}  // namespace kpi::query::ast
