// The overhead-against-request-cost chart and table from synthetic points: a line per
// configuration, a log y axis only where every change is above 0 (else linear, saying why), and
// the table's rows in scale order.

#include "tracebench/report/request_cost_report.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace th = tracebench::harness;

namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Two configurations at three scales; `lowest_cpu` is 1/16's CPU change at the largest scale.
th::request_cost_points points(double lowest_cpu) {
  th::request_cost_points p;
  p.scenario_name = "tiny";
  const double scales[] = {0.1, 1, 10};
  const double latency[] = {1e5, 1e6, 1e7};
  for (int i = 0; i < 3; ++i) p.scales.push_back({scales[i], latency[i], true, ""});
  for (const char* name : {"1/1", "1/16"}) {
    th::request_cost_series s{name, false, {}};
    for (int i = 0; i < 3; ++i) {
      const double cpu = (name == std::string("1/1") ? 14.0 : 4.0) / (i + 1);
      const double chosen = i == 2 && name == std::string("1/16") ? lowest_cpu : cpu;
      const double half = std::abs(chosen) / 2;
      s.points.push_back({scales[i], latency[i], th::summary{chosen, chosen - half, chosen + half, 0.95, false},
                          th::summary{cpu, cpu * 0.8, cpu * 1.2, 0.95, false}});
    }
    p.series.push_back(s);
  }
  return p;
}

}  // namespace

TEST(RequestCostReport, PositiveChangesGetLogAxes) {
  const std::string svg = th::render_request_cost_svg(points(1.0));
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0U) << svg.substr(0, 80);
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
  // Two panels, a line each per configuration, a point per scale.
  EXPECT_EQ(count(svg, "<polyline"), 4U);
  EXPECT_EQ(count(svg, "data-series=\"1/16\""), 2U);
  EXPECT_EQ(count(svg, "<title>1/1, work x"), 6U);
  EXPECT_EQ(count(svg, "y: log scale"), 2U);
  // The work scales are marked where off's latency put them, the x axis labelled in time.
  EXPECT_NE(svg.find(">x0.1<"), std::string::npos);
  EXPECT_NE(svg.find(">1.00 ms<"), std::string::npos);
}

TEST(RequestCostReport, AChangeAtOrBelowZeroMakesThatPanelLinear) {
  const std::string svg = th::render_request_cost_svg(points(-0.4));
  // CPU has a negative change, p50 none: only the CPU panel turns linear, and says why.
  EXPECT_EQ(count(svg, "y: linear, not log: 1 of 6 changes"), 1U) << svg;
  EXPECT_EQ(count(svg, "y: log scale"), 1U);
  EXPECT_NE(svg.find(">0%<"), std::string::npos) << "a linear axis shows its zero";
}

TEST(RequestCostReport, TableListsEachScaleInOrder) {
  const std::string text = th::render_request_cost_table(points(1.0));
  const std::size_t small = text.find("x0.1");
  const std::size_t large = text.find("x10");
  ASSERT_NE(small, std::string::npos) << text;
  ASSERT_NE(large, std::string::npos) << text;
  EXPECT_LT(small, large);
  EXPECT_NE(text.find("+14.00% [+7.00, +21.00]"), std::string::npos) << text;
  EXPECT_NE(text.find("100 us"), std::string::npos) << text;
  const std::string md = th::render_request_cost_table(points(1.0), th::table_style::markdown);
  EXPECT_EQ(md.rfind("## Overhead against request cost: tiny\n", 0), 0U) << md;
  EXPECT_EQ(count(md, "| x1 |"), 2U) << "Markdown repeats the scale on each row: " << md;
}
