#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tracebench/tracer/memory_exporter.hpp"
#include "tracebench/tracer/null_exporter.hpp"
#include "tracebench/tracer/otlp_json.hpp"
#include "tracebench/tracer/otlp_json_file_exporter.hpp"
#include "tracebench/tracer/zipkin_file_exporter.hpp"
#include "tracebench/tracer/zipkin_json.hpp"

namespace tracebench::tracer {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

// A fresh directory per test, removed afterwards.
class ExportersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("tracebench-exporters-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::vector<std::string> read_lines(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  fs::path dir_;
};

void fill_span(span_data& s, const resource& owner, std::uint64_t id, std::string_view name) {
  s.context.trace = trace_id{0x1111, 0x2222};
  s.context.span = span_id{id};
  s.context.flags = kSampledFlag;
  s.name = name;
  s.kind = span_kind::server;
  s.start_unix_nanos = 1'700'000'000'000'000'000;
  s.end_unix_nanos = s.start_unix_nanos + 5'000;
  s.attributes.set("http.route", "/cart");
  s.owner = &owner;
}

TEST_F(ExportersTest, OtlpJsonFileHasOneRequestPerExport) {
  resource owner("cart");
  span_data a;
  span_data b;
  span_data c;
  fill_span(a, owner, 1, "a");
  fill_span(b, owner, 2, "b");
  fill_span(c, owner, 3, "c");
  const fs::path path = dir_ / "spans.otlp.jsonl";

  otlp_json_file_exporter exporter(path.string());
  EXPECT_EQ(exporter.path(), path.string());
  const span_data* first[] = {&a, &b};
  const span_data* second[] = {&c};
  EXPECT_EQ(exporter.export_spans(first), export_result::success);
  EXPECT_EQ(exporter.export_spans({}), export_result::success);  // writes nothing
  EXPECT_EQ(exporter.export_spans(second), export_result::success);
  EXPECT_TRUE(exporter.force_flush(1s));

  const auto lines = read_lines(path);
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[0], to_otlp_json(first));
  const json r0 = json::parse(lines[0]);
  const json r1 = json::parse(lines[1]);
  const json& spans0 = r0.at("resourceSpans").at(0).at("scopeSpans").at(0).at("spans");
  ASSERT_EQ(spans0.size(), 2U);
  EXPECT_EQ(spans0[0].at("name"), "a");
  EXPECT_EQ(spans0[1].at("spanId"), "0000000000000002");
  EXPECT_EQ(r1["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["name"], "c");

  EXPECT_EQ(exporter.spans_exported(), 3U);
  EXPECT_EQ(exporter.batches_exported(), 2U);
  EXPECT_EQ(exporter.bytes_written(), fs::file_size(path));
  EXPECT_EQ(exporter.bytes_written(), lines[0].size() + lines[1].size() + 2);  // with newlines
  EXPECT_EQ(exporter.write_errors(), 0U);
}

TEST_F(ExportersTest, ZipkinFileHasOneArrayPerExport) {
  resource owner("cart");
  span_data a;
  span_data b;
  fill_span(a, owner, 1, "a");
  fill_span(b, owner, 2, "b");
  const fs::path path = dir_ / "spans.zipkin.jsonl";

  zipkin_file_exporter exporter(path.string());
  const span_data* first[] = {&a, &b};
  const span_data* second[] = {&b};
  EXPECT_EQ(exporter.export_spans(first), export_result::success);
  EXPECT_EQ(exporter.export_spans(second), export_result::success);
  exporter.shutdown();  // flushes and closes

  const auto lines = read_lines(path);
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[0], to_zipkin_json(first));
  const json l0 = json::parse(lines[0]);
  const json l1 = json::parse(lines[1]);
  ASSERT_TRUE(l0.is_array());
  ASSERT_EQ(l0.size(), 2U);
  EXPECT_EQ(l0[0].at("traceId"), "00000000000011110000000000002222");
  EXPECT_EQ(l0[1].at("id"), "0000000000000002");
  EXPECT_EQ(l0[0].at("localEndpoint").at("serviceName"), "cart");
  EXPECT_EQ(l0[0].at("duration"), 5);
  ASSERT_EQ(l1.size(), 1U);
  EXPECT_EQ(l1[0].at("name"), "b");
  EXPECT_EQ(exporter.spans_exported(), 3U);
  EXPECT_EQ(exporter.bytes_written(), fs::file_size(path));
}

TEST_F(ExportersTest, ExportAfterShutdownFails) {
  resource owner("cart");
  span_data a;
  fill_span(a, owner, 1, "a");
  const span_data* batch[] = {&a};
  otlp_json_file_exporter exporter((dir_ / "out.jsonl").string());
  EXPECT_EQ(exporter.export_spans(batch), export_result::success);
  exporter.shutdown();
  EXPECT_EQ(exporter.export_spans(batch), export_result::failure);
  EXPECT_FALSE(exporter.force_flush(1s));
  exporter.shutdown();  // idempotent
  EXPECT_EQ(read_lines(dir_ / "out.jsonl").size(), 1U);
  EXPECT_EQ(exporter.spans_exported(), 1U);
}

TEST_F(ExportersTest, MissingDirectoryThrowsNamingThePath) {
  const std::string path = (dir_ / "no" / "such" / "dir" / "spans.jsonl").string();
  for (int which = 0; which < 2; ++which) {
    try {
      if (which == 0) {
        otlp_json_file_exporter exporter(path);
      } else {
        zipkin_file_exporter exporter(path);
      }
      ADD_FAILURE() << "no exception for " << path;
    } catch (const std::runtime_error& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(path), std::string::npos) << message;
      EXPECT_NE(message.find("No such file or directory"), std::string::npos) << message;
      EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
    }
  }
}

