#include "collectors/http/client_metrics.h"

namespace mamori::collectors {

std::string_view to_string(BreakerState state) {
  switch (state) {
    case BreakerState::closed:
      return "closed";
    case BreakerState::half_open:
      return "half_open";
    case BreakerState::open:
      return "open";
  }
  return "unknown";
}

std::string_view outcome_label(const HttpResponse& response) {
  if (response.outcome != HttpOutcome::ok) return to_string(response.outcome);
  if (response.status == 429) return "http_429";
  if (response.status >= 500) return "http_5xx";
  if (response.status >= 400) return "http_4xx";
  return "ok";
}

}  // namespace mamori::collectors
