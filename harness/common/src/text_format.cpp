#include "tracebench/common/text_format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <utility>

namespace tracebench::harness {

std::string printf_string(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

namespace {

// Three significant figures without switching to exponent notation.
std::string three_figures(double v) {
  const double magnitude = std::fabs(v);
  if (magnitude >= 99.95) return printf_string("%.0f", v);
  if (magnitude >= 9.995) return printf_string("%.1f", v);
  return printf_string("%.2f", v);
}

}  // namespace

std::string format_duration_us(double us) {
  if (us == 0) return "0";
  const double magnitude = std::fabs(us);
  if (magnitude < 999.5) return three_figures(us) + " us";
  if (magnitude < 999'500) return three_figures(us / 1e3) + " ms";
  return three_figures(us / 1e6) + " s";
}

std::string format_count(double value) {
  if (std::fabs(value - std::round(value)) < 1e-9 || std::fabs(value) >= 99.5) return printf_string("%.0f", value);
  return printf_string("%.3g", value);
}

std::string format_thousands(double value) {
  const std::string digits = printf_string("%.0f", std::fabs(value));
  std::string out = value <= -0.5 ? "-" : "";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

namespace {

// The value scaled to [1, 1000) and its SI prefix, or unscaled below 1000.
std::pair<double, const char*> si_scaled(double value) {
  static constexpr const char* kPrefixes[] = {"", "k", "M", "G", "T", "P"};
  std::size_t prefix = 0;
  // 999.5 rounds to "1000" at three figures: move to the next prefix instead.
  while (std::fabs(value) >= 999.5 && prefix + 1 < std::size(kPrefixes)) {
    value /= 1000;
    ++prefix;
  }
  return {value, kPrefixes[prefix]};
}

}  // namespace

std::string format_si(double value) {
  const auto [scaled, prefix] = si_scaled(value);
  return (*prefix == '\0' ? format_count(std::round(scaled)) : three_figures(scaled)) + prefix;
}

std::string format_bytes(double bytes) {
  const auto [scaled, prefix] = si_scaled(bytes);
  return (*prefix == '\0' ? format_count(std::round(scaled)) : three_figures(scaled)) + " " + prefix + "B";
}

std::string format_percent(double fraction) { return printf_string("%.0f", fraction * 100) + "%"; }

std::string pipe_table(const std::vector<std::vector<std::string>>& rows) {
  std::string out;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    out += '|';
    for (const std::string& cell : rows[r]) out += ' ' + cell + " |";
    out += '\n';
    if (r == 0) {
      out += '|';
      for (std::size_t c = 0; c < rows[r].size(); ++c) out += c == 0 ? " --- |" : " ---: |";
      out += '\n';
    }
  }
  return out;
}

std::string aligned_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line.append(widths[c] - row[c].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + '\n';
  }
  return out;
}

}  // namespace tracebench::harness
