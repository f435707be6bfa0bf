#include "tracebench/net/request_reading.hpp"

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

namespace tracebench::net {

read_failure why_unread(const boost::system::error_code& read_error) noexcept {
  namespace http = boost::beast::http;
  if (read_error == boost::beast::error::timeout) return read_failure::timed_out;
  if (read_error == http::error::header_limit) return read_failure::header_too_large;
  if (read_error == http::error::body_limit) return read_failure::body_too_large;
  if (read_error.category() == http::make_error_code(http::error::bad_target).category() &&
      read_error != http::error::end_of_stream && read_error != http::error::partial_message) {
    return read_failure::malformed;
  }
  return read_failure::gone;
}

}  // namespace tracebench::net
