#pragma once
// The W3C test service (fake-services/w3c) from the command line.

#include <boost/program_options/variables_map.hpp>
#include <iosfwd>

namespace tracebench::harness {

// `tracebench serve --w3c-test-endpoint`, given serve's parsed flags (a scenario's own flags
// already refused by serve): rejects a scenario argument, serves until a signal, --duration or
// --max-requests, prints its counters on stdout. The exit status.
int serve_w3c_test_endpoint(const boost::program_options::variables_map& values, std::ostream& out, std::ostream& err);

}  // namespace tracebench::harness
