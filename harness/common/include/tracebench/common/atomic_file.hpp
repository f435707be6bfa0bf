#pragma once
// Writing a results file so a reader never sees half of it: a crash or a full disk leaves
// either the old state or the whole new file.

#include <filesystem>
#include <string_view>

namespace tracebench::harness {

// Writes `text` to a temporary file in `file`'s directory, fsyncs it, then renames it over
// `file`. Throws std::system_error naming the file; the temporary is removed on failure.
void write_file_atomically(const std::filesystem::path& file, std::string_view text);

}  // namespace tracebench::harness
