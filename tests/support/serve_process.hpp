#pragma once
// For tests of `tracebench serve` and `tracebench load`: the real binary running in the
// background (fork and exec, output in files), found by its "listening on ADDR:PORT" line,
// stopped by a signal and always reaped within a bound; and one raw HTTP exchange.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>

#include "support/cli_fixture.hpp"

namespace tracebench::testing_support {

class background_command {
 public:
  // Runs `tracebench <args>` (args as the shell reads them), or `program <args>`; output goes to
  // <dir>/<name>.out and <name>.err.
  background_command(const fs::path& dir, const std::string& name, const std::string& args,
                     const std::string& program = kTracebenchBinary)
      : out_(dir / (name + ".out")), err_(dir / (name + ".err")) {
    const std::string command =
        "exec '" + program + "' " + args + " >'" + out_.string() + "' 2>'" + err_.string() + "'";
    pid_ = ::fork();
    if (pid_ == 0) {
      ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~background_command() {
    if (pid_ > 0) (void)stop(SIGKILL);
  }
  background_command(const background_command&) = delete;
  background_command& operator=(const background_command&) = delete;

  // The port of the first stderr line "listening on ADDR:PORT"; 0 when it did not come within
  // `limit` or the process ended first.
  [[nodiscard]] std::uint16_t wait_listening(std::chrono::seconds limit = std::chrono::seconds(20)) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      const std::string text = err();
      const std::size_t end = text.find('\n');
      if (end != std::string::npos) {
        const std::string first = text.substr(0, end);
        const std::size_t colon = first.rfind(':');
        if (first.rfind("listening on ", 0) != 0 || colon == std::string::npos) return 0;
        return static_cast<std::uint16_t>(std::stoul(first.substr(colon + 1)));
      }
      if (pid_ <= 0 || reap(false)) return 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return 0;
  }

  // Sends `signal` (unless it already ended) and waits at most `limit` for the exit, then kills
  // it. The exit status, or -1 when it did not exit by itself.
  int stop(int signal = SIGTERM, std::chrono::seconds limit = std::chrono::seconds(20)) {
    if (pid_ > 0 && !reap(false)) ::kill(pid_, signal);
    return wait(limit);
  }

  // Waits at most `limit` for the process to end by itself, then kills it: the exit status, or
  // -1 when it was killed or died of a signal.
  int wait(std::chrono::seconds limit = std::chrono::seconds(20)) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (pid_ > 0 && !reap(false)) {
      if (std::chrono::steady_clock::now() >= until) {
        ::kill(pid_, SIGKILL);
        (void)reap(true);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
  }

  [[nodiscard]] std::string out() const { return slurp(out_); }
  [[nodiscard]] std::string err() const { return slurp(err_); }

 private:
  // True once the process ended (and was reaped).
  bool reap(bool block) {
    if (pid_ <= 0) return true;
    const pid_t got = ::waitpid(pid_, &status_, block ? 0 : WNOHANG);
    if (got == pid_ || got < 0) {
      pid_ = -1;
      return true;
    }
    return false;
  }

  fs::path out_;
  fs::path err_;
  pid_t pid_ = -1;
  int status_ = -1;
};

// Sends `request` to 127.0.0.1:`port` on a new connection and reads until the server closes
// it (send "Connection: close"); every step bounded by a 10 s socket timeout. "" on failure.
inline std::string http_exchange(std::uint16_t port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {};
  timeval limit{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string reply;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0 &&
      ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
    char buffer[4096];
    for (ssize_t n = 0; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;)
      reply.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return reply;
}

// A port nothing listens on (bound, then released): connecting to it is refused.
inline std::uint16_t unused_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  std::uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

}  // namespace tracebench::testing_support
