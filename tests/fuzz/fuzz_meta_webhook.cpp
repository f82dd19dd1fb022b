// libFuzzer target: Meta's webhook deliveries as POST /webhooks/meta receives them from the
// internet. The body goes to the mentions parser (collectors/instagram/instagram_webhook_parse.h)
// and, split at the first newline, the signature check (daemon/webhooks/meta_signature.cpp,
// compiled in: the fuzz configuration builds no daemon library). What must always hold: no
// crash; a failed parse has a message and no mentions; every mention has numeric ids (they go
// into Graph request paths) and none repeats; a random header never matches.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/instagram/instagram_webhook_parse.h"
#include "daemon/webhooks/meta_signature.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mamori;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto parsed = collectors::instagram::parse_mention_webhook(body);
  if (!parsed.ok() && !parsed.mentions.empty()) __builtin_trap();
  for (std::size_t i = 0; i < parsed.mentions.size(); ++i) {
    const auto& m = parsed.mentions[i];
    if (!collectors::instagram::is_graph_id(m.ig_user_id)) __builtin_trap();
    if (!collectors::instagram::is_graph_id(m.media_id)) __builtin_trap();
    if (m.comment_id && !collectors::instagram::is_graph_id(*m.comment_id)) __builtin_trap();
    for (std::size_t j = 0; j < i; ++j) {
      if (parsed.mentions[j] == m) __builtin_trap();
    }
  }
  const auto newline = body.find('\n');
  if (newline != std::string_view::npos) {
    const std::string_view header = body.substr(0, newline);
    const std::string_view rest = body.substr(newline + 1);
    const bool matches = webhooks::signature_matches("fuzz-app-secret", rest, header);
    if (matches && header != webhooks::signature_header("fuzz-app-secret", rest) &&
        header.size() != 71) {
      __builtin_trap();
    }
  }
  return 0;
}