TEST_F(ExportersTest, WriteErrorsAreReportedAndCounted) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "needs /dev/full";
  resource owner("cart");
  span_data small;
  fill_span(small, owner, 1, "small");
  span_data big;
  fill_span(big, owner, 2, std::string(jsonl_file::kBufferSize + 1000, 'x'));  // overflows the buffer
  const span_data* small_batch[] = {&small};
  const span_data* big_batch[] = {&big};

  otlp_json_file_exporter exporter("/dev/full");
  EXPECT_EQ(exporter.export_spans(small_batch), export_result::success);  // still buffered
  EXPECT_FALSE(exporter.force_flush(1s));                                 // ENOSPC surfaces here
  EXPECT_EQ(exporter.write_errors(), 1U);
  EXPECT_EQ(exporter.export_spans(big_batch), export_result::failure);  // must reach the device
  EXPECT_GE(exporter.write_errors(), 2U);
  EXPECT_EQ(exporter.spans_exported(), 1U);
}

TEST(NullExporter, CountsTheBytesOfTheRealEncoding) {
  resource owner("cart");
  span_data a;
  span_data b;
  fill_span(a, owner, 1, "a");
  fill_span(b, owner, 2, "b");
  b.add_event("retry", b.start_unix_nanos + 10)->attributes.set("attempt", 1);
  const span_data* first[] = {&a, &b};
  const span_data* second[] = {&b};

  null_exporter exporter;
  EXPECT_EQ(exporter.encoding_mode(), null_exporter::mode::encode_otlp_json);
  EXPECT_EQ(exporter.export_spans(first), export_result::success);
  EXPECT_EQ(exporter.bytes_encoded(), to_otlp_json(first).size());
  EXPECT_EQ(exporter.export_spans(second), export_result::success);
  EXPECT_EQ(exporter.bytes_encoded(), to_otlp_json(first).size() + to_otlp_json(second).size());
  EXPECT_EQ(exporter.spans_exported(), 3U);
  EXPECT_EQ(exporter.batches(), 2U);

  exporter.shutdown();
  EXPECT_EQ(exporter.export_spans(first), export_result::failure);
  EXPECT_EQ(exporter.spans_exported(), 3U);
}

TEST(NullExporter, CountingOnlyDoesNotEncode) {
  resource owner("cart");
  span_data a;
  fill_span(a, owner, 1, "a");
  const span_data* batch[] = {&a, &a, &a};
  null_exporter exporter(null_exporter::mode::counting_only);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(exporter.export_spans(batch), export_result::success);
  EXPECT_EQ(exporter.spans_exported(), 12U);
  EXPECT_EQ(exporter.batches(), 4U);
  EXPECT_EQ(exporter.bytes_encoded(), 0U);
}

TEST(NullExporter, KeepsNoSamplesByDefault) {
  resource owner("cart");
  span_data a;
  fill_span(a, owner, 1, "a");
  const span_data* batch[] = {&a, &a};
  null_exporter exporter;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(exporter.export_spans(batch), export_result::success);
  EXPECT_TRUE(exporter.take_samples().empty());
}

TEST(NullExporter, KeepsWholeBatchesUpToTheBound) {
  resource owner("cart");
  span_data a;
  span_data b;
  span_data c;
  fill_span(a, owner, 1, "a");
  fill_span(b, owner, 2, "b");
  fill_span(c, owner, 3, "c");
  const span_data* two[] = {&a, &b};
  const span_data* one[] = {&c};
  const std::string two_json = to_otlp_json(two);
  const std::string one_json = to_otlp_json(one);

  // Room for two + one and a little more, but not for another two-span batch.
  null_exporter exporter(null_exporter::mode::encode_otlp_json, two_json.size() + one_json.size() + 10);
  EXPECT_EQ(exporter.export_spans(two), export_result::success);
  EXPECT_EQ(exporter.export_spans({}), export_result::success);  // nothing to keep
  EXPECT_EQ(exporter.export_spans(one), export_result::success);
  EXPECT_EQ(exporter.export_spans(two), export_result::success);  // does not fit: ends the sample
  EXPECT_EQ(exporter.export_spans(one), export_result::success);  // would fit, but the sample is over
  EXPECT_EQ(exporter.spans_exported(), 6U);
  exporter.shutdown();

  const std::vector<encoded_batch> samples = exporter.take_samples();
  ASSERT_EQ(samples.size(), 2U);
  EXPECT_EQ(samples[0].payload, two_json);
  EXPECT_EQ(samples[0].spans, 2U);
  EXPECT_EQ(samples[1].payload, one_json);
  EXPECT_EQ(samples[1].spans, 1U);
  EXPECT_TRUE(json::accept(samples[0].payload));  // a whole request, not a truncated one
  EXPECT_TRUE(exporter.take_samples().empty());   // taken means moved out
}

