#include "collectors/http/http_client.h"

namespace mamori::collectors {

std::string_view to_string(HttpOutcome outcome) {
  switch (outcome) {
    case HttpOutcome::ok:
      return "ok";
    case HttpOutcome::timeout:
      return "timeout";
    case HttpOutcome::too_large:
      return "too_large";
    case HttpOutcome::connect_error:
      return "connect_error";
    case HttpOutcome::tls_error:
      return "tls_error";
    case HttpOutcome::cancelled:
      return "cancelled";
    case HttpOutcome::other_error:
      return "other_error";
    case HttpOutcome::host_not_allowed:
      return "host_not_allowed";
    case HttpOutcome::circuit_open:
      return "circuit_open";
    case HttpOutcome::rate_limited:
      return "rate_limited";
  }
  return "unknown";
}

}  // namespace mamori::collectors
