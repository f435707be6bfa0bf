#pragma once
// A small JSON text writer that appends to a caller's std::string, so a reused string's
// capacity makes encoding allocation-free. It tracks only whether a comma is due, not
// the nesting, so misuse (a key inside an array) is not detected: the encoders built on
// it are tested for well-formed output instead.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "tracebench/tracer/ids.hpp"

namespace tracebench::tracer {

class json_writer {
 public:
  // Writes after out's current contents. Until finish() (or destruction) `out` holds up
  // to a few hundred bytes of unspecified tail past what was written: the writer sizes the
  // string ahead and stores through a pointer, since per-piece std::string::append calls
  // cost more than the encoding itself. Leave `out` alone while the writer lives.
  explicit json_writer(std::string& out) noexcept : out_(&out), cur_(out.data() + out.size()), end_(cur_) {}
  ~json_writer() { finish(); }
  json_writer(const json_writer&) = delete;
  json_writer& operator=(const json_writer&) = delete;

  // Trims `out` to exactly what was written; writing may continue afterwards.
  void finish() noexcept {
    out_->resize(static_cast<std::size_t>(cur_ - out_->data()));
    end_ = cur_;
  }
  [[nodiscard]] std::size_t size() const noexcept { return static_cast<std::size_t>(cur_ - out_->data()); }

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }

  // A member name; escaped like any string.
  void key(std::string_view name) {
    string_value(name);
    put(':');
    first_ = true;
  }
  // A member name the caller guarantees needs no escaping (a literal such as "spanId"):
  // skips the escape scan; with a literal argument the copy is a fixed-size store.
  void literal_key(std::string_view name) {
    ensure(name.size() + 4);
    char* p = comma(cur_);
    *p++ = '"';
    std::memcpy(p, name.data(), name.size());
    p += name.size();
    *p++ = '"';
    *p++ = ':';
    cur_ = p;
    first_ = true;
  }

  void string_value(std::string_view s);
  void int_value(std::int64_t v);
  void uint_value(std::uint64_t v);
  // Shortest text that reads back as the same double. NaN and the infinities, which JSON
  // numbers cannot express, are written as the strings "NaN", "Infinity" and "-Infinity"
  // as the protobuf JSON mapping (hence OTLP/JSON) specifies.
  void double_value(double v);
  void bool_value(bool v) { raw_value(v ? std::string_view("true") : std::string_view("false")); }
  void null_value() { raw_value("null"); }
  // 64-bit integers as JSON strings: the protobuf JSON mapping quotes them because many
  // JSON readers hold numbers as doubles and would lose precision above 2^53.
  void quoted_int_value(std::int64_t v);
  void quoted_uint_value(std::uint64_t v);

  // A string value written in pieces: begin_string, any number of string_fragment (each
  // escaped), end_string. Lets callers join parts without a temporary string.
  void begin_string() {
    separate();
    put('"');
  }
  // Escapes quote, backslash and control characters; invalid UTF-8 bytes become U+FFFD,
  // so the output always parses.
  void string_fragment(std::string_view s);
  void end_string() { put('"'); }

  // Text the caller guarantees is one complete, valid JSON value; copied verbatim.
  void raw_value(std::string_view json) {
    ensure(json.size() + 1);
    char* p = comma(cur_);
    std::memcpy(p, json.data(), json.size());
    cur_ = p + json.size();
    first_ = false;
  }
  // A trace or span id as a quoted lowercase-hex string, as OTLP/JSON and Zipkin both want.
  void id_value(const trace_id& id);
  void id_value(const span_id& id);

 private:
  void ensure(std::size_t n) {
    if (static_cast<std::size_t>(end_ - cur_) < n) grow(n);
  }
  void grow(std::size_t n);
  void put(char c) {
    ensure(1);
    *cur_++ = c;
  }
  void separate() {
    if (!first_) put(',');
    first_ = false;
  }
  void open(char c) {
    ensure(2);
    char* p = comma(cur_);
    *p++ = c;
    cur_ = p;
    first_ = true;
  }
  // Writes the separator a new value needs at p. Callers work on a local copy of cur_:
  // a char store may alias the writer itself, so writing through cur_ directly would make
  // the compiler reload it after every byte.
  char* comma(char* p) const noexcept {
    if (!first_) *p++ = ',';
    return p;
  }
  void close(char c) {
    put(c);
    first_ = false;
  }

  std::string* out_;
  char* cur_;          // next byte to write, inside out_'s size
  char* end_;          // end of the room sized ahead
  bool first_ = true;  // the next value or key opens its container (or is the top-level value)
};

// One-shot forms for callers that write a single value.
void append_json_string(std::string& out, std::string_view s);  // quoted and escaped
void append_json_double(std::string& out, double value);        // as double_value
void append_json_int(std::string& out, std::int64_t value);
void append_json_uint(std::string& out, std::uint64_t value);

}  // namespace tracebench::tracer
