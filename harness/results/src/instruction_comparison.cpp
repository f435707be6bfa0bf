#include "tracebench/results/instruction_comparison.hpp"

#include <algorithm>

#include "field_reader.hpp"

namespace tracebench::harness {

namespace {

const std::pair<std::string, double>* find(const instruction_counts& counts, const std::string& operation) {
  const auto it = std::find_if(counts.operations.begin(), counts.operations.end(),
                               [&](const auto& entry) { return entry.first == operation; });
  return it == counts.operations.end() ? nullptr : &*it;
}

}  // namespace

instruction_counts parse_instruction_counts(const nlohmann::ordered_json& document, std::string_view origin) {
  const field_reader r(origin);
  r.check_schema(document, kInstructionCountsSchema, "a tracebench hot-path instruction file");
  instruction_counts out;
  out.origin = origin;
  for (const auto& [name, count] : r.object(document, "operations", "").items()) {
    const double value = r.number_value(count, "/operations/" + name);
    if (value <= 0.0) r.fail("/operations/" + name, "expected a positive instruction count");
    out.operations.emplace_back(name, value);
  }
  return out;
}

std::string_view verdict_name(instruction_verdict verdict) noexcept {
  switch (verdict) {
    case instruction_verdict::regression:
      return "REGRESSION";
    case instruction_verdict::pass:
      return "pass";
    case instruction_verdict::reported:
      return "-";
    case instruction_verdict::not_gated:
      return "not gated until BASE has it";
  }
  return "?";
}

std::vector<const operation_change*> instruction_comparison::regressions() const {
  std::vector<const operation_change*> found;
  for (const operation_change& op : operations) {
    if (op.verdict == instruction_verdict::regression) found.push_back(&op);
  }
  return found;
}

instruction_comparison compare_instruction_counts(const instruction_counts& base, const instruction_counts& fresh,
                                                  std::optional<double> threshold_percent) {
  instruction_comparison out;
  out.base_origin = base.origin;
  out.new_origin = fresh.origin;
  out.threshold_percent = threshold_percent;
  for (const auto& [name, count] : base.operations) {
    operation_change op{name, count, std::nullopt, 0.0, instruction_verdict::reported};
    if (const auto* now = find(fresh, name)) {
      op.new_count = now->second;
      op.change_percent = (now->second / count - 1.0) * 100.0;
    }
    if (threshold_percent) {
      const bool beyond = !op.new_count || op.change_percent > *threshold_percent;
      op.verdict = beyond ? instruction_verdict::regression : instruction_verdict::pass;
    }
    out.operations.push_back(std::move(op));
  }
  for (const auto& [name, count] : fresh.operations) {
    if (find(base, name) == nullptr) {
      out.operations.push_back({name, std::nullopt, count, 0.0, instruction_verdict::not_gated});
    }
  }
  return out;
}

}  // namespace tracebench::harness
