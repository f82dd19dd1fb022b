#include "collectors/common/collector.h"

#include <chrono>

namespace mamori::collectors {

std::string url_encode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size() * 3);
  for (unsigned char c : value) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

void fetch_page(HttpClient& client, HttpRequest request, model::Platform platform,
                std::function<ParseResult(std::string_view, const ParseContext&)> parse,
                std::vector<std::string> requested_refs, PageHandler done) {
  Page page;
  page.endpoint = request.endpoint;
  page.url = request.url;
  client.fetch(std::move(request), [page = std::move(page), platform, parse = std::move(parse),
                                    refs = std::move(requested_refs),
                                    done = std::move(done)](HttpResponse response) mutable {
    const auto now = std::chrono::floor<std::chrono::milliseconds>(model::Clock::now());
    if (response.outcome != HttpOutcome::ok) {
      model::ObservationError e;
      e.platform = platform;
      e.endpoint = page.endpoint;
      e.message = std::string("request failed: ") + std::string(to_string(response.outcome)) +
                  (response.error.empty() ? "" : " (" + response.error + ")");
      e.observed_at = now;
      page.result.outcome = ParseOutcome::platform_error;
      page.result.observations.emplace_back(std::move(e));
    } else {
      ParseContext context;
      context.observed_at = now;
      context.http_status = response.status;
      context.requested_refs = std::move(refs);
      if (auto link = response.header("link")) context.link_header = std::string(*link);
      page.result = parse(response.body, context);
    }
    page.response = std::move(response);
    done(std::move(page));
  });
}

}  // namespace mamori::collectors
