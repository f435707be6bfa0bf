// Head samplers: ratio statistics, determinism, superset, parent-based delegation,
// consistent probability thresholds and tracestate, ratio parsing.

#include "tracebench/tracer/sampler.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "tracebench/tracer/ids.hpp"

namespace tracebench::tracer {
namespace {

constexpr std::size_t kDraws = 1'000'000;
const double kRatios[] = {1.0 / 2, 1.0 / 4, 1.0 / 16, 1.0 / 1024};

trace_state state_of(std::string_view header) {
  auto parsed = trace_state::parse(header);
  EXPECT_TRUE(parsed.has_value()) << header;
  return parsed.value_or(trace_state{});
}

span_context context(trace_id trace, bool sampled, bool remote, trace_state state = {}) {
  span_context c;
  c.trace = trace;
  c.span = span_id{0x1122334455667788ULL};
  c.flags = sampled ? kSampledFlag : 0;
  c.remote = remote;
  c.state = std::move(state);
  return c;
}

// Trace id whose 56 random bits are `r`; the high bits are arbitrary.
trace_id with_randomness(std::uint64_t r) { return trace_id{0x0123456789abcdefULL, (0xabULL << 56) | r}; }

// A fixed seed: the ids are as uniform as random_trace_id()'s, but the same every run, so
// the 99.9% intervals below pass or fail deterministically instead of 1 run in ~125.
const std::vector<trace_id>& million_ids() {
  static const std::vector<trace_id> ids = [] {
    std::mt19937_64 rng(20261121);
    std::vector<trace_id> v(kDraws);
    for (auto& id : v) id = trace_id{rng(), rng()};
    return v;
  }();
  return ids;
}

void expect_inside_binomial_interval(const sampler& s, double p) {
  std::size_t kept = 0;
  for (const trace_id& id : million_ids()) kept += s.should_sample(span_context{}, id).sampled ? 1U : 0U;
  const double n = static_cast<double>(kDraws);
  const double fraction = static_cast<double>(kept) / n;
  const double half_width = 3.29 * std::sqrt(p * (1 - p) / n);
  EXPECT_NEAR(fraction, p, half_width) << s.description() << " kept " << kept << " of " << kDraws;
}

// ---- statistics -------------------------------------------------------------------

TEST(SamplerStatisticsTest, TraceIdRatioKeepsItsFraction) {
  for (const double p : kRatios) expect_inside_binomial_interval(sampler::trace_id_ratio(p), p);
}

TEST(SamplerStatisticsTest, ConsistentProbabilityKeepsItsFraction) {
  for (const double p : kRatios) expect_inside_binomial_interval(sampler::consistent_probability(p), p);
}

TEST(SamplerStatisticsTest, ExtremesKeepAllOrNothing) {
  const auto& ids = million_ids();
  for (std::size_t i = 0; i < 10'000; ++i) {
    EXPECT_TRUE(sampler::trace_id_ratio(1.0).should_sample({}, ids[i]).sampled);
    EXPECT_TRUE(sampler::consistent_probability(1.0).should_sample({}, ids[i]).sampled);
    EXPECT_FALSE(sampler::trace_id_ratio(0.0).should_sample({}, ids[i]).sampled);
    EXPECT_FALSE(sampler::consistent_probability(0.0).should_sample({}, ids[i]).sampled);
    EXPECT_TRUE(sampler::always_on().should_sample({}, ids[i]).sampled);
    EXPECT_FALSE(sampler::always_off().should_sample({}, ids[i]).sampled);
  }
  // The boundary randomness values.
  EXPECT_TRUE(sampler::trace_id_ratio(1.0).should_sample({}, with_randomness(kRandomnessMask)).sampled);
  EXPECT_TRUE(sampler::consistent_probability(1.0).should_sample({}, with_randomness(0)).sampled);
  EXPECT_FALSE(sampler::consistent_probability(0.0).should_sample({}, with_randomness(kRandomnessMask)).sampled);
  EXPECT_FALSE(sampler::trace_id_ratio(0.0).should_sample({}, with_randomness(0)).sampled);
}

TEST(SamplerStatisticsTest, Deterministic) {
  const auto& ids = million_ids();
  for (const double p : kRatios) {
    const sampler a = sampler::trace_id_ratio(p);
    const sampler b = sampler::trace_id_ratio(p);  // a second instance decides the same
    const sampler c = sampler::consistent_probability(p);
    const sampler d = sampler::consistent_probability(p);
    for (std::size_t i = 0; i < 100'000; ++i) {
      const bool first = a.should_sample({}, ids[i]).sampled;
      ASSERT_EQ(first, a.should_sample({}, ids[i]).sampled);
      ASSERT_EQ(first, b.should_sample({}, ids[i]).sampled);
      const bool cfirst = c.should_sample({}, ids[i]).sampled;
      ASSERT_EQ(cfirst, c.should_sample({}, ids[i]).sampled);
      ASSERT_EQ(cfirst, d.should_sample({}, ids[i]).sampled);
    }
  }
}

TEST(SamplerStatisticsTest, HigherRatioKeepsSuperset) {
  const auto& ids = million_ids();
  const sampler r16 = sampler::trace_id_ratio(1.0 / 16), r4 = sampler::trace_id_ratio(0.25),
                r2 = sampler::trace_id_ratio(0.5);
  const sampler c16 = sampler::consistent_probability(1.0 / 16), c4 = sampler::consistent_probability(0.25),
                c2 = sampler::consistent_probability(0.5);
  std::size_t kept16 = 0, ckept16 = 0;
  for (const trace_id& id : ids) {
    if (r16.should_sample({}, id).sampled) {
      ++kept16;
      ASSERT_TRUE(r4.should_sample({}, id).sampled) << id.hex();
      ASSERT_TRUE(r2.should_sample({}, id).sampled) << id.hex();
    }
    if (r4.should_sample({}, id).sampled) {
      ASSERT_TRUE(r2.should_sample({}, id).sampled) << id.hex();
    }
    if (c16.should_sample({}, id).sampled) {
      ++ckept16;
      ASSERT_TRUE(c4.should_sample({}, id).sampled) << id.hex();
      ASSERT_TRUE(c2.should_sample({}, id).sampled) << id.hex();
    }
    if (c4.should_sample({}, id).sampled) {
      ASSERT_TRUE(c2.should_sample({}, id).sampled) << id.hex();
    }
  }
  EXPECT_GT(kept16, 0U);
  EXPECT_GT(ckept16, 0U);
}

TEST(SamplerTest, RejectsProbabilityOutsideUnitInterval) {
  EXPECT_THROW((void)sampler::trace_id_ratio(1.5), std::invalid_argument);
  EXPECT_THROW((void)sampler::trace_id_ratio(-0.1), std::invalid_argument);
  EXPECT_THROW((void)sampler::trace_id_ratio(std::nan("")), std::invalid_argument);
  EXPECT_THROW((void)sampler::consistent_probability(2.0), std::invalid_argument);
  EXPECT_THROW((void)sampler::consistent_probability(std::nan("")), std::invalid_argument);
}

// ---- parent based ------------------------------------------------------------------

TEST(ParentBasedTest, FollowsTheParentInAllFourCases) {
  // Roots would never be sampled, so every "sampled" below comes from the parent.
  const sampler s = sampler::parent_based(sampler::always_off());
  const trace_id id = random_trace_id();
  EXPECT_TRUE(s.should_sample(context(id, true, true), id).sampled);
  EXPECT_FALSE(s.should_sample(context(id, false, true), id).sampled);
  EXPECT_TRUE(s.should_sample(context(id, true, false), id).sampled);
  EXPECT_FALSE(s.should_sample(context(id, false, false), id).sampled);

  const sampler on = sampler::parent_based(sampler::always_on());
  EXPECT_TRUE(on.should_sample(context(id, true, true), id).sampled);
  EXPECT_FALSE(on.should_sample(context(id, false, true), id).sampled);
  EXPECT_TRUE(on.should_sample(context(id, true, false), id).sampled);
  EXPECT_FALSE(on.should_sample(context(id, false, false), id).sampled);
}

TEST(ParentBasedTest, FollowsTheParentAgainstTheRootRatio) {
  // A parent's decision wins even where the root sampler would decide the other way.
  const sampler s = sampler::parent_based(sampler::consistent_probability(1.0 / 1024));
  const trace_id unlikely = with_randomness(0);              // the root sampler drops it
  const trace_id likely = with_randomness(kRandomnessMask);  // the root sampler keeps it
  EXPECT_TRUE(s.should_sample(context(unlikely, true, true), unlikely).sampled);
  EXPECT_FALSE(s.should_sample(context(likely, false, false), likely).sampled);
}

TEST(ParentBasedTest, UsesTheRootSamplerForRoots) {
  EXPECT_TRUE(sampler::parent_based(sampler::always_on()).should_sample({}, random_trace_id()).sampled);
  EXPECT_FALSE(sampler::parent_based(sampler::always_off()).should_sample({}, random_trace_id()).sampled);
  const sampler root = sampler::trace_id_ratio(0.25);
  const sampler s = sampler::parent_based(root);
  const auto& ids = million_ids();
  std::size_t kept = 0;
  for (std::size_t i = 0; i < 100'000; ++i) {
    const bool expected = root.should_sample({}, ids[i]).sampled;
    ASSERT_EQ(s.should_sample({}, ids[i]).sampled, expected);
    kept += expected ? 1U : 0U;
  }
  EXPECT_GT(kept, 20'000U);
  EXPECT_LT(kept, 30'000U);
  // An invalid parent (a span id without a trace id) is a root too.
  span_context half = context(trace_id{}, true, true);
  EXPECT_FALSE(sampler::parent_based(sampler::always_off()).should_sample(half, random_trace_id()).sampled);
}

TEST(ParentBasedTest, CustomDelegatesAreHonoured) {
  // Every delegate inverts what the default would do.
  const sampler s = sampler::parent_based(sampler::always_off(), sampler::always_off(), sampler::always_on(),
                                          sampler::always_off(), sampler::always_on());
  const trace_id id = random_trace_id();
  EXPECT_FALSE(s.should_sample(context(id, true, true), id).sampled);
  EXPECT_TRUE(s.should_sample(context(id, false, true), id).sampled);
  EXPECT_FALSE(s.should_sample(context(id, true, false), id).sampled);
  EXPECT_TRUE(s.should_sample(context(id, false, false), id).sampled);
  EXPECT_FALSE(s.should_sample({}, id).sampled);

  // Only one delegate given: the others keep their defaults.
  const sampler only_remote_sampled = sampler::parent_based(sampler::always_on(), sampler::always_off());
  EXPECT_FALSE(only_remote_sampled.should_sample(context(id, true, true), id).sampled);
  EXPECT_FALSE(only_remote_sampled.should_sample(context(id, false, true), id).sampled);
  EXPECT_TRUE(only_remote_sampled.should_sample(context(id, true, false), id).sampled);
  EXPECT_FALSE(only_remote_sampled.should_sample(context(id, false, false), id).sampled);
  EXPECT_TRUE(only_remote_sampled.should_sample({}, id).sampled);
}

TEST(ParentBasedTest, CopiesDecideTheSame) {
  const sampler original = sampler::parent_based(sampler::consistent_probability(0.25));
  const sampler copy = original;  // NOLINT(performance-unnecessary-copy-initialization)
  const auto& ids = million_ids();
  for (std::size_t i = 0; i < 10'000; ++i) {
    ASSERT_EQ(original.should_sample({}, ids[i]).sampled, copy.should_sample({}, ids[i]).sampled);
  }
  EXPECT_EQ(copy.description(), original.description());
  EXPECT_EQ(copy.type(), sampler::kind::parent_based);
  EXPECT_DOUBLE_EQ(copy.probability(), 0.25);
}

// ---- consistent probability ----------------------------------------------------------

TEST(ConsistentProbabilityTest, ThresholdEncodings) {
  EXPECT_EQ(encode_threshold(threshold_for_probability(1.0)), "0");
  EXPECT_EQ(encode_threshold(threshold_for_probability(1.0 / 2)), "8");
  EXPECT_EQ(encode_threshold(threshold_for_probability(1.0 / 4)), "c");
  EXPECT_EQ(encode_threshold(threshold_for_probability(1.0 / 16)), "f");
  EXPECT_EQ(encode_threshold(threshold_for_probability(1.0 / 1024)), "ffc");
  EXPECT_EQ(threshold_for_probability(1.0), 0U);
  EXPECT_EQ(threshold_for_probability(0.5), kMaxThreshold / 2);
  EXPECT_EQ(threshold_for_probability(0.0), kMaxThreshold);
  EXPECT_EQ(threshold_for_probability(-1.0), kMaxThreshold);
  EXPECT_EQ(threshold_for_probability(std::nan("")), kMaxThreshold);
  EXPECT_EQ(encode_threshold(kMaxThreshold - 1), "ffffffffffffff");
  EXPECT_EQ(encode_threshold(1), "00000000000001");
}

TEST(ConsistentProbabilityTest, NeverSampleThresholdIsNotEncodedAsAlwaysSample) {
  // T = 2^56 (probability 0) has no 14-digit encoding; it must never come out as "0",
  // which means "keep everything".
  const std::string encoded = encode_threshold(kMaxThreshold);
  EXPECT_NE(encoded, "0");
  EXPECT_FALSE(decode_threshold(encoded).has_value());
}

TEST(ConsistentProbabilityTest, DecodeRoundTrip) {
  for (const double p : {1.0, 0.5, 0.25, 1.0 / 16, 1.0 / 1024, 0.3, 1.0 / 3, 1e-9}) {
    const std::uint64_t t = threshold_for_probability(p);
    const auto decoded = decode_threshold(encode_threshold(t));
    ASSERT_TRUE(decoded.has_value()) << p;
    EXPECT_EQ(*decoded, t) << p;
  }
  EXPECT_EQ(decode_threshold("8"), kMaxThreshold / 2);
  EXPECT_EQ(decode_threshold("80000000000000"), kMaxThreshold / 2);
  EXPECT_EQ(decode_threshold("0"), 0U);
  EXPECT_EQ(decode_threshold("ffc"), 0xffc0'0000'0000'00ULL);
  EXPECT_FALSE(decode_threshold("").has_value());
  EXPECT_FALSE(decode_threshold("800000000000000").has_value());  // 15 digits
  EXPECT_FALSE(decode_threshold("C").has_value());
  EXPECT_FALSE(decode_threshold("x").has_value());
  EXPECT_FALSE(decode_threshold("8;").has_value());
}

TEST(ConsistentProbabilityTest, SampledRootsCarryTheThreshold) {
  const struct {
    double p;
    std::string_view ot;
  } cases[] = {{1.0, "th:0"}, {0.5, "th:8"}, {0.25, "th:c"}, {1.0 / 16, "th:f"}, {1.0 / 1024, "th:ffc"}};
  for (const auto& c : cases) {
    const sampler s = sampler::consistent_probability(c.p);
    const sampling_result kept = s.should_sample({}, with_randomness(kRandomnessMask));
    ASSERT_TRUE(kept.sampled) << c.p;
    EXPECT_EQ(kept.state.get("ot"), c.ot);
    EXPECT_EQ(kept.state.size(), 1U);
    if (c.p < 1.0) {
      const sampling_result dropped = s.should_sample({}, with_randomness(0));
      EXPECT_FALSE(dropped.sampled);
      EXPECT_TRUE(dropped.state.empty());
    }
  }
  // Exactly at the threshold is kept, one below is not.
  const sampler half = sampler::consistent_probability(0.5);
  EXPECT_TRUE(half.should_sample({}, with_randomness(kMaxThreshold / 2)).sampled);
  EXPECT_FALSE(half.should_sample({}, with_randomness(kMaxThreshold / 2 - 1)).sampled);
  // Under parent_based the root keeps the threshold too.
  const sampling_result root = sampler::parent_based(sampler::consistent_probability(1.0 / 16))
                                   .should_sample({}, with_randomness(kRandomnessMask));
  EXPECT_TRUE(root.sampled);
  EXPECT_EQ(root.state.get("ot"), "th:f");
  // Other samplers write no tracestate for roots.
  EXPECT_TRUE(sampler::always_on().should_sample({}, random_trace_id()).state.empty());
  EXPECT_TRUE(sampler::trace_id_ratio(1.0).should_sample({}, random_trace_id()).state.empty());
}

TEST(ConsistentProbabilityTest, ChildrenUnderParentBasedCarryTheParentsTracestate) {
  const sampler s = sampler::parent_based(sampler::consistent_probability(1.0 / 1024));
  const trace_id id = with_randomness(0x00f0'0000'0000'00ULL);
  const trace_state parent_state = state_of("ot=th:f,vendor=abc");
  for (const bool remote : {true, false}) {
    for (const bool sampled : {true, false}) {
      const sampling_result r = s.should_sample(context(id, sampled, remote, parent_state), id);
      EXPECT_EQ(r.sampled, sampled);
      EXPECT_EQ(r.state, parent_state) << "remote " << remote << " sampled " << sampled;
      EXPECT_EQ(r.state.get("ot"), "th:f");
      EXPECT_EQ(r.state.get("vendor"), "abc");
    }
  }
}

TEST(ConsistentProbabilityTest, ChildrenOfOtherSamplersKeepTheParentsTracestate) {
  // W3C: a participant passes on tracestate it did not write, whatever its sampler.
  const trace_state parent_state = state_of("vendor=abc,other=1");
  const trace_id id = random_trace_id();
  const span_context parent = context(id, true, true, parent_state);
  for (const sampler& s : {sampler::always_on(), sampler::always_off(), sampler::trace_id_ratio(0.5)}) {
    EXPECT_EQ(s.should_sample(parent, id).state, parent_state) << s.description();
  }
}

TEST(ConsistentProbabilityTest, ChildDecidedAfreshUpdatesThresholdAndKeepsTheRest) {
  // consistent_probability used directly (not parent-based) on a child: it decides
  // again, records its own threshold and keeps rv and the other members.
  const sampler s = sampler::consistent_probability(0.25);
  const trace_id id = with_randomness(0);
  const span_context parent = context(id, true, true, state_of("ot=th:8;rv:ffffffffffffff,vendor=abc"));
  const sampling_result r = s.should_sample(parent, id);
  ASSERT_TRUE(r.sampled) << "rv says the randomness is maximal";
  EXPECT_EQ(threshold_from_trace_state(r.state), threshold_for_probability(0.25));
  EXPECT_EQ(r.state.get("vendor"), "abc");
  span_context child = context(id, true, false, r.state);
  EXPECT_EQ(randomness_of(child), kRandomnessMask) << "rv must survive: " << r.state.to_header();

  // Same threshold already present: the parent's state passes through unchanged.
  const trace_state same = state_of("ot=th:c,vendor=abc");
  EXPECT_EQ(
      s.should_sample(context(with_randomness(kRandomnessMask), true, false, same), with_randomness(kRandomnessMask))
          .state,
      same);
}

TEST(ConsistentProbabilityTest, AdjustedCount) {
  for (const double p : {1.0, 0.5, 0.25, 1.0 / 16, 1.0 / 1024}) {
    const sampling_result r = sampler::consistent_probability(p).should_sample({}, with_randomness(kRandomnessMask));
    ASSERT_TRUE(r.sampled);
    const span_context sampled = context(random_trace_id(), true, false, r.state);
    const auto count = adjusted_count(sampled);
    ASSERT_TRUE(count.has_value()) << p;
    EXPECT_DOUBLE_EQ(*count, 1.0 / p);
    // The same state on an unsampled span: it represents nothing.
    const auto unsampled = adjusted_count(context(random_trace_id(), false, false, r.state));
    ASSERT_TRUE(unsampled.has_value());
    EXPECT_EQ(*unsampled, 0.0);
  }
  EXPECT_EQ(adjusted_count(context(random_trace_id(), false, false)), 0.0);
  EXPECT_FALSE(adjusted_count(context(random_trace_id(), true, false)).has_value());
  EXPECT_FALSE(adjusted_count(context(random_trace_id(), true, false, state_of("vendor=x"))).has_value());
  EXPECT_FALSE(adjusted_count(context(random_trace_id(), true, false, state_of("ot=rv:00000000000000"))).has_value());
  EXPECT_FALSE(adjusted_count(context(random_trace_id(), true, false, state_of("ot=th:zz"))).has_value());
  EXPECT_EQ(threshold_from_trace_state(state_of("ot=rv:abcdefabcdefab;th:c")), kMaxThreshold / 4 * 3);
}

TEST(ConsistentProbabilityTest, RandomnessFromRvSubKeyIsHonoured) {
  const trace_id low = with_randomness(0);
  const trace_id high = with_randomness(kRandomnessMask);
  EXPECT_EQ(randomness_of(context(low, true, true)), 0U);
  EXPECT_EQ(randomness_of(context(high, true, true)), kRandomnessMask);
  EXPECT_EQ(randomness_of(context(low, true, true, state_of("ot=rv:ffffffffffffff"))), kRandomnessMask);
  EXPECT_EQ(randomness_of(context(high, true, true, state_of("ot=th:8;rv:00000000000001"))), 1U);
  // A malformed rv (wrong length, uppercase) falls back to the trace id.
  EXPECT_EQ(randomness_of(context(high, true, true, state_of("ot=rv:fff"))), kRandomnessMask);
  EXPECT_EQ(randomness_of(context(low, true, true, state_of("ot=rv:FFFFFFFFFFFFFF"))), 0U);
  // A different vendor's rv is not ours.
  EXPECT_EQ(randomness_of(context(low, true, true, state_of("xx=rv:ffffffffffffff"))), 0U);

  // The sampler uses it: the trace id says drop, rv says keep, and the reverse.
  const sampler s = sampler::consistent_probability(0.5);
  EXPECT_TRUE(s.should_sample(context(low, true, true, state_of("ot=rv:ffffffffffffff")), low).sampled);
  EXPECT_FALSE(s.should_sample(context(high, true, true, state_of("ot=rv:00000000000000")), high).sampled);
}

// ---- parse_sampling_ratio -----------------------------------------------------------

TEST(ParseSamplingRatioTest, Accepts) {
  EXPECT_DOUBLE_EQ(parse_sampling_ratio("1/16"), 0.0625);
  EXPECT_DOUBLE_EQ(parse_sampling_ratio("0.0625"), 0.0625);
  EXPECT_DOUBLE_EQ(parse_sampling_ratio("6.25%"), 0.0625);
  EXPECT_DOUBLE_EQ(parse_sampling_ratio(" 1/2 "), 0.5);
  EXPECT_DOUBLE_EQ(parse_sampling_ratio("1"), 1.0);
  EXPECT_DOUBLE_EQ(parse_sampling_ratio("0"), 0.0);
  EXPECT_DOUBLE_EQ(parse_sampling_ratio("100%"), 1.0);
  EXPECT_DOUBLE_EQ(parse_sampling_ratio("1/1024"), 1.0 / 1024);
  EXPECT_DOUBLE_EQ(parse_sampling_ratio("1/1"), 1.0);
}

TEST(ParseSamplingRatioTest, RejectsWithAMessageNamingTheText) {
  for (const std::string_view bad : {"1/0", "2", "-1", "abc", "", "1/", "%", "50%%", "nan", "inf", "/2", "101%", "-5%",
                                     "0/0", "1/2/3", "0x1", "1 /", "0.5 0.5"}) {
    try {
      const double value = parse_sampling_ratio(bad);
      ADD_FAILURE() << "\"" << bad << "\" was accepted as " << value;
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("\"" + std::string(bad) + "\""), std::string::npos) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << "one line: " << what;
    }
  }
}

// ---- description ------------------------------------------------------------------

TEST(SamplerDescriptionTest, Strings) {
  EXPECT_EQ(sampler::always_on().description(), "always_on");
  EXPECT_EQ(sampler::always_off().description(), "always_off");
  EXPECT_EQ(sampler::trace_id_ratio(1.0 / 16).description(), "trace_id_ratio{1/16}");
  EXPECT_EQ(sampler::trace_id_ratio(1.0).description(), "trace_id_ratio{1/1}");
  EXPECT_EQ(sampler::trace_id_ratio(0.0).description(), "trace_id_ratio{0}");
  EXPECT_EQ(sampler::trace_id_ratio(0.3).description(), "trace_id_ratio{0.3}");
  EXPECT_EQ(sampler::consistent_probability(0.25).description(), "consistent_probability{1/4}");
  EXPECT_EQ(sampler::consistent_probability(1.0 / 1024).description(), "consistent_probability{1/1024}");
  EXPECT_EQ(sampler::parent_based(sampler::consistent_probability(1.0 / 16)).description(),
            "parent_based{root=consistent_probability{1/16}}");
  EXPECT_EQ(sampler::parent_based(sampler::always_on()).description(), "parent_based{root=always_on}");
  // Tiny ratios print as numbers, not as an overflowing 1/N.
  EXPECT_EQ(sampler::trace_id_ratio(1e-19).description(), "trace_id_ratio{1e-19}");
  EXPECT_EQ(sampler::consistent_probability(1e-300).description(), "consistent_probability{1e-300}");
  EXPECT_EQ(sampler::always_on().type(), sampler::kind::always_on);
  EXPECT_EQ(sampler::trace_id_ratio(0.5).type(), sampler::kind::trace_id_ratio);
  EXPECT_DOUBLE_EQ(sampler::consistent_probability(0.5).probability(), 0.5);
}

}  // namespace
}  // namespace tracebench::tracer
