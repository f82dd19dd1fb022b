// Fuzzes what the platforms send back about rate limits: header lines ("name: value") into the
// header parsers and the governor, plus URLs into the host allow-list. Nothing may crash, and
// the governor's answer must always be a time it can wait for.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "collectors/http/host_allow_list.h"
#include "collectors/ratelimit/governor.h"
#include "collectors/ratelimit/rate_limit_headers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mamori;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::pair<std::string, std::string>> headers;
  std::size_t start = 0;
  while (start <= input.size()) {
    const auto end = input.find('\n', start);
    const std::string_view line =
        input.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    const auto colon = line.find(':');
    if (colon != std::string_view::npos) {
      headers.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
    }
    collectors::parse_iso8601(line);
    collectors::parse_http_date(line);
    collectors::parse_policy_window(line);
    collectors::parse_unix_seconds(line);
    collectors::HostAllowList list({"api.x.com", "*.bsky.network"});
    if (const auto url = collectors::parse_http_url(line)) list.allows(url->host);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  const model::TimePoint now{std::chrono::seconds(1718000000)};
  collectors::RequestGovernor governor(collectors::GovernorPolicy{}, [] { return 0.5; });
  for (const char* platform : {"x", "bluesky", "mastodon", "other"}) {
    collectors::parse_rate_limit_headers(model::platform_from_string(platform), headers, now);
    collectors::HttpResponse r;
    r.outcome = collectors::HttpOutcome::ok;
    r.headers = headers;
    for (int status : {200, 429, 503}) {
      r.status = status;
      governor.admit(platform, "e", now);
      governor.started(platform, "e", now);
      governor.finished(platform, "e", r, now);
      const auto a = governor.admit(platform, "e", now);
      if (a.kind == collectors::AdmitKind::wait && a.until < now) __builtin_trap();
    }
  }
  return 0;
}
