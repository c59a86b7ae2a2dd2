#include "cli/gen/raw_event_builder.h"

#include <algorithm>
#include <string>
#include <string_view>

namespace kpi::gen {

namespace {

int Digits(uint64_t n) {
  int d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}

// `prefix` then `number` zero-padded to `width` digits (wider if needed).
void SetId(char prefix, uint64_t number, int width, std::string* out) {
  const int digits = std::max(width, Digits(number));
  out->resize(static_cast<size_t>(digits) + 1);
  char* p = out->data();
  p[0] = prefix;
  for (int i = digits; i >= 1; --i) {
    p[i] = static_cast<char>('0' + number % 10);
    number /= 10;
  }
}

void SetDim(std::string_view key, std::string_view value,
            std::pair<std::string, std::string>* dim) {
  dim->first.assign(key);
  dim->second.assign(value);
}

void SetMeasure(std::string_view key, double value, std::pair<std::string, double>* measure) {
  measure->first.assign(key);
  measure->second = value;
}

}  // namespace

RawEventBuilder::RawEventBuilder(const GenOptions& options)
    : ticket_width_(std::max(6, Digits(options.tickets))),
      customer_width_(std::max(4, Digits(std::max<uint64_t>(1, options.tickets / 3)))),
      agent_width_(std::max(3, Digits(options.agents))) {}

void RawEventBuilder::Build(const CompactEvent& e, uint64_t line, RawEvent* out) const {
  out->ts_ms = e.ts_ms;
  out->line = line;
  SetId('T', uint64_t{e.ticket} + 1, ticket_width_, &out->ticket);
  out->event.assign(kEventNames[static_cast<int>(e.kind)]);
  if (e.agent == 0) {
    out->agent.clear();
  } else {
    SetId('a', e.agent, agent_width_, &out->agent);
  }
  out->id.clear();

  switch (e.kind) {
    case EventKind::kCreated: {
      const Dims d = UnpackDims(e.extra);
      out->dims.resize(7);
      SetId('C', uint64_t{e.value} + 1, customer_width_, &out->dims[0].second);
      out->dims[0].first.assign("customer");
      SetDim("channel", kChannels[d.channel], &out->dims[1]);
      SetDim("team", kTeams[d.team], &out->dims[2]);
      SetDim("category", kCategories[d.category], &out->dims[3]);
      SetDim("priority", kPriorities[d.priority], &out->dims[4]);
      SetDim("region", kRegions[d.region], &out->dims[5]);
      SetDim("business_type", kBusinessTypes[d.business_type], &out->dims[6]);
      out->measures.clear();
      break;
    }
    case EventKind::kTransferred:
      out->dims.resize(1);
      SetDim("team", kTeams[e.extra % kNumTeams], &out->dims[0]);
      out->measures.clear();
      break;
    case EventKind::kAgentReply:
      out->dims.clear();
      out->measures.resize(2);
      SetMeasure("handle_seconds", e.value, &out->measures[0]);
      SetMeasure("cost", e.extra / 100.0, &out->measures[1]);
      break;
    case EventKind::kRated:
      out->dims.clear();
      out->measures.resize(1);
      SetMeasure("csat", e.value, &out->measures[0]);
      break;
    case EventKind::kQaReviewed:
      out->dims.clear();
      out->measures.resize(1);
      SetMeasure("accurate", e.value, &out->measures[0]);
      break;
    default:
      out->dims.clear();
      out->measures.clear();
      break;
  }
}

}  // namespace kpi::gen
