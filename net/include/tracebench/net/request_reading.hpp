#pragma once
// What every tracebench server does the same when reading a request: the read size, the
// parser's limits, and why a request that could not be read failed (and so how it is answered).
// The reading itself stays inline in each server's request loop: a coroutine helper per request
// would cost a frame allocation there.

#include <algorithm>
#include <boost/beast/http/parser.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace tracebench::net {

inline constexpr std::size_t kReadChunk = 4096;

// Over header_limit: http::error::header_limit (431); over body_limit: body_limit (413).
template <class Body>
void limit(boost::beast::http::request_parser<Body>& parser, std::size_t header_limit, std::uint64_t body_limit) {
  parser.header_limit(
      static_cast<std::uint32_t>(std::min<std::size_t>(header_limit, std::numeric_limits<std::uint32_t>::max())));
  parser.body_limit(body_limit);
}

enum class read_failure {
  gone,              // the client closed or reset mid-request: nobody to answer
  timed_out,         // the stream is closed already: nobody to answer
  header_too_large,  // 431
  body_too_large,    // 413
  malformed,         // not HTTP we can read on: 400
};

[[nodiscard]] read_failure why_unread(const boost::system::error_code& read_error) noexcept;

}  // namespace tracebench::net
