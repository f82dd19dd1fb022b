// libFuzzer target: every Instagram Graph API endpoint parser on arbitrary bodies. The first input
// byte picks the endpoint, the second the parse context; see parse_fuzz_checks.h for what must
// always hold.
#include <cstddef>
#include <cstdint>

#include "collectors/instagram/instagram_parse.h"
#include "tests/fuzz/parse_fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mamori;
  const auto names = collectors::endpoint_names(model::Platform::instagram);
  const auto in = fuzz::split_input(data, size, names.size());
  const auto endpoint = collectors::instagram_endpoint_from_name(names[in.endpoint]);
  if (!endpoint) __builtin_trap();
  fuzz::check_result(collectors::instagram::parse(*endpoint, in.body, in.context));
  return 0;
}
