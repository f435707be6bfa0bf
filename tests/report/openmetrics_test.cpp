// openmetrics: the rendered text parsed back line by line against the OpenMetrics 1.0 text
// format: canonical le values, cumulative counts at known values, exemplar placement, escaping,
// and the inputs the renderer must refuse.

#include "tracebench/report/openmetrics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace tracebench::harness {
namespace {

constexpr std::string_view kName = "tracebench_request_latency_seconds";
constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kSecond = 1'000'000'000;

using label_list = std::vector<std::pair<std::string, std::string>>;

struct parsed_exemplar {
  label_list labels;
  std::string value;
  std::optional<std::string> timestamp;
};

struct parsed_sample {
  std::string name;
  label_list labels;
  std::string value;
  std::optional<parsed_exemplar> exemplar;

  [[nodiscard]] std::string label(std::string_view key) const {
    for (const auto& [k, v] : labels) {
      if (k == key) return v;
    }
    return {};
  }
};

// The ABNF's pieces, for the sample shape the renderer writes: name, labels, number, exemplar.
const std::string kLabel = R"re([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[n"\\])*")re";
const std::string kLabels = "\\{(?:" + kLabel + "(?:," + kLabel + ")*)?\\}";
const std::string kReal = R"re([+-]?(?:[0-9]+(?:\.[0-9]*)?|[0-9]*\.[0-9]+)(?:e[+-]?[0-9]+)?)re";

bool is_real_number(const std::string& s) { return std::regex_match(s, std::regex(kReal)); }
bool is_integer(const std::string& s) { return std::regex_match(s, std::regex("[0-9]+")); }

label_list parse_labels(const std::string& text) {
  label_list out;
  static const std::regex label(R"re(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)")re");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), label); it != std::sregex_iterator(); ++it) {
    std::string value;
    const std::string escaped = (*it)[2];
    for (std::size_t i = 0; i < escaped.size(); ++i) {
      const bool escape = escaped[i] == '\\';
      value += escape && escaped[++i] == 'n' ? '\n' : escaped[i];
    }
    out.emplace_back((*it)[1], std::move(value));
  }
  return out;
}

parsed_sample parse_sample(const std::string& line) {
  static const std::regex sample("([a-zA-Z_:][a-zA-Z0-9_:]*)(" + kLabels + ")? ([^ ]+)(?: # (" + kLabels + ") (" +
                                 kReal + ")(?: (" + kReal + "))?)?");
  std::smatch m;
  if (!std::regex_match(line, m, sample)) throw std::runtime_error("not an OpenMetrics sample line: " + line);
  parsed_sample s{m[1], parse_labels(m[2]), m[3], std::nullopt};
  if (m[4].matched) s.exemplar = parsed_exemplar{parse_labels(m[4]), m[5], std::nullopt};
  if (m[6].matched) s.exemplar->timestamp = m[6];
  return s;
}

struct parsed_exposition {
  std::vector<std::string> metadata;  // lines starting with "#", "# EOF" included
  std::vector<parsed_sample> samples;
};

parsed_exposition parse(const std::string& text) {
  parsed_exposition out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("#")) {
      out.metadata.push_back(line);
    } else {
      out.samples.push_back(parse_sample(line));
    }
  }
  return out;
}

// One configuration's samples: bucket (le, count, exemplar) in order, then _count and _sum.
// Points into the parsed_exposition, which must outlive it.
struct series_view {
  std::vector<const parsed_sample*> buckets;
  const parsed_sample* count = nullptr;
  const parsed_sample* sum = nullptr;
};

std::map<std::string, series_view> by_configuration(const parsed_exposition& p) {
  std::map<std::string, series_view> out;
  const std::string name(kName);
  for (const parsed_sample& s : p.samples) {
    series_view& v = out[s.label("configuration")];
    if (s.name == name + "_bucket") {
      v.buckets.push_back(&s);
    } else if (s.name == name + "_count") {
      v.count = &s;
    } else if (s.name == name + "_sum") {
      v.sum = &s;
    } else {
      ADD_FAILURE() << "unexpected sample " << s.name;
    }
  }
  return out;
}

