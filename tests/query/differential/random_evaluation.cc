#include "query/differential/random_evaluation.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "query/reference/reference_time.h"

namespace kpi::differential {

namespace {

constexpr int64_t kDayMs = 86400000;

const std::vector<std::string> kZones = {"UTC", "Europe/Berlin", "America/New_York", "Asia/Shanghai"};
const std::vector<std::string> kDayNames = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
const std::vector<std::string> kKpis = {"frt", "res", "vol", "esc", "sat", "biz_frt"};
const std::vector<std::string> kOps = {">=", ">", "<=", "<"};
const std::vector<std::string> kTargetDims = {"channel", "team", "category", "priority"};

// The data's dimension values (random_data.cc), one absent ("fax").
const std::vector<std::string>& Values(const std::string& dim) {
  static const std::vector<std::string> kChannels = {"chat", "email", "phone", "fax"};
  static const std::vector<std::string> kTeams = {"billing", "tech", "sales"};
  static const std::vector<std::string> kCategories = {"refund", "bug", "order"};
  static const std::vector<std::string> kPriorities = {"P1", "P2", "P3"};
  static const std::vector<std::string> kRoles = {"frontline", "senior", "lead"};
  static const std::vector<std::string> kTiers = {"gold", "silver"};
  static const std::vector<std::string> kRegions = {"eu", "us"};
  if (dim == "channel") return kChannels;
  if (dim == "team") return kTeams;
  if (dim == "category") return kCategories;
  if (dim == "agents.role") return kRoles;
  if (dim == "channels.tier") return kTiers;
  if (dim == "teams.region") return kRegions;
  return kPriorities;
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : rng_(seed) {}
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  const std::string& Pick(const std::vector<std::string>& v) {
    return v[static_cast<size_t>(Int(0, static_cast<int>(v.size()) - 1))];
  }
  std::string Quoted(const std::string& dim) { return "\"" + Pick(Values(dim)) + "\""; }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

std::string Hhmm(int minutes) {
  const int h = minutes / 60, m = minutes % 60;
  return (h < 10 ? "0" : "") + std::to_string(h) + ":" + (m < 10 ? "0" : "") + std::to_string(m);
}

// The data spans 2024-12-20 .. 2025-04-09 (random_data.cc).
std::string DataDate(Rng& g, int from_day = 0, int to_day = 110) {
  return reference::FormatUtc(1734652800000 + static_cast<int64_t>(g.Int(from_day, to_day)) * kDayMs).substr(0, 10);
}

std::string Calendar(Rng& g, const std::string& name) {
  std::string text = "define calendar " + name + " tz \"" + g.Pick(kZones) + "\" open ";
  // Each day in at most one group: a run of consecutive days (written as a
  // range or a list) or a single day.
  std::vector<int> days = {0, 1, 2, 3, 4, 5, 6};
  int next = 0;
  bool first_group = true;
  while (next < 7) {
    const int len = std::min(7 - next, g.Int(1, 5));
    if (!g.Chance(0.25) || first_group) {
      std::string spec;
      if (len == 1) spec = kDayNames[next];
      else if (g.Chance(0.6)) spec = kDayNames[next] + "-" + kDayNames[next + len - 1];
      else
        for (int d = next; d < next + len; ++d) spec += (d > next ? "," : "") + kDayNames[d];
      // 1-2 ranges on a 30-minute grid, the last maybe to 24:00.
      int begin = g.Int(0, 40) * 30;
      std::string ranges;
      const int nranges = g.Int(1, 2);
      for (int r = 0; r < nranges && begin < 1440; ++r) {
        int end = std::min(1440, begin + g.Int(1, 20) * 30);
        if (g.Chance(0.15)) end = 1440;
        ranges += (r ? " " : "") + Hhmm(begin) + "-" + Hhmm(end);
        begin = end + g.Int(1, 8) * 30;
      }
      text += std::string(first_group ? "" : ", ") + spec + " " + ranges;
      first_group = false;
    }
    next += len;
  }
  const int nclosed = g.Int(0, 2);
  for (int i = 0; i < nclosed; ++i) {
    text += i == 0 ? " closed " : ", ";
    const int day = g.Int(0, 105);
    text += DataDate(g, day, day);
    if (g.Chance(0.5)) text += " .. " + DataDate(g, day + 1, day + 6);
  }
  return text;
}

std::string TargetValue(Rng& g, const std::string& kpi) {
  if (kpi == "frt") return g.Pick({"15m", "30m", "1h", "2h", "8h", "1d", "7200"});
  if (kpi == "biz_frt") return g.Pick({"10m", "30m", "1h", "4h", "0"});
  if (kpi == "res" || kpi == "esc") return g.Pick({"0.5", "70%", "0.9", "25%", "0", "1"});
  if (kpi == "vol") return g.Pick({"1", "3", "5", "10", "20"});
  return g.Pick({"3", "3.5", "4", "4.5"});  // sat
}

// `where d = v [and d2 = v2]` over distinct dimensions, or "".
std::string Equalities(Rng& g, int max_dims) {
  std::vector<std::string> dims = kTargetDims;
  if (g.Chance(0.1)) dims.push_back(g.Pick({"agents.role", "channels.tier"}));
  std::shuffle(dims.begin(), dims.end(), g.rng());
  const int n = g.Int(0, max_dims);
  std::string out;
  for (int i = 0; i < n; ++i) out += (i ? " and " : " where ") + dims[static_cast<size_t>(i)] + " = " + g.Quoted(dims[static_cast<size_t>(i)]);
  return out;
}

bool LowerIsBetter(const std::string& kpi) { return kpi == "frt" || kpi == "biz_frt" || kpi == "esc"; }

std::string RelaxOp(Rng& g, const std::string& kpi) {
  return LowerIsBetter(kpi) ? g.Pick({"<=", "<"}) : g.Pick({">=", ">"});
}

std::string Target(Rng& g, const std::string& kpi, const std::string& where) {
  const std::string op = g.Chance(0.7) ? RelaxOp(g, kpi) : g.Pick(kOps);
  return "define target " + kpi + " " + op + " " + TargetValue(g, kpi) + where;
}

std::string ExcludePredicate(Rng& g) {
  switch (g.Int(0, 4)) {
    case 0: return "";
    case 1: return " where channel = " + g.Quoted("channel");
    case 2: return " where team != " + g.Quoted("team");
    case 3: return " where priority in (\"P1\", \"P2\")";
    default: return " where has(escalated)";
  }
}

std::string Exemption(Rng& g, const std::string& name) {
  const int day = g.Int(0, 100);
  std::string text = "define exemption " + name + " during " + DataDate(g, day, day) + " .. " +
                     DataDate(g, day + 1, day + 1 + g.Int(0, 20));
  if (g.Chance(0.4)) {
    text += ExcludePredicate(g) + " exclude";
  } else {
    text += Equalities(g, 1) + " relax ";
    std::vector<std::string> kpis = kKpis;
    std::shuffle(kpis.begin(), kpis.end(), g.rng());
    const int n = g.Int(1, 2);
    for (int i = 0; i < n; ++i) {
      const std::string& k = kpis[static_cast<size_t>(i)];
      // One direction per KPI: "most lenient" between `<= a` and `>= b` is
      // not defined by the contract (engine and reference pick differently).
      text += (i ? ", " : "") + k + " " + RelaxOp(g, k) + " " + TargetValue(g, k);
    }
  }
  if (g.Chance(0.3)) text += " tz \"" + g.Pick(kZones) + "\"";
  return text;
}

std::string Scorecard(Rng& g, const std::string& name) {
  static const std::vector<std::vector<std::string>> kWeights = {
      {"50%", "50%"}, {"0.25", "0.75"}, {"60%", "30%", "10%"}, {"0.2", "0.3", "0.5"}, {"100%"}, {"40%", "0.6"}};
  const auto& w = kWeights[static_cast<size_t>(g.Int(0, static_cast<int>(kWeights.size()) - 1))];
  std::vector<std::string> kpis = kKpis;
  std::shuffle(kpis.begin(), kpis.end(), g.rng());
  std::string text = "define scorecard " + name + " =";
  for (size_t i = 0; i < w.size(); ++i) text += std::string(i ? " +" : "") + " " + w[i] + " " + kpis[i];
  if (g.Chance(0.4)) text += " cap " + g.Pick({"1.2", "1.5", "2", "0.8"});
  return text;
}

DefinitionStep Table(Rng& g, int64_t at, const std::string& name) {
  DefinitionStep s;
  s.at_ms = at;
  s.table = name;
  if (name == "agents") {
    s.key = "agent";
    s.csv = "agent,role,level,score\n";
    for (const char* a : {"a1", "a2", "a3", "a4", "a5"}) {
      if (!g.Chance(0.8)) continue;
      s.csv += std::string(a) + "," + g.Pick(Values("agents.role")) + "," + std::to_string(g.Int(1, 3)) + "," + (g.Chance(0.2) ? "" : std::to_string(g.Int(5, 50) / 10.0).substr(0, 3)) + "\n";
    }
  } else if (name == "channels") {
    s.key = "channel";
    s.csv = "channel,limit_s,tier\n";
    for (const char* c : {"chat", "email", "phone"}) {
      if (!g.Chance(0.85)) continue;
      s.csv += std::string(c) + "," + g.Pick({"15m", "1h", "7200", "2h", "1d"}) + "," + (g.Chance(0.5) ? "gold" : "silver") + "\n";
    }
  } else {
    s.key = "team";
    s.csv = "team,region\n";
    for (const char* t : {"billing", "tech", "sales"})
      if (g.Chance(0.85)) s.csv += std::string(t) + "," + (g.Chance(0.5) ? "eu" : "us") + "\n";
  }
  return s;
}

}  // namespace

std::vector<DefinitionStep> GenerateDefinitions(uint64_t seed, int64_t first_ms) {
  Rng g(seed * 7919 + 3);
  std::vector<DefinitionStep> out;
  int64_t at = first_ms;
  // One millisecond apart, so "defined first" never needs the name tie-break.
  auto add = [&](const std::string& statement) { out.push_back(DefinitionStep{at++, statement, "", "", ""}); };
  for (const char* t : {"agents", "channels", "teams"}) out.push_back(Table(g, at++, t));
  add("define kpi frt = avg(duration(created -> agent_reply))");
  add("define kpi res = rate(has(resolved))");
  add("define kpi vol = count()");
  add("define kpi esc = rate(has(escalated))");
  // sat in one of several spellings, some with the scalar functions of issue 10.
  add(std::string("define kpi sat = ") + g.Pick({"avg(csat)", "round(avg(csat), 1)", "coalesce(avg(csat), 0)",
                                                  "avg(case when csat is null then 0 else csat end)",
                                                  "avg(least(greatest(csat, 2), 4))", "avg(abs(csat - 3))"}));
  for (const char* c : {"cal0", "cal1", "cal2"}) add(Calendar(g, c));
  add("define kpi biz_frt = avg(duration(created -> agent_reply in cal0))");
  std::vector<std::pair<std::string, std::string>> targets;  // kpi, where
  const int ntargets = g.Int(3, 12);
  for (int i = 0; i < ntargets; ++i) {
    const std::string kpi = g.Pick(kKpis), where = Equalities(g, 2);
    targets.emplace_back(kpi, where);
    add(Target(g, kpi, where));
  }
  if (g.Chance(0.4)) {
    // Two one-dimension targets of a KPI that meet on (channel, team) rows:
    // evaluating by both is a conflict when they differ.
    const std::string kpi = g.Pick(kKpis);
    for (const char* dim : {"channel", "team"}) {
      const std::string where = std::string(" where ") + dim + " = " + g.Quoted(dim);
      targets.emplace_back(kpi, where);
      add(Target(g, kpi, where));
    }
  }
  const int nexemptions = g.Int(0, 3);
  for (int i = 0; i < nexemptions; ++i) add(Exemption(g, "x" + std::to_string(i)));
  add(Scorecard(g, "sc0"));
  add(Scorecard(g, "sc1"));

  // The second round: redefine, add and drop.
  at = first_ms + kDayMs;
  if (g.Chance(0.6)) {
    const auto& t = targets[static_cast<size_t>(g.Int(0, static_cast<int>(targets.size()) - 1))];
    add(Target(g, t.first, t.second));
  }
  if (g.Chance(0.4)) {
    const auto& t = targets[static_cast<size_t>(g.Int(0, static_cast<int>(targets.size()) - 1))];
    add("drop target " + t.first + t.second);
  }
  if (g.Chance(0.5)) add(Target(g, g.Pick(kKpis), Equalities(g, 2)));
  if (g.Chance(0.6)) add(Calendar(g, "cal0"));
  if (g.Chance(0.3)) add("drop calendar cal2");
  if (nexemptions > 0 && g.Chance(0.5)) add(Exemption(g, "x" + std::to_string(g.Int(0, nexemptions - 1))));
  if (nexemptions > 0 && g.Chance(0.3)) add("drop exemption x" + std::to_string(g.Int(0, nexemptions - 1)));
  if (g.Chance(0.4)) add(Exemption(g, "x9"));
  if (g.Chance(0.5)) add(Scorecard(g, "sc0"));
  if (g.Chance(0.3)) add("drop scorecard sc1");
  if (g.Chance(0.5)) out.push_back(Table(g, at++, "agents"));
  if (g.Chance(0.3)) add("drop table teams");
  return out;
}

EvaluationQueryGenerator::EvaluationQueryGenerator(uint64_t seed, int64_t min_ms, int64_t max_ms, int64_t first_ms)
    : rng_(seed), min_ms_(min_ms), max_ms_(max_ms), first_ms_(first_ms) {}

int EvaluationQueryGenerator::Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
bool EvaluationQueryGenerator::Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
const std::string& EvaluationQueryGenerator::Pick(const std::vector<std::string>& v) {
  return v[static_cast<size_t>(Int(0, static_cast<int>(v.size()) - 1))];
}

std::string EvaluationQueryGenerator::Date() {
  const int64_t ms = std::uniform_int_distribution<int64_t>(min_ms_, max_ms_)(rng_);
  return reference::FormatUtc(ms).substr(0, 10);
}

// Everything after the select list / KPI list: source, joins, where, during,
// by, order by, limit, tz, as of. `joined` gets the joined tables.
std::string EvaluationQueryGenerator::Clauses(Kind kind, std::vector<std::string>* joined) {
  std::string text = " from tickets";
  std::vector<std::string> cols;  // joined columns usable in where / by
  if (Chance(0.45)) {
    text += " join agents on agent_of(" + Pick({"resolved", "agent_reply", "assigned"}) + ")";
    joined->push_back("agents");
    cols.insert(cols.end(), {"agents.role", "agents.level"});
  }
  if (Chance(0.3)) {
    text += " join channels on channel";
    joined->push_back("channels");
    cols.push_back("channels.tier");
  }
  if (Chance(0.2)) {
    text += " join teams on team";
    joined->push_back("teams");
    cols.push_back("teams.region");
  }
  if (Chance(0.35)) {
    switch (Int(0, 3)) {
      case 0: text += " where channel = \"" + Pick(Values("channel")) + "\""; break;
      case 1: text += " where team != \"" + Pick(Values("team")) + "\""; break;
      case 2: text += " where has(resolved) or priority = \"P1\""; break;
      default:
        if (!cols.empty() && cols[0] != "agents.level") text += " where " + cols[0] + " = \"" + Pick(Values(cols[0])) + "\"";
        else if (!cols.empty()) text += " where agents.level >= 2";
        break;
    }
  }
  if (Chance(0.3)) {
    std::string a = Date(), b = Date();
    if (b < a) std::swap(a, b);
    if (a == b) b = reference::FormatUtc(std::max(min_ms_, max_ms_)).substr(0, 10);
    if (a < b) text += " during " + a + " .. " + b;
  }
  if (Chance(0.12)) text += " at last(" + Pick({"resolved", "agent_reply", "reopened"}) + ")";
  std::vector<std::string> groups;
  std::string by;
  const int ngroups = Chance(0.75) ? Int(1, 2) : 0;
  for (int i = 0; i < ngroups; ++i) {
    std::string gcol;
    switch (Int(0, 5)) {
      case 0: case 1: gcol = Pick(kTargetDims); break;
      case 2: gcol = Pick({"day", "week", "month", "day", "week", "month", "hour_of_day", "weekday", "2h"}); break;
      case 3: gcol = "agent_of(resolved)"; break;
      default: gcol = cols.empty() ? Pick(kTargetDims) : Pick(cols); break;
    }
    if (std::find(groups.begin(), groups.end(), gcol) != groups.end()) continue;
    groups.push_back(gcol);
    by += (by.empty() ? " by " : ", ") + gcol;
  }
  if (Chance(0.05)) {
    groups = {"channel", "team"};
    by = " by channel, team";
  }
  text += by;
  if (kind != Kind::kSelect && Chance(0.25)) {
    std::vector<std::string> names = kind == Kind::kScorecard ? std::vector<std::string>{"score"}
                                               : std::vector<std::string>{"value", "attainment", "met", "kpi"};
    for (const std::string& gcol : groups)
      if (gcol.find('(') == std::string::npos && gcol.find('.') == std::string::npos && !std::isdigit(static_cast<unsigned char>(gcol[0])))
        names.push_back(gcol);  // not `2h`: order by cannot name it
    text += " order by " + Pick(names) + (Chance(0.5) ? " desc" : "");
    if (Chance(0.5)) text += " limit " + std::to_string(Int(0, 6));
  }
  if (Chance(0.25)) text += " tz \"" + Pick(kZones) + "\"";
  const int as_of = Int(0, 19);
  if (as_of < 8) text += " as of " + reference::FormatUtc(first_ms_ + 12 * 3600000);  // between the rounds
  else if (as_of == 8) text += " as of " + reference::FormatUtc(first_ms_ - 1);      // before any definition
  return text;
}

std::string EvaluationQueryGenerator::Next() {
  std::vector<std::string> joined;
  switch (Int(0, 9)) {
    case 0: case 1: case 2: case 3: {
      std::vector<std::string> kpis = kKpis;
      std::shuffle(kpis.begin(), kpis.end(), rng_);
      std::string text = "evaluate ";
      const int n = Int(1, 3);
      for (int i = 0; i < n; ++i) text += (i ? ", " : "") + kpis[static_cast<size_t>(i)];
      return text + Clauses(Kind::kEvaluate, &joined);
    }
    case 4: case 5:
      return "evaluate scorecard " + Pick({"sc0", "sc1"}) + Clauses(Kind::kScorecard, &joined);
    case 6: case 7: {
      const std::string rest = Clauses(Kind::kSelect, &joined);
      std::string items = "count() as n";
      for (const std::string& t : joined) {
        if (t == "agents") items += ", avg(agents.score) as score, max(agents.level) as lvl";
        if (t == "channels") items += ", rate(duration(created -> agent_reply) <= channels.limit_s) as in_limit";
        if (t == "teams") items += ", distinct(teams.region) as regions";
      }
      if (joined.empty()) items += ", " + Pick({"biz_frt", "frt", "res"});
      return "select " + items + rest;
    }
    default: {
      const std::string cal = Pick({"cal0", "cal1", "cal2"});
      std::string items = Pick({"avg", "sum", "max", "p50"}) + "(duration(created -> " +
                          Pick({"agent_reply", "resolved", "closed"}) + " in " + cal + ")) as d";
      if (Chance(0.5)) items += ", rate(duration(created -> agent_reply in " + cal + ") <= " + Pick({"30m", "1h", "8h"}) + ") as r";
      if (Chance(0.3)) items += ", biz_frt";
      const std::string rest = Clauses(Kind::kSelect, &joined);
      return "select " + items + rest;
    }
  }
}

}  // namespace kpi::differential
