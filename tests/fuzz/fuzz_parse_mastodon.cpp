// libFuzzer target: every Mastodon endpoint parser on arbitrary bodies, plus the HTML-to-text
// converter and the Link header reader on raw bytes. The first input byte picks the endpoint (one
// past the last endpoint: the raw helpers), the second the parse context.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>

#include "collectors/mastodon/html_text.h"
#include "collectors/mastodon/mastodon_parse.h"
#include "tests/fuzz/parse_fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mamori;
  const auto names = collectors::endpoint_names(model::Platform::mastodon);
  const auto in = fuzz::split_input(data, size, names.size() + 1);
  if (in.endpoint == names.size()) {
    const auto html = collectors::mastodon::html_to_text(in.body);
    if (html.text.size() > 4 * in.body.size() + 8) __builtin_trap();
    if (simdjson::validate_utf8(in.body.data(), in.body.size())) {
      fuzz::check_text(html.text);
      for (const auto& link : html.links) fuzz::check_text(link);
    }
    if (const auto id = collectors::mastodon::next_max_id(in.body)) {
      if (id->empty()) __builtin_trap();
    }
    return 0;
  }
  const auto endpoint = collectors::mastodon_endpoint_from_name(names[in.endpoint]);
  if (!endpoint) __builtin_trap();
  fuzz::check_result(collectors::mastodon::parse(*endpoint, in.body, in.context));
  return 0;
}
