#include "scenario_directory.hpp"

#include <algorithm>
#include <cstdlib>

#ifndef TRACEBENCH_SCENARIO_DIR
#error "TRACEBENCH_SCENARIO_DIR must name the shipped scenarios directory"
#endif

namespace tracebench::harness {

namespace fs = std::filesystem;

fs::path scenario_directory() {
  if (const char* dir = std::getenv("TRACEBENCH_SCENARIOS"); dir != nullptr && *dir != '\0') return dir;
  return TRACEBENCH_SCENARIO_DIR;
}

fs::path resolve_scenario(std::string_view arg) {
  const fs::path given(arg);
  std::error_code ec;
  if (fs::exists(given, ec) || given.has_parent_path() || given.has_extension()) return given;
  fs::path shipped = scenario_directory() / given;
  shipped += ".json";
  return fs::is_regular_file(shipped, ec) ? shipped : given;
}

std::vector<fs::path> scenario_files(const fs::path& dir, std::error_code& ec) {
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".json" && it->is_regular_file(ec)) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace tracebench::harness
