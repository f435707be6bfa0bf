#pragma once
// The short names tracebench's Boost.Asio and Beast code is written with, in one place rather
// than repeated atop every file that speaks HTTP. Include it from .cpp files only: each name it
// adds is visible to every tracebench namespace.

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/system/error_code.hpp>
#include <string_view>

namespace tracebench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using boost::system::error_code;

// Beast's string_view (Boost's own in 1.74) as the standard one.
inline std::string_view to_std(beast::string_view s) noexcept { return {s.data(), s.size()}; }

}  // namespace tracebench
