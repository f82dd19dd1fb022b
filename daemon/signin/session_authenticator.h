// The console's sign-in as an api::Authenticator: the `mamori_session` cookie names a session;
// a request that changes something (POST/PUT/PATCH/DELETE) must also carry that session's
// `X-CSRF-Token`, else it is refused with 403. The principal's name is the user name, so
// timelines record who did what (issue 9).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "daemon/api/auth.h"
#include "daemon/http/router.h"
#include "daemon/signin/session_store.h"

namespace mamori::signin {

inline constexpr std::string_view kSessionCookie = "mamori_session";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";
// Set by the console on its automatic refreshes ("1"): such a GET does not count as the user's
// activity, so the idle timeout still ends a session whose tab is left open.
inline constexpr std::string_view kBackgroundHeader = "X-Mamori-Background";

// The value of the mamori_session cookie, if the request carries one.
std::optional<std::string> session_cookie(const http::Request& request);
// Anything but GET, HEAD and OPTIONS.
bool is_unsafe_method(http::beast_http::verb method);
// The request's X-CSRF-Token equals the session's (constant-time).
bool csrf_matches(const http::Request& request, const Session& session);

class SessionAuthenticator : public api::Authenticator {
 public:
  explicit SessionAuthenticator(std::shared_ptr<SessionStore> sessions)
      : sessions_(std::move(sessions)) {}
  // Throws api::AccessRefused for a live session without its CSRF token on an unsafe method.
  std::optional<api::Principal> authenticate(const http::Request& request) const override;

 private:
  std::shared_ptr<SessionStore> sessions_;
};

}  // namespace mamori::signin
