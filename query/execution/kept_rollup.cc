#include "query/execution/kept_rollup.h"

#include "query/execution/memo_keys.h"

namespace kpi::query {

std::string RollupKey(const std::string& states_key, const storage::SegmentRef* refs, size_t n) {
  return states_key + "|u" + std::to_string(n) + VersionsKey(refs, n);
}

size_t RollupAnchor(const storage::SegmentRef* refs, size_t n) {
  size_t best = 0;
  for (size_t i = 1; i < n; ++i)
    if (refs[i].generation > refs[best].generation) best = i;
  return best;
}

StatesRollup::StatesRollup(const BoundQuery& q) : q_(q), table_(q.groups.size()), out_(std::make_shared<KeptStates>()) {
  for (const AggregateSpec& a : q.aggregates) out_->aggs.push_back(a.family->create(a, q));
}

bool StatesRollup::Add(const KeptStates& s) {
  if (s.groups == 0) return true;
  const size_t k = q_.groups.size();
  if (out_->groups == 0) {
    out_->types = s.types;
    out_->domains = s.domains;
  } else if (out_->types != s.types || out_->domains != s.domains) {
    return false;
  }
  map_.resize(s.groups);
  if (k == 0) {
    map_[0] = 0;
    out_->groups = 1;
  } else {
    for (size_t g = 0; g < s.groups; ++g) {
      bool inserted;
      const uint64_t* parts = s.parts.data() + g * k;
      map_[g] = table_.FindOrInsert(parts, &inserted);
      if (inserted) out_->parts.insert(out_->parts.end(), parts, parts + k);
    }
    out_->groups = table_.size();
  }
  for (size_t j = 0; j < out_->aggs.size(); ++j) {
    out_->aggs[j]->Resize(out_->groups);
    out_->aggs[j]->Combine(*s.aggs[j], map_.data());
  }
  return true;
}

std::shared_ptr<KeptStates> StatesRollup::Take() {
  for (auto& a : out_->aggs) a->Resize(out_->groups);
  FinishKeptStates(q_, out_.get());
  return std::move(out_);
}

}  // namespace kpi::query
