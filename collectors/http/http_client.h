// The collectors' view of HTTP: one request in, one response out, asynchronously.
// The implementation (curl_multi_client.h) drives libcurl's multi interface from the daemon's
// Asio loop; completions run on that loop's thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mamori::collectors {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  // Extra request headers ("Authorization", "Accept"...). Values may hold secrets: never log them.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{30000};
  std::size_t max_response_bytes = 8 * 1024 * 1024;
  // For metrics, logs and rate-limit bookkeeping: "x", "users/search".
  std::string platform;
  std::string endpoint;
  // Requests of one platform with the same non-empty scope share one rate-limit window (the
  // platform counts them together: Bluesky per IP, Mastodon per token); empty: the endpoint's own.
  std::string quota_scope;
};

enum class HttpOutcome {
  ok,             // a response arrived (any status code; see `status`)
  timeout,        // no complete response within the request's timeout
  too_large,      // the body passed max_response_bytes and the transfer was aborted
  connect_error,  // DNS, refused, reset
  tls_error,      // certificate or handshake failure
  cancelled,      // the client was shut down
  other_error,
  // Refused before anything was sent (no network traffic):
  host_not_allowed,  // the URL's host is not on the client's allow-list (or the URL is malformed)
  circuit_open,      // the endpoint's circuit breaker is open (GovernedHttpClient)
  rate_limited,  // the governor would have to hold the request past its limit (GovernedHttpClient)
};

std::string_view to_string(HttpOutcome outcome);

struct HttpResponse {
  HttpOutcome outcome = HttpOutcome::other_error;
  int status = 0;
  // Header names lower-cased; repeated headers appear repeatedly.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string error;  // transport error text when outcome != ok
  std::chrono::milliseconds elapsed{0};

  // First header with this (lower-case) name.
  std::optional<std::string_view> header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers) {
      if (k == lower_name) return std::string_view(v);
    }
    return std::nullopt;
  }
};

class HttpClient {
 public:
  using Completion = std::function<void(HttpResponse)>;
  virtual ~HttpClient() = default;
  // Starts the request; `done` runs exactly once, on the event loop's thread.
  virtual void fetch(HttpRequest request, Completion done) = 0;
};

}  // namespace mamori::collectors
