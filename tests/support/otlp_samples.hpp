#pragma once
// OTLP/JSON export requests the CLI tests feed to analyze and collect.

#include <string>

namespace tracebench::testing_support {

// gateway -> checkout in one trace, for request 7.
inline const std::string kTwoSpans =
    R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"gateway"}}]},)"
    R"("scopeSpans":[{"scope":{"name":"t"},"spans":[)"
    R"({"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"POST /checkout","kind":2,)"
    R"("startTimeUnixNano":"1000","endTimeUnixNano":"9000","attributes":[{"key":"tracebench.request_id","value":{"intValue":"7"}}]},)"
    R"({"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00f067aa0ba902b7","parentSpanId":"b7ad6b7169203331",)"
    R"("name":"PlaceOrder","kind":3,"startTimeUnixNano":"2000","endTimeUnixNano":"8000"}]}]}]})";

}  // namespace tracebench::testing_support
