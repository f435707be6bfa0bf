#pragma once
// Numbers as people read them in terminal output: 3 significant figures, a fitting unit.

#include <string>
#include <vector>

namespace tracebench::harness {

// 850 us, 1.52 ms, 120 ms, 2.40 s; from microseconds. Exactly zero is "0".
[[nodiscard]] std::string format_duration_us(double us);
// 13, 4.25, 1.06, 0.0625: whole numbers bare, others to 3 significant figures.
[[nodiscard]] std::string format_count(double value);
// 371,429: rounded, with thousands separators.
[[nodiscard]] std::string format_thousands(double value);
// One number through a printf format of at most 63 characters' output, e.g. "%+.1f%%".
[[nodiscard]] std::string printf_string(const char* format, double value);
// 864M, 1.73G, 950: 3 significant figures with an SI suffix (k, M, G, T, P).
[[nodiscard]] std::string format_si(double value);
// 450 GB, 1.20 TB, 512 B: decimal units, 3 significant figures.
[[nodiscard]] std::string format_bytes(double bytes);
// 72%: a fraction as a whole percentage.
[[nodiscard]] std::string format_percent(double fraction);

// Columns padded to their widest cell with two spaces between, the last not padded; the first
// row is the header. Each line ends with a newline.
[[nodiscard]] std::string aligned_table(const std::vector<std::vector<std::string>>& rows);
// A Markdown pipe table; the first row is the header, every column but the first right-aligned.
[[nodiscard]] std::string pipe_table(const std::vector<std::vector<std::string>>& rows);

}  // namespace tracebench::harness
