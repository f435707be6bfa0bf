#include "tracebench/report/comparison_report.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <sstream>
#include <string_view>
#include <vector>

#include "tracebench/common/text_format.hpp"

namespace tracebench::harness {

namespace {

constexpr double kNominalLevel = 0.95;
constexpr double kSmallestShownP = 0.001;

using table = std::vector<std::vector<std::string>>;

std::string signed_percent(double value) { return printf_string("%+.1f%%", value); }

std::string limit_text(const comparison_threshold& t) {
  std::string text(1, t.rise_is_bad ? '+' : '-');  // appended: GCC 12 warns (-Wrestrict) on "+" + std::string
  return text.append(printf_string("%g", t.limit_percent)).append("%");
}

std::string figure(const comparison& c, comparison_metric metric, double value) {
  if (c.basis == comparison_basis::overhead) return signed_percent(value);
  if (metric == comparison_metric::throughput) return format_si(value) + "/s";
  return format_duration_us(value / 1e3);  // CPU per request and latencies are in nanoseconds
}

std::string change_text(const metric_comparison& m) {
  std::string text = signed_percent(m.change_percent) + " [" + printf_string("%+.1f", m.low_percent) + ", " +
                     printf_string("%+.1f", m.high_percent) + "]";
  // Too few rounds for 95%: say what [min, max] of the differences does cover.
  if (m.interval_level + 1e-9 < kNominalLevel) text += " (" + printf_string("%.0f", m.interval_level * 100) + "%)";
  return text;
}

std::string p_text(double p) { return p < kSmallestShownP ? "<0.001" : printf_string("%.3f", p); }

std::size_t rounds_shown(const std::vector<metric_comparison>& metrics, bool base) {
  std::size_t most = 0;
  for (const metric_comparison& m : metrics) most = std::max(most, base ? m.base_rounds : m.new_rounds);
  return most;
}

table metric_table(const comparison& c, const configuration_comparison& config, bool markdown) {
  const bool overhead = c.basis == comparison_basis::overhead;
  table rows{{"metric", overhead ? "base overhead" : "base", overhead ? "new overhead" : "new", "change [95% CI]",
              "p (Holm)", "threshold", "verdict"}};
  for (const metric_comparison& m : config.metrics) {
    const bool data = m.verdict != comparison_verdict::no_data;
    std::string verdict(verdict_name(m.verdict));
    if (markdown && m.verdict == comparison_verdict::regression) verdict = "**" + verdict + "**";
    rows.push_back({std::string(metric_name(m.metric)), data ? figure(c, m.metric, m.base_median) : "-",
                    data ? figure(c, m.metric, m.new_median) : "-", data ? change_text(m) : "-",
                    data ? p_text(m.adjusted_p_value) : "-", m.threshold ? limit_text(*m.threshold) : "-", verdict});
  }
  return rows;
}

void write_text_table(const table& rows, std::ostream& out) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line = " ";
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += ' ' + row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 1, ' ');
    }
    out << line << '\n';
  }
}

std::string markdown_cell(const std::string& text) {
  std::string cell;
  for (const char ch : text) {
    if (ch == '|') cell += '\\';
    cell += ch;
  }
  return cell;
}

void write_markdown_table(const table& rows, std::ostream& out) {
  for (std::size_t r = 0; r < rows.size(); ++r) {
    out << '|';
    for (const std::string& cell : rows[r]) out << ' ' << markdown_cell(cell) << " |";
    out << '\n';
    // Numbers right-aligned; the first column (what is compared) and the verdict read as words.
    if (r == 0) {
      out << "|:--|";
      for (std::size_t i = 2; i < rows[r].size(); ++i) out << "--:|";
      out << ":--|\n";
    }
  }
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : std::string(separator)) + item;
  return text;
}

