// libFuzzer target: every YouTube Data API v3 endpoint parser on arbitrary bodies. The first input
// byte picks the endpoint, the second the parse context; see parse_fuzz_checks.h for what must
// always hold.
#include <cstddef>
#include <cstdint>

#include "collectors/youtube/youtube_parse.h"
#include "tests/fuzz/parse_fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mamori;
  const auto names = collectors::endpoint_names(model::Platform::youtube);
  const auto in = fuzz::split_input(data, size, names.size());
  const auto endpoint = collectors::youtube_endpoint_from_name(names[in.endpoint]);
  if (!endpoint) __builtin_trap();
  fuzz::check_result(collectors::youtube::parse(*endpoint, in.body, in.context));
  return 0;
}
