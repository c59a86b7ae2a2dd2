#include "query/execution/kept_scan.h"

#include "query/execution/group_table.h"
#include "query/execution/memo_fits.h"
#include "query/execution/ticket_memo.h"

namespace kpi::query {

const AtPlacement& AtPlacements(const storage::Segment& seg, const std::string& key, uint32_t code, bool last,
                                AtPlacement* scratch) {
  const uint32_t nt = seg.num_tickets();
  auto build = [&](AtPlacement* at) {
    at->place.assign(nt, 0);
    at->found.assign(nt, 0);
    at->rows.clear();
    for (uint32_t t = 0; t < nt && code != 0; ++t) {
      for (uint32_t e = seg.event_begin[t]; e < seg.event_begin[t + 1]; ++e) {
        if (seg.event_code[e] == code) {
          at->place[t] = seg.time_ms[e];
          at->found[t] = 1;
          if (!last) break;  // `at last(A)`: the latest A (events are in time order)
        }
      }
      if (at->found[t]) at->rows.push_back(t);
    }
  };
  if (const AtPlacement* kept = Memoized<AtPlacement>(seg, key, size_t{nt} * 13, build,
                                                      [&](const AtPlacement& a) { return AtFits(a, nt); }))
    return *kept;
  build(scratch);
  return *scratch;
}

const int64_t* KeptBucketStarts(const storage::Segment& seg, const std::string& key, const int64_t* place,
                                TimeBucketer* bucketer) {
  const uint32_t nt = seg.num_tickets();
  const std::vector<int64_t>* kept =
      Memoized<std::vector<int64_t>>(seg, key, size_t{nt} * 8, [&](std::vector<int64_t>* starts) {
        starts->resize(nt);
        bucketer->StartMany(place, nt, starts->data());
      },
      [&](const std::vector<int64_t>& starts) { return SizeIs(starts, nt); });
  return kept ? kept->data() : nullptr;
}

const LocalGroups* KeptLocalGroups(const storage::Segment& seg, const std::string& key, uint32_t n, size_t k,
                                   const std::function<void()>& compute,
                                   const std::function<uint64_t(size_t, uint32_t)>& part) {
  return Memoized<LocalGroups>(
      seg, key, size_t{n} * 4 + 4096,
      [&](LocalGroups* lg) {
        compute();
        GroupTable local(k);
        std::vector<uint64_t> row(k);
        lg->local.resize(n);
        for (uint32_t i = 0; i < n; ++i) {
          for (size_t j = 0; j < k; ++j) row[j] = part(j, i);
          bool inserted;
          lg->local[i] = local.FindOrInsert(row.data(), &inserted);
          if (inserted) {
            lg->parts.insert(lg->parts.end(), row.begin(), row.end());
            lg->first.push_back(i);
          }
        }
      },
      [&](const LocalGroups& lg) { return LocalGroupsFit(lg, n, k); },
      [](const LocalGroups& lg) { return lg.local.size() * 4 + lg.parts.size() * 8 + lg.first.size() * 4; });
}

}  // namespace kpi::query
