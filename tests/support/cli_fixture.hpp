#pragma once
// Runs the real tracebench binary as a user would, in a scratch directory of its own,
// capturing stdout, stderr and the exit status.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace tracebench::testing_support {

namespace fs = std::filesystem;

inline const std::string kTracebenchBinary = TRACEBENCH_BINARY_DIR "/harness/tracebench";

struct run_result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string slurp(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Quoted for the shell; appended because GCC 12 warns (-Wrestrict) on "'" + std::string.
inline std::string quote(const fs::path& file) {
  std::string out(1, '\'');
  out.append(file.string()).push_back('\'');
  return out;
}

// Newlines in `text`: an error message must be exactly one line.
inline std::size_t lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// A usage error as every command reports it: exit 2, nothing on stdout, and one line on stderr,
// "tracebench <command>: ...", that names `problem`.
inline void expect_usage_error(const run_result& r, const std::string& command, const std::string& problem) {
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(lines(r.err), 1U) << r.err;
  EXPECT_TRUE(r.err.starts_with("tracebench " + command + ": ")) << r.err;
  EXPECT_NE(r.err.find(problem), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

class cli_fixture : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("tracebench_" + std::string(info->test_suite_name()) + "_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `tracebench <args>` through the shell (args are passed as written), with `env`
  // (VAR=value ...) set for it.
  [[nodiscard]] run_result run(const std::string& args, const std::string& env = "") const {
    const fs::path out = dir_ / "stdout";
    const fs::path err = dir_ / "stderr";
    const std::string command =
        env + " '" + kTracebenchBinary + "' " + args + " >'" + out.string() + "' 2>'" + err.string() + "'";
    const int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
  }

  fs::path write(const std::string& name, const std::string& text) const {
    const fs::path file = dir_ / name;
    std::ofstream(file) << text;
    return file;
  }

  fs::path dir_;
};

}  // namespace tracebench::testing_support
