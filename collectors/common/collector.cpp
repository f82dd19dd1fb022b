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

HttpRequest api_request(std::string url, model::Platform platform, std::string_view endpoint,
                        std::chrono::milliseconds timeout, std::size_t max_response_bytes) {
  HttpRequest r;
  r.url = std::move(url);
  r.timeout = timeout;
  r.max_response_bytes = max_response_bytes;
  r.platform = std::string(model::to_string(platform));
  r.endpoint = std::string(endpoint);
  return r;
}

HttpRequest avatar_request(std::string url, model::Platform platform,
                           std::chrono::milliseconds timeout, std::size_t max_bytes) {
  return api_request(std::move(url), platform, "avatar", timeout, max_bytes);
}

namespace {
Page not_offered(model::Platform platform, std::string endpoint) {
  Page page;
  page.endpoint = std::move(endpoint);
  model::ObservationError e;
  e.platform = platform;
  e.endpoint = page.endpoint;
  e.message = "not offered by this platform's collector";
  e.observed_at = std::chrono::floor<std::chrono::milliseconds>(model::Clock::now());
  page.result.outcome = ParseOutcome::platform_error;
  page.result.observations.emplace_back(std::move(e));
  return page;
}
}  // namespace

void PlatformCollector::reply_counts(const AccountRef&, model::TimePoint, model::TimePoint,
                                     PageHandler done) {
  done(not_offered(platform(), "reply_counts"));
}

void PlatformCollector::quotes(const AccountRef&, const std::string&, const Cursor&,
                               PageHandler done) {
  done(not_offered(platform(), "quotes"));
}

Page page_from_response(std::string endpoint, std::string url, model::Platform platform,
                        const BodyParser& parse, std::vector<std::string> requested_refs,
                        HttpResponse response) {
  Page page;
  page.endpoint = std::move(endpoint);
  page.url = std::move(url);
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
    context.requested_refs = std::move(requested_refs);
    if (auto link = response.header("link")) context.link_header = std::string(*link);
    page.result = parse(response.body, context);
  }
  page.response = std::move(response);
  return page;
}

void fetch_page(HttpClient& client, HttpRequest request, model::Platform platform, BodyParser parse,
                std::vector<std::string> requested_refs, PageHandler done) {
  std::string endpoint = request.endpoint;
  std::string url = request.url;
  client.fetch(std::move(request), [endpoint = std::move(endpoint), url = std::move(url), platform,
                                    parse = std::move(parse), refs = std::move(requested_refs),
                                    done = std::move(done)](HttpResponse response) mutable {
    done(page_from_response(std::move(endpoint), std::move(url), platform, parse, std::move(refs),
                            std::move(response)));
  });
}

}  // namespace mamori::collectors
