// libFuzzer target: every Facebook Graph API (Pages) endpoint parser on arbitrary bodies, plus
// the plain-text link finder and the Graph `next` URL reader on raw bytes. The first input byte
// picks the endpoint (one past the last: the raw helpers), the second the parse context; see
// parse_fuzz_checks.h for what must always hold.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>

#include "collectors/common/graph_api.h"
#include "collectors/common/text_links.h"
#include "collectors/facebook/facebook_parse.h"
#include "tests/fuzz/parse_fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mamori;
  const auto names = collectors::endpoint_names(model::Platform::facebook);
  const auto in = fuzz::split_input(data, size, names.size() + 1);
  if (in.endpoint == names.size()) {
    const bool utf8 = simdjson::validate_utf8(in.body.data(), in.body.size());
    for (const auto& link : collectors::links_in_text(in.body)) {
      if (!link.starts_with("http") || link.size() > in.body.size()) __builtin_trap();
      if (utf8) fuzz::check_text(link);
    }
    const auto query = collectors::graph::query_without_credentials(in.body);
    if (query.find("access_token=") == 0 || query.find("&access_token=") != std::string::npos) {
      __builtin_trap();
    }
    return 0;
  }
  const auto endpoint = collectors::facebook_endpoint_from_name(names[in.endpoint]);
  if (!endpoint) __builtin_trap();
  fuzz::check_result(collectors::facebook::parse(*endpoint, in.body, in.context));
  return 0;
}