std::string header_line(const comparison& c, std::string_view tick) {
  const std::string t(tick);
  std::string scenario = t + c.base_scenario + t;
  if (c.new_scenario != c.base_scenario) scenario += " vs " + t + c.new_scenario + t;
  return "BASE " + t + c.base_origin + t + " vs NEW " + t + c.new_origin + t + ": scenario " + scenario + ", " +
         std::to_string(c.base_rounds) + " vs " + std::to_string(c.new_rounds) + " rounds";
}

std::string method_line(const comparison& c) {
  std::string line = c.basis == comparison_basis::overhead
                         ? "basis: tracing overhead, each configuration against off in the same round"
                         : "basis: absolute, every valid run's own figures";
  line +=
      "; change: Hodges-Lehmann shift NEW vs BASE with its 95% interval; p: Mann-Whitney, two-sided, "
      "Holm-adjusted over the " +
      std::to_string(c.gated_tests) + " gated tests";
  if (c.ungated_tests > 0) line += " (the " + std::to_string(c.ungated_tests) + " others as a family of their own)";
  return line + "; alpha " + printf_string("%g", c.alpha);
}

constexpr std::string_view kNoThresholds = "no thresholds given: nothing is gated, this only reports (exit 0)";
constexpr std::string_view kNothingGated = "PASS: no thresholds given, nothing gated (report only)";

std::string thresholds_line(const comparison& c) {
  if (c.thresholds.empty()) return std::string(kNoThresholds);
  std::vector<std::string> described;
  for (const comparison_threshold& t : c.thresholds) described.push_back(describe(t));
  return "thresholds: " + join(described, ", ") +
         " (a regression is a significant change beyond one, in its direction)";
}

std::string rounds_heading(const configuration_comparison& config) {
  return std::to_string(rounds_shown(config.metrics, true)) + " vs " +
         std::to_string(rounds_shown(config.metrics, false)) + " rounds";
}

// "**FAIL**: ...": the verdict first and bold, as a pull-request comment should open.
std::string markdown_verdict(const std::string& line) {
  const std::size_t colon = line.find(':');
  return "**" + line.substr(0, colon) + "**" + line.substr(colon);
}

std::string fail_line(const std::vector<std::string>& regressions) {
  return "FAIL: " + std::to_string(regressions.size()) +
         (regressions.size() == 1 ? " regression: " : " regressions: ") + join(regressions, ", ");
}

// Instruction counts: callgrind's totals over the iterations, to a tenth.
std::string count_text(const std::optional<double>& count) { return count ? printf_string("%.1f", *count) : "-"; }

std::string instruction_change_text(const operation_change& op) {
  if (!op.base_count) return "new";
  return op.new_count ? signed_percent(op.change_percent) : "not measured";
}

table instruction_table(const instruction_comparison& c, bool markdown) {
  table rows{{"operation", "base", "new", "change", "threshold", "verdict"}};
  // printf_string("+%g%%") rather than "+" + std::string: GCC 12 warns (-Wrestrict) on the latter.
  const std::string limit = c.threshold_percent ? printf_string("+%g%%", *c.threshold_percent) : "-";
  for (const operation_change& op : c.operations) {
    std::string verdict(verdict_name(op.verdict));
    if (markdown && op.verdict == instruction_verdict::regression) verdict = "**" + verdict + "**";
    rows.push_back({op.operation, count_text(op.base_count), count_text(op.new_count), instruction_change_text(op),
                    op.verdict == instruction_verdict::not_gated ? "-" : limit, verdict});
  }
  return rows;
}

std::string instruction_header(const instruction_comparison& c, std::string_view tick) {
  const std::string t(tick);
  return "BASE " + t + c.base_origin + t + " vs NEW " + t + c.new_origin + t +
         ": instructions per operation under callgrind";
}

std::string instruction_thresholds_line(const instruction_comparison& c) {
  if (!c.threshold_percent) return std::string(kNoThresholds);
  return "threshold: " + std::string(kInstructionsMetric) + "=+" + printf_string("%g", *c.threshold_percent) +
         "% (a regression is a rise beyond it, or an operation of BASE that NEW did not measure)";
}

}  // namespace