std::map<std::string, series_view> by_configuration(parsed_exposition&&) = delete;  // would dangle

std::string trace_id(int n) {  // "a0...0<n + 1>", 32 digits
  const std::string tail = std::to_string(n + 1);
  return std::string("a").append(31 - tail.size(), '0').append(tail);
}

std::string render(const std::vector<openmetrics_series>& series) {
  const std::vector<std::int64_t> bounds = default_latency_bounds();
  return render_openmetrics(kName, series, bounds);
}

TEST(OpenMetrics, CanonicalNumbersFollowTheSpecsExamples) {
  const std::vector<std::pair<double, std::string>> cases = {
      {0.0, "0.0"},         {0.001, "0.001"},     {0.002, "0.002"},    {0.01, "0.01"},   {0.1, "0.1"},
      {0.9, "0.9"},         {0.95, "0.95"},       {0.99, "0.99"},      {0.999, "0.999"}, {1.0, "1.0"},
      {1.7, "1.7"},         {10.0, "10.0"},       {1e-10, "1e-10"},    {1e-9, "1e-09"},  {1e-5, "1e-05"},
      {1e-4, "0.0001"},     {1e5, "100000.0"},    {1e6, "1e+06"},      {1e10, "1e+10"},  {1.1e23, "1.1e+23"},
      {0.00025, "0.00025"}, {123.456, "123.456"}, {2.5e-5, "2.5e-05"}, {-0.5, "-0.5"}};
  for (const auto& [value, text] : cases) EXPECT_EQ(openmetrics_canonical_number(value), text) << value;
}

TEST(OpenMetrics, DefaultBoundsRenderAsCanonicalLeValues) {
  const std::vector<std::int64_t> bounds = default_latency_bounds();
  ASSERT_EQ(bounds.size(), 19U);
  EXPECT_TRUE(std::is_sorted(bounds.begin(), bounds.end()));
  latency_histogram h;
  const std::vector<openmetrics_series> series = {{"1/16", &h, {}}};
  const parsed_exposition p = parse(render(series));
  const auto views = by_configuration(p);
  std::vector<std::string> le;
  for (const parsed_sample* b : views.at("1/16").buckets) le.push_back(b->label("le"));
  const std::vector<std::string> expected = {"0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01",
                                             "0.025",  "0.05",    "0.1",    "0.25",  "0.5",    "1.0",   "2.5",
                                             "5.0",    "10.0",    "25.0",   "50.0",  "100.0",  "+Inf"};
  EXPECT_EQ(le, expected);
}

TEST(OpenMetrics, KnownValuesGiveExactCumulativeCounts) {
  latency_histogram h;
  h.record(300'000, 10);  // 300 us
  h.record(3 * kMs, 5);
  h.record(30 * kSecond);
  h.record(150 * kSecond);  // above the histogram's 100 s: overflow
  const std::vector<openmetrics_series> series = {{"tail", &h, {}}};
  const std::string text = render(series);
  const parsed_exposition parsed = parse(text);
  const auto views = by_configuration(parsed);
  const series_view& v = views.at("tail");
  // le -> cumulative count, for every bound: 300 us from 0.0005 on, 3 ms from 0.005, 30 s from 50.
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"0.0001", "0"}, {"0.00025", "0"}, {"0.0005", "10"}, {"0.001", "10"}, {"0.0025", "10"},
      {"0.005", "15"}, {"0.01", "15"},   {"0.025", "15"},  {"0.05", "15"},  {"0.1", "15"},
      {"0.25", "15"},  {"0.5", "15"},    {"1.0", "15"},    {"2.5", "15"},   {"5.0", "15"},
      {"10.0", "15"},  {"25.0", "15"},   {"50.0", "16"},   {"100.0", "16"}, {"+Inf", "17"}};
  std::vector<std::pair<std::string, std::string>> got;
  for (const parsed_sample* b : v.buckets) got.emplace_back(b->label("le"), b->value);
  EXPECT_EQ(got, expected);
  ASSERT_NE(v.count, nullptr);
  ASSERT_NE(v.sum, nullptr);
  EXPECT_EQ(v.count->value, "17");
  EXPECT_EQ(v.sum->value, "180.018");  // 3 ms + 15 ms + 30 s + 150 s, exactly
}

