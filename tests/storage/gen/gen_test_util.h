// Helpers for the generator tests: run a generator to the end, decode the
// timestamps it prints (independently of the code under test), and group
// events by ticket.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cli/gen/generator.h"
#include "storage/raw_event.h"

namespace kpi::gen::testing {

// Every event of `options`, fetched in batches of `batch` events.
std::vector<RawEvent> GenerateAll(const GenOptions& options, size_t batch = 1000);

// The NDJSON text of `events`.
std::string ToNdjson(const std::vector<RawEvent>& events);

// Splits text into lines (without the '\n'); the text must end with '\n'.
std::vector<std::string> SplitLines(const std::string& text);

// Parses exactly "YYYY-MM-DDThh:mm:ss.mmmZ" into epoch milliseconds; false
// on any other shape.
bool ParseMillisUtc(const std::string& text, int64_t* ms);

// Events grouped by ticket, each list in stream order.
std::map<std::string, std::vector<const RawEvent*>> ByTicket(const std::vector<RawEvent>& events);

// The value of a dim / measure, or the fallback when absent.
std::string Dim(const RawEvent& e, const std::string& key, const std::string& fallback = "");
double Measure(const RawEvent& e, const std::string& key, double fallback = -1);

}  // namespace kpi::gen::testing
