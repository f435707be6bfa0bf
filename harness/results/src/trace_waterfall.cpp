#include "tracebench/results/trace_waterfall.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <unordered_map>

namespace tracebench::harness {

namespace {

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

// Parent and children by index. A span naming itself or an absent span as parent has none.
struct span_tree {
  std::vector<std::size_t> parent;
  std::vector<std::vector<std::size_t>> children;  // by start time, then trace order
  std::size_t root = kNone;
};

span_tree build_tree(const recorded_trace& trace) {
  const std::size_t n = trace.spans.size();
  std::unordered_map<std::string_view, std::size_t> by_id;
  by_id.reserve(n);
  for (std::size_t i = 0; i < n; ++i) by_id.try_emplace(trace.spans[i].span_id, i);

  span_tree tree{std::vector<std::size_t>(n, kNone), std::vector<std::vector<std::size_t>>(n), kNone};
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& parent_id = trace.spans[i].parent_span_id;
    if (parent_id.empty()) continue;
    const auto found = by_id.find(parent_id);
    if (found == by_id.end() || found->second == i) continue;
    tree.parent[i] = found->second;
    tree.children[found->second].push_back(i);
  }
  for (std::vector<std::size_t>& kids : tree.children) {
    std::stable_sort(kids.begin(), kids.end(),
                     [&](std::size_t a, std::size_t b) { return trace.spans[a].start_ns < trace.spans[b].start_ns; });
  }
  // The root names no parent; a trace whose root was not kept falls back on its first span
  // whose parent is missing, so the walk still has somewhere to start.
  for (std::size_t i = 0; i < n && tree.root == kNone; ++i) {
    if (trace.spans[i].parent_span_id.empty()) tree.root = i;
  }
  for (std::size_t i = 0; i < n && tree.root == kNone; ++i) {
    if (tree.parent[i] == kNone) tree.root = i;
  }
  return tree;
}

struct interval {
  std::int64_t start = 0;
  std::int64_t end = 0;
};

// Each span of the root's tree clamped into its parent's clamped interval, as Jaeger sanitises
// children before the walk: a skewed clock must not let a child outlast the request it served.
// Spans that start after their parent ended, or lie wholly before it, are left out.
std::vector<std::optional<interval>> clamped_intervals(const recorded_trace& trace, const span_tree& tree) {
  std::vector<std::optional<interval>> clamped(trace.spans.size());
  if (tree.root == kNone) return clamped;
  const auto end_of = [&](std::size_t i) {
    return trace.spans[i].start_ns + std::max<std::int64_t>(trace.spans[i].duration_ns, 0);
  };
  clamped[tree.root] = interval{trace.spans[tree.root].start_ns, end_of(tree.root)};
  std::vector<std::size_t> pending{tree.root};
  while (!pending.empty()) {
    const std::size_t p = pending.back();
    pending.pop_back();
    const interval outer = *clamped[p];
    for (const std::size_t c : tree.children[p]) {
      const interval inner{std::max(trace.spans[c].start_ns, outer.start), std::min(end_of(c), outer.end)};
      if (trace.spans[c].start_ns > outer.end || inner.end < inner.start) continue;
      clamped[c] = inner;
      pending.push_back(c);
    }
  }
  return clamped;
}

}  // namespace

std::vector<bool> on_critical_path(const recorded_trace& trace) {
  std::vector<bool> critical(trace.spans.size(), false);
  const span_tree tree = build_tree(trace);
  if (tree.root == kNone) return critical;
  const std::vector<std::optional<interval>> clamped = clamped_intervals(trace, tree);

  // Each frame is a span being walked backwards: the cursor starts at its end and moves to the
  // start of each child taken, so only children that finished before that child began can be
  // next. The span's own time between the children taken is on the path too.
  struct frame {
    std::size_t span;
    std::int64_t cursor;
  };
  std::vector<frame> stack{{tree.root, clamped[tree.root]->end}};
  critical[tree.root] = true;
  while (!stack.empty()) {
    const frame current = stack.back();
    std::size_t last = kNone;
    for (const std::size_t c : tree.children[current.span]) {
      // Taken children are skipped: a zero-length child at the cursor would be taken forever.
      if (!clamped[c] || critical[c] || clamped[c]->end > current.cursor) continue;
      if (last == kNone || clamped[c]->end > clamped[last]->end) last = c;
    }
    if (last == kNone) {
      stack.pop_back();
      continue;
    }
    critical[last] = true;
    stack.back().cursor = clamped[last]->start;
    stack.push_back({last, clamped[last]->end});
  }
  return critical;
}

std::vector<waterfall_row> waterfall_order(const recorded_trace& trace) {
  const std::size_t n = trace.spans.size();
  const span_tree tree = build_tree(trace);
  std::vector<waterfall_row> rows;
  rows.reserve(n);
  std::vector<bool> placed(n, false);
  const auto place_subtree = [&](std::size_t top) {
    std::vector<waterfall_row> pending{{top, 0}};
    while (!pending.empty()) {
      const waterfall_row row = pending.back();
      pending.pop_back();
      if (placed[row.span]) continue;  // a parent cycle among orphans
      placed[row.span] = true;
      rows.push_back(row);
      const std::vector<std::size_t>& kids = tree.children[row.span];
      for (auto it = kids.rbegin(); it != kids.rend(); ++it) pending.push_back({*it, row.depth + 1});
    }
  };
  if (tree.root != kNone) place_subtree(tree.root);
  for (std::size_t i = 0; i < n; ++i) {
    if (!placed[i] && tree.parent[i] == kNone) place_subtree(i);
  }
  // Only spans in parent cycles are left: no span of theirs leads to a root.
  for (std::size_t i = 0; i < n; ++i) {
    if (!placed[i]) place_subtree(i);
  }
  return rows;
}

}  // namespace tracebench::harness