TEST(OpenMetrics, BucketsAreCumulativeAndInfEqualsCount) {
  std::mt19937_64 rng(5);
  std::lognormal_distribution<double> latency(std::log(5e6), 2.5);
  latency_histogram a;
  latency_histogram b;
  for (int i = 0; i < 20'000; ++i) a.record(static_cast<std::int64_t>(latency(rng)));
  for (int i = 0; i < 7'000; ++i) b.record(static_cast<std::int64_t>(latency(rng) * 3));
  ASSERT_GT(a.overflow_count() + b.overflow_count(), 0U);
  const std::vector<openmetrics_series> series = {{"1/16", &a, {}}, {"tail", &b, {}}, {"off", &a, {}}};
  const parsed_exposition p = parse(render(series));
  const auto views = by_configuration(p);
  ASSERT_EQ(views.size(), 3U);
  for (const auto& [configuration, v] : views) {
    const latency_histogram& h = configuration == "tail" ? b : a;
    ASSERT_EQ(v.buckets.size(), 20U);
    std::uint64_t previous = 0;
    double previous_le = 0;
    for (const parsed_sample* s : v.buckets) {
      ASSERT_TRUE(is_integer(s->value)) << s->value;
      const std::uint64_t count = std::stoull(s->value);
      EXPECT_GE(count, previous) << configuration;
      previous = count;
      if (s->label("le") != "+Inf") {
        ASSERT_TRUE(is_real_number(s->label("le")));
        EXPECT_GT(std::stod(s->label("le")), previous_le);
        previous_le = std::stod(s->label("le"));
      }
    }
    EXPECT_EQ(v.buckets.back()->label("le"), "+Inf");
    EXPECT_EQ(v.buckets.back()->value, std::to_string(h.count()));
    ASSERT_NE(v.count, nullptr);
    EXPECT_EQ(v.count->value, std::to_string(h.count()));
    ASSERT_NE(v.sum, nullptr);
    ASSERT_TRUE(is_real_number(v.sum->value));
    EXPECT_DOUBLE_EQ(std::stod(v.sum->value), static_cast<double>(h.sum()) / 1e9);
  }
  // Series are written whole, in the order given (metrics must not be interleaved).
  std::vector<std::string> order;
  for (const parsed_sample& s : p.samples) {
    if (order.empty() || order.back() != s.label("configuration")) order.push_back(s.label("configuration"));
  }
  EXPECT_EQ(order, (std::vector<std::string>{"1/16", "tail", "off"}));
}

TEST(OpenMetrics, ExemplarsGoOnTheirBucketOnlyLargestFirst) {
  latency_histogram h;
  h.record(300'000, 10);
  std::vector<latency_exemplar> exemplars = {
      {trace_id(0), 300'000, 1'700'000'000.25},  // (0.00025, 0.0005]; loses to 400 us
      {trace_id(1), 400'000, 0},                 // same bucket, largest: kept, no timestamp
      {trace_id(2), 500'000, 1'700'000'001.5},   // exactly on 0.0005: still that bucket, and larger
      {trace_id(3), 3 * kMs, 1'700'000'002},     // (0.0025, 0.005]
      {trace_id(4), 100'001 * kMs, 0},           // above the last bound: +Inf
      {trace_id(5), 20'000, 0},                  // below the first bound: le=0.0001
  };
  const std::vector<openmetrics_series> series = {{"1/16", &h, exemplars}};
  const std::string text = render(series);
  std::reverse(exemplars.begin(), exemplars.end());
  const std::vector<openmetrics_series> reversed = {{"1/16", &h, exemplars}};
  EXPECT_EQ(render(reversed), text) << "the chosen exemplar must not depend on input order";

  const parsed_exposition parsed = parse(text);
  const auto views = by_configuration(parsed);
  const std::map<std::string, std::pair<std::string, std::string>> expected = {// le -> trace id, value
                                                                               {"0.0001", {trace_id(5), "2e-05"}},
                                                                               {"0.0005", {trace_id(2), "0.0005"}},
                                                                               {"0.005", {trace_id(3), "0.003"}},
                                                                               {"+Inf", {trace_id(4), "100.001"}}};
  std::size_t seen = 0;
  double previous_le = 0;
  for (const parsed_sample* b : views.at("1/16").buckets) {
    const std::string le = b->label("le");
    const auto it = expected.find(le);
    if (it == expected.end()) {
      EXPECT_FALSE(b->exemplar) << "le=" << le;
    } else {
      ++seen;
      ASSERT_TRUE(b->exemplar) << "le=" << le;
      ASSERT_EQ(b->exemplar->labels.size(), 1U);
      EXPECT_EQ(b->exemplar->labels[0].first, "trace_id");
      EXPECT_EQ(b->exemplar->labels[0].second, it->second.first);
      EXPECT_EQ(b->exemplar->value, it->second.second);
      const double value = std::stod(b->exemplar->value);
      if (le != "+Inf") {
        EXPECT_LE(value, std::stod(le));
      }
      EXPECT_GT(value, previous_le);
    }
    if (le != "+Inf") previous_le = std::stod(le);
  }
  EXPECT_EQ(seen, expected.size());
  // Losers appear nowhere; timestamps only where given, in fixed notation.
  EXPECT_EQ(text.find(trace_id(0)), std::string::npos);
  EXPECT_EQ(text.find(trace_id(1)), std::string::npos);
  EXPECT_NE(text.find(trace_id(2) + "\"} 0.0005 1700000001.5\n"), std::string::npos) << text;
  EXPECT_NE(text.find(trace_id(3) + "\"} 0.003 1700000002\n"), std::string::npos) << text;
  EXPECT_NE(text.find(trace_id(4) + "\"} 100.001\n"), std::string::npos) << text;
}

TEST(OpenMetrics, MetadataFirstAndEofLast) {
  latency_histogram h;
  const std::vector<openmetrics_series> series = {{"1/16", &h, {}}};
  const std::string text = render(series);
  ASSERT_TRUE(text.ends_with("\n# EOF\n"));
  const parsed_exposition p = parse(text);
  const std::string name(kName);
  EXPECT_EQ(p.metadata,
            (std::vector<std::string>{"# TYPE " + name + " histogram", "# UNIT " + name + " seconds", "# EOF"}));
  EXPECT_TRUE(text.starts_with("# TYPE " + name + " histogram\n# UNIT "));
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_EQ(render({}), p.metadata[0] + "\n" + p.metadata[1] + "\n# EOF\n");  // no series is valid too
}

TEST(OpenMetrics, EmptyHistogramStillWritesItsSeries) {
  latency_histogram h;
  const std::vector<openmetrics_series> series = {{"1/1024", &h, {}}};
  const parsed_exposition parsed = parse(render(series));
  const auto views = by_configuration(parsed);
  const series_view& v = views.at("1/1024");
  ASSERT_EQ(v.buckets.size(), 20U);
  for (const parsed_sample* b : v.buckets) EXPECT_EQ(b->value, "0");
  ASSERT_NE(v.count, nullptr);
  ASSERT_NE(v.sum, nullptr);
  EXPECT_EQ(v.count->value, "0");
  EXPECT_EQ(v.sum->value, "0.0");
}

TEST(OpenMetrics, ConfigurationLabelIsEscaped) {
  latency_histogram h;
  h.record(kMs);
  const std::string configuration = "say \"hi\" \\ to\nme, {ok}";
  const std::vector<openmetrics_series> series = {{configuration, &h, {}}};
  const std::string text = render(series);
  EXPECT_NE(text.find(R"(configuration="say \"hi\" \\ to\nme, {ok}")"), std::string::npos) << text;
  const parsed_exposition parsed = parse(text);
  const auto views = by_configuration(parsed);
  ASSERT_EQ(views.size(), 1U);
  EXPECT_EQ(views.begin()->first, configuration);
  EXPECT_EQ(views.begin()->second.buckets.size(), 20U);
  // Multi-byte UTF-8 passes through unescaped.
  const std::vector<openmetrics_series> utf8 = {{"\xC2\xB5s \xE2\x86\x92 tail", &h, {}}};
  EXPECT_NE(render(utf8).find("configuration=\"\xC2\xB5s \xE2\x86\x92 tail\""), std::string::npos);
}

TEST(OpenMetrics, BadTraceIdsAreRejected) {
  latency_histogram h;
  const std::string good = trace_id(7);
  for (const std::string& bad : {good.substr(1), good + "0", std::string("A") + good.substr(1),
                                 std::string("g") + good.substr(1), std::string(32, '0'), std::string{}}) {
    const std::vector<openmetrics_series> series = {{"1/16", &h, {{good, kMs, 0}, {bad, 2 * kMs, 0}}}};
    try {
      (void)render(series);
      ADD_FAILURE() << "accepted trace id \"" << bad << '"';
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("trace_id"), std::string::npos) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
  }
  const std::vector<openmetrics_series> ok = {{"1/16", &h, {{good, kMs, 0}}}};
  EXPECT_NO_THROW((void)render(ok));
}

TEST(OpenMetrics, BadBoundsAreRejected) {
  latency_histogram h;
  const std::vector<openmetrics_series> series = {{"1/16", &h, {}}};
  const std::vector<std::vector<std::int64_t>> bad = {{}, {kMs, 2 * kMs, kMs}, {kMs, kMs}, {0, kMs}, {-kMs, kMs}};
  for (const auto& bounds : bad) {
    EXPECT_THROW((void)render_openmetrics(kName, series, bounds), std::invalid_argument) << bounds.size();
  }
  const std::vector<std::int64_t> custom = {1, 10'000, 1'000 * kSecond / 10, 1'000'000 * kSecond};
  const auto p = parse(render_openmetrics(kName, series, custom));
  std::vector<std::string> le;
  for (const parsed_sample& s : p.samples) {
    if (!s.label("le").empty()) le.push_back(s.label("le"));
  }
  EXPECT_EQ(le, (std::vector<std::string>{"1e-09", "1e-05", "100.0", "1e+06", "+Inf"}));
}

TEST(OpenMetrics, BadSeriesAndNamesAreRejected) {
  latency_histogram h;
  const std::vector<std::int64_t> bounds = default_latency_bounds();
  auto rejects = [&](std::string_view name, const std::vector<openmetrics_series>& series) {
    EXPECT_THROW((void)render_openmetrics(name, series, bounds), std::invalid_argument) << name;
  };
  rejects(kName, {{"bad \xC3 utf8", &h, {}}});
  rejects(kName, {{"\xED\xA0\x80", &h, {}}});  // a UTF-16 surrogate
  rejects(kName, {{"", &h, {}}});
  rejects(kName, {{"1/16", &h, {}}, {"1/16", &h, {}}});
  rejects(kName, {{"1/16", nullptr, {}}});
  rejects(kName, {{"1/16", &h, {{trace_id(1), kMs, std::numeric_limits<double>::infinity()}}}});
  const std::vector<openmetrics_series> ok = {{"1/16", &h, {}}};
  for (std::string_view name :
       {"latency", "latency_seconds_total", "9_seconds", "bad-name_seconds", "_seconds", "_x_seconds"}) {
    rejects(name, ok);
  }
  EXPECT_NO_THROW((void)render_openmetrics("ns:latency_seconds", ok, bounds));
}

}  // namespace
}  // namespace tracebench::harness