std::string comparison_verdict_line(const instruction_comparison& c) {
  const auto found = c.regressions();
  if (found.empty()) {
    return c.threshold_percent ? "PASS: every operation within +" + printf_string("%g", *c.threshold_percent) +
                                     "% of BASE's instructions"
                               : std::string(kNothingGated);
  }
  std::vector<std::string> items;
  for (const operation_change* op : found) items.push_back(op->operation + " " + instruction_change_text(*op));
  return fail_line(items) + " (threshold +" + printf_string("%g", *c.threshold_percent) + "%)";
}

std::string render_comparison_text(const instruction_comparison& c) {
  std::ostringstream out;
  out << instruction_header(c, "") << '\n' << instruction_thresholds_line(c) << "\n\n";
  write_text_table(instruction_table(c, false), out);
  out << '\n' << comparison_verdict_line(c) << '\n';
  return out.str();
}

std::string render_comparison_markdown(const instruction_comparison& c) {
  std::ostringstream out;
  out << markdown_verdict(comparison_verdict_line(c)) << "\n\n";
  out << instruction_header(c, "`") << ".\n\n" << instruction_thresholds_line(c) << ".\n\n";
  write_markdown_table(instruction_table(c, true), out);
  return out.str();
}

std::string comparison_verdict_line(const comparison& c) {
  const auto found = c.regressions();
  if (found.empty()) {
    return c.thresholds.empty() ? std::string(kNothingGated) : "PASS: no significant regression beyond the thresholds";
  }
  std::vector<std::string> items;
  for (const auto& [configuration, m] : found) {
    items.push_back(configuration + " " + std::string(metric_name(m->metric)) + " " +
                    signed_percent(m->change_percent) + " (threshold " + limit_text(*m->threshold) + ")");
  }
  return fail_line(items);
}

std::string render_comparison_text(const comparison& c) {
  std::ostringstream out;
  out << header_line(c, "") << '\n' << method_line(c) << '\n' << thresholds_line(c) << '\n';
  if (!c.compared_across.empty()) out << "compared across: " << join(c.compared_across, "; ") << '\n';
  for (const std::string& w : c.warnings) out << "warning: " << w << '\n';
  for (const configuration_comparison& config : c.configurations) {
    out << '\n' << config.configuration << " (" << rounds_heading(config) << ")\n";
    write_text_table(metric_table(c, config, false), out);
  }
  if (c.configurations.empty()) out << "\nno configuration is in both files\n";
  out << '\n';
  if (!c.only_in_base.empty()) out << "only in BASE: " << join(c.only_in_base, ", ") << '\n';
  if (!c.only_in_new.empty()) out << "only in NEW: " << join(c.only_in_new, ", ") << '\n';
  out << comparison_verdict_line(c) << '\n';
  return out.str();
}

std::string render_comparison_markdown(const comparison& c) {
  std::ostringstream out;
  out << markdown_verdict(comparison_verdict_line(c)) << "\n\n";
  out << header_line(c, "`") << ".\n\n";
  out << method_line(c) << ".\n\n" << thresholds_line(c) << ".\n";
  if (!c.compared_across.empty()) out << "\nCompared across: " << join(c.compared_across, "; ") << ".\n";
  if (!c.warnings.empty()) out << '\n';
  for (const std::string& w : c.warnings) out << "- **warning:** " << w << '\n';
  for (const configuration_comparison& config : c.configurations) {
    out << "\n**" << config.configuration << "** (" << rounds_heading(config) << ")\n\n";
    write_markdown_table(metric_table(c, config, true), out);
  }
  if (c.configurations.empty()) out << "\nNo configuration is in both files.\n";
  if (!c.only_in_base.empty()) out << "\nOnly in BASE: " << join(c.only_in_base, ", ") << ".\n";
  if (!c.only_in_new.empty()) out << "\nOnly in NEW: " << join(c.only_in_new, ", ") << ".\n";
  return out.str();
}

}  // namespace tracebench::harness
