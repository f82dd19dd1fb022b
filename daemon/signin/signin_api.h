// The console's sign-in: POST/GET/DELETE /api/v1/session (docs/api.md), the session store and
// its authenticator, login throttling, and the password worker. Password hashes are verified on
// a thread of their own (argon2id takes tens of milliseconds and must not stall the event loop
// or the store worker).
#pragma once

#include <memory>
#include <vector>

#include "daemon/api/auth.h"
#include "daemon/config/config.h"
#include "daemon/http/client_address.h"
#include "daemon/http/router.h"
#include "daemon/signin/login_throttle.h"
#include "daemon/signin/password.h"
#include "daemon/signin/session_store.h"
#include "daemon/signin/totp_vault.h"
#include "daemon/store/database.h"

namespace boost::asio {
class thread_pool;
}

namespace mamori::signin {

struct SigninOptions {
  SessionOptions sessions;
  ThrottleOptions throttle;
  // Cost of the stand-in hash verified for unknown names, so they take as long as real ones.
  HashCost dummy_hash_cost = HashCost::interactive();
  bool secure_cookie = false;  // Secure attribute: set when the console is served over https
  std::size_t max_pending_logins = 16;
  // Peers whose X-Forwarded-For is believed ([server] trusted_proxies).
  http::AddressList trusted_proxies{std::vector<std::string>{"127.0.0.1", "::1"}};
  // Origins a sign-in may come from besides the Host the request names: [server] public_url's.
  std::string public_origin;
  // Opens the users' stored TOTP secrets ([console] totp_key); plain ones are sealed at start.
  TotpVault totp_vault;
};

// Secure cookies when [server] public_url is https; session timeouts and the sign-in throttle's
// free failures from [console].
SigninOptions signin_options_from(const config::Config& config);

class ConsoleSignin {
 public:
  // `clock` (the daemon's one clock) times sessions, the throttle and TOTP; it must outlive this.
  ConsoleSignin(store::Database& database, SigninOptions options, const collectors::Clock& clock);
  ~ConsoleSignin();  // waits for password checks in progress
  ConsoleSignin(const ConsoleSignin&) = delete;
  ConsoleSignin& operator=(const ConsoleSignin&) = delete;

  // Bearer tokens first (API clients are unaffected by sessions), then session cookies.
  std::shared_ptr<const api::Authenticator> with_tokens(
      const std::vector<config::ApiToken>& tokens) const;
  std::shared_ptr<const api::Authenticator> session_authenticator() const;
  SessionStore& sessions();
  LoginThrottle& throttle();

  struct State;
  const std::shared_ptr<State>& state() const { return state_; }

 private:
  std::shared_ptr<State> state_;
  std::unique_ptr<boost::asio::thread_pool> pool_;
};

// "scheme://host[:port]" of a URL ("" when it is not one).
std::string origin_of(std::string_view url);

void register_signin_routes(http::Router& router, store::Database& database, ConsoleSignin& signin);

}  // namespace mamori::signin