TEST(NullExporter, KeepSamplesSetterAndCountingOnly) {
  resource owner("cart");
  span_data a;
  fill_span(a, owner, 1, "a");
  const span_data* batch[] = {&a};
  const std::size_t size = to_otlp_json(batch).size();

  null_exporter exporter;
  EXPECT_EQ(exporter.export_spans(batch), export_result::success);  // before the setter: not kept
  exporter.keep_samples(3 * size);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(exporter.export_spans(batch), export_result::success);
  const std::vector<encoded_batch> samples = exporter.take_samples();
  EXPECT_EQ(samples.size(), 3U);  // exactly at the bound is still within it
  for (const encoded_batch& s : samples) EXPECT_EQ(s.spans, 1U);

  null_exporter counting(null_exporter::mode::counting_only, 1 << 20);
  EXPECT_EQ(counting.export_spans(batch), export_result::success);
  EXPECT_TRUE(counting.take_samples().empty());  // nothing encoded, nothing to keep
}

TEST(MemoryExporter, CopiesSurviveTheRecordBeingReused) {
  memory_exporter exporter;
  span_data record;
  {
    resource owner("checkout");
    fill_span(record, owner, 7, "original");
    record.parent = span_id{6};
    record.add_event("retry", 123)->attributes.set("attempt", 2);
    span_context linked;
    linked.trace = trace_id{0, 9};
    linked.span = span_id{10};
    record.add_link(linked)->attributes.set("why", "fan-in");
    record.status = status_code::error;
    record.status_message = "boom";
    const span_data* batch[] = {&record};
    ASSERT_EQ(exporter.export_spans(batch), export_result::success);
  }  // the resource is gone; the copied service name is not

  // The pool would now recycle the record for another span.
  record.reset();
  record.name = "reused";
  record.add_event("other", 1);
  record.attributes.set("http.route", "/overwritten");

  ASSERT_EQ(exporter.size(), 1U);
  const std::vector<recorded_span> spans = exporter.spans();
  ASSERT_EQ(spans.size(), 1U);
  const recorded_span& s = spans[0];
  EXPECT_EQ(s.service_name, "checkout");
  EXPECT_EQ(s.name, "original");
  EXPECT_EQ(s.context.span, span_id{7});
  EXPECT_EQ(s.parent, span_id{6});
  EXPECT_EQ(s.kind, span_kind::server);
  EXPECT_EQ(s.status, status_code::error);
  EXPECT_EQ(s.status_message, "boom");
  ASSERT_NE(s.attributes.find("http.route"), nullptr);
  EXPECT_EQ(s.attributes.find("http.route")->str, "/cart");
  ASSERT_EQ(s.event_count(), 1U);
  EXPECT_EQ(s.event(0).name, "retry");
  EXPECT_EQ(s.event(0).attributes.find("attempt")->i, 2);
  ASSERT_EQ(s.link_count(), 1U);
  EXPECT_EQ(s.link(0).context.span, span_id{10});
  EXPECT_EQ(s.link(0).attributes.find("why")->str, "fan-in");

  exporter.clear();
  EXPECT_EQ(exporter.size(), 0U);
  EXPECT_TRUE(exporter.spans().empty());
}

TEST(MemoryExporter, ConcurrentExportsAreAllKept) {
  resource owner("svc");
  memory_exporter exporter;
  constexpr int kThreads = 4;
  constexpr int kBatches = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      span_data s;
      fill_span(s, owner, static_cast<std::uint64_t>(t) + 1, "concurrent");
      const span_data* batch[] = {&s, &s};
      for (int i = 0; i < kBatches; ++i) EXPECT_EQ(exporter.export_spans(batch), export_result::success);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(exporter.size(), static_cast<std::size_t>(kThreads * kBatches * 2));

  exporter.shutdown();
  span_data s;
  fill_span(s, owner, 1, "late");
  const span_data* batch[] = {&s};
  EXPECT_EQ(exporter.export_spans(batch), export_result::failure);
  EXPECT_EQ(exporter.size(), static_cast<std::size_t>(kThreads * kBatches * 2));
}

}  // namespace
}  // namespace tracebench::tracer
