#include "daemon/signin/session_authenticator.h"

#include <sodium.h>

namespace mamori::signin {

namespace bh = http::beast_http;

std::optional<std::string> session_cookie(const http::Request& request) {
  const auto [first, last] = request.equal_range(bh::field::cookie);
  for (auto field = first; field != last; ++field) {
    std::string_view rest = field->value();
    while (!rest.empty()) {
      const auto semi = rest.find(';');
      std::string_view pair = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) pair.remove_prefix(1);
      const auto eq = pair.find('=');
      if (eq == std::string_view::npos || pair.substr(0, eq) != kSessionCookie) continue;
      std::string_view value = pair.substr(eq + 1);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
        value.remove_suffix(1);
      if (!value.empty()) return std::string(value);
    }
  }
  return std::nullopt;
}

bool is_unsafe_method(bh::verb method) {
  return method != bh::verb::get && method != bh::verb::head && method != bh::verb::options;
}

bool csrf_matches(const http::Request& request, const Session& session) {
  const auto it = request.find(kCsrfHeader);
  if (it == request.end()) return false;
  const std::string_view presented = it->value();
  return !session.csrf_token.empty() && presented.size() == session.csrf_token.size() &&
         sodium_memcmp(presented.data(), session.csrf_token.data(), presented.size()) == 0;
}

std::optional<api::Principal> SessionAuthenticator::authenticate(
    const http::Request& request) const {
  const auto cookie = session_cookie(request);
  if (!cookie) return std::nullopt;
  const bool background = !is_unsafe_method(request.method()) && request[kBackgroundHeader] == "1";
  const auto session = background ? sessions_->peek(*cookie) : sessions_->touch(*cookie);
  if (!session) return std::nullopt;
  if (is_unsafe_method(request.method()) && !csrf_matches(request, *session)) {
    throw api::AccessRefused(
        "CSRF トークンがないか正しくありません。画面を再読み込みしてから操作してください");
  }
  return api::Principal{session->user.name, session->user.role, session->user.municipalities};
}

}  // namespace mamori::signin
