#include "daemon/signin/signin_api.h"

#include <sodium.h>

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>
#include <mutex>
#include <pqxx/pqxx>

#include "daemon/api/api_support.h"
#include "daemon/log/log.h"
#include "daemon/signin/session_authenticator.h"
#include "daemon/signin/totp.h"
#include "daemon/signin/user_store.h"
#include "daemon/store/connection.h"

namespace mamori::signin {

namespace bh = http::beast_http;

struct ConsoleSignin::State {
  State(store::Database& db, SigninOptions o, const collectors::Clock& clock)
      : database(db),
        options(std::move(o)),
        sessions(std::make_shared<SessionStore>(&db, options.sessions, clock)),
        throttle(options.throttle),
        authenticator(std::make_shared<SessionAuthenticator>(sessions)) {
    // A stand-in hash of a random password: unknown names are verified against it, so a
    // wrong name costs as much time as a wrong password.
    dummy_hash = hash_password(SessionStore::random_token(), options.dummy_hash_cost);
  }

  TimePoint now() const { return sessions->now(); }

  // A blocked attempt may look for `mamorictl user unblock` requests: at most one look at a
  // time and one every two seconds, so a flood of blocked attempts is no database load.
  bool claim_unblock_check(TimePoint at) {
    std::lock_guard lock(unblock_mutex);
    if (unblock_check_queued || at < next_unblock_check) return false;
    unblock_check_queued = true;
    next_unblock_check = at + std::chrono::seconds(2);
    return true;
  }
  void unblock_check_done() {
    std::lock_guard lock(unblock_mutex);
    unblock_check_queued = false;
  }
  // On the store worker: lifts the blocks requested since the last look. The first look only
  // notes where the requests stand (requests from before this process have nothing to lift).
  void apply_unblocks(pqxx::connection& c) {
    long long after = 0;
    {
      std::lock_guard lock(unblock_mutex);
      after = applied_unblock;
    }
    if (after < 0) {
      after = last_unblock_request(c);
    } else {
      for (const auto& r : unblock_requests_after(c, after)) {
        const std::size_t lifted = throttle.lift(r.name, r.address);
        log::info("signin.unblocked",
                  {{"user", r.name.empty() ? "(every user)" : r.name},
                   {"address", r.address.empty() ? "(every address)" : r.address},
                   {"entries", lifted}});
        after = r.id;
      }
    }
    std::lock_guard lock(unblock_mutex);
    applied_unblock = std::max(applied_unblock, after);
  }

  // Runs `work` on the password worker; false when it is gone (shutting down) or too busy.
  bool post_to_worker(std::function<void()> work) {
    std::lock_guard lock(pool_mutex);
    if (pool == nullptr || pending.load() >= options.max_pending_logins) return false;
    ++pending;
    boost::asio::post(*pool, [this, work = std::move(work)] {
      work();
      --pending;
    });
    return true;
  }

  store::Database& database;
  SigninOptions options;
  std::shared_ptr<SessionStore> sessions;
  LoginThrottle throttle;
  std::shared_ptr<SessionAuthenticator> authenticator;
  std::string dummy_hash;
  std::mutex pool_mutex;
  boost::asio::thread_pool* pool = nullptr;
  std::atomic<std::size_t> pending{0};
  std::mutex unblock_mutex;
  long long applied_unblock = -1;  // the last unblock request applied; -1 before the first look
  TimePoint next_unblock_check{};
  bool unblock_check_queued = false;
};

namespace {

std::string session_body(const Session& s, const SessionOptions& o) {
  boost::json::object user;
  user["name"] = s.user.name;
  user["display_name"] = s.user.display_name;
  user["role"] = role_name(s.user.role);
  user["totp_enabled"] = s.user.totp_enabled;
  boost::json::array municipalities;  // empty: all
  for (const std::string& m : s.user.municipalities) municipalities.emplace_back(m);
  user["municipalities"] = std::move(municipalities);
  boost::json::object body;
  body["user"] = std::move(user);
  body["csrf_token"] = s.csrf_token;
  body["idle_timeout_s"] = static_cast<long long>(s.idle_timeout.count());
  body["absolute_timeout_s"] = static_cast<long long>(o.absolute_timeout.count());
  return boost::json::serialize(body);
}

std::string cookie_attributes(bool secure) {
  return std::string("; Path=/; HttpOnly; SameSite=Strict") + (secure ? "; Secure" : "");
}

http::Response no_store(http::Response res) {
  res.set(bh::field::cache_control, "no-store");
  return res;
}

http::Response error(const http::Request& head, bh::status status, std::string_view message) {
  return no_store(http::json_error(head, status, message));
}

const char* const kWrongCredentials = "ユーザー名またはパスワードが正しくありません";
const char* const kTotpRequired = "確認コード（認証アプリの 6 桁の数字）を入力してください";
const char* const kWrongTotp = "確認コードが正しくないか、すでに使われています";
const char* const kBusy = "サインインの処理が混み合っています。しばらくしてから再度お試しください";

http::Response throttled(const http::Request& head, std::chrono::seconds wait) {
  auto res = error(head, bh::status::too_many_requests,
                   "サインインの失敗が続いたため一時的に制限しています。" +
                       std::to_string(wait.count()) + " 秒後に再度お試しください");
  res.set(bh::field::retry_after, std::to_string(wait.count()));
  return res;
}

void wipe(std::string& secret) {
  wipe_string(secret);
}

// One sign-in attempt as it moves loop -> store worker -> password worker -> store worker.
struct Attempt {
  http::Request head;  // version and keep-alive only
  http::Responder respond;
  std::string name;
  std::string password;
  std::string totp;
  std::string address;
  std::optional<std::string> old_cookie;
  std::optional<ConsoleUser> user;
  std::optional<std::int64_t> totp_step;
  bool begun = false;  // the throttle let it start (finish() or cancel() is owed)
  bool finished = false;

  ~Attempt() { wipe(password); }
};

using StatePtr = std::shared_ptr<ConsoleSignin::State>;

// A name field may hold a mistyped password: only well-formed user names are logged.
std::string loggable_name(const std::string& name) {
  return valid_user_name(name) ? name : std::string("(not a user name)");
}

void fail_attempt(const StatePtr& st, const std::shared_ptr<Attempt>& a, http::Response res) {
  st->throttle.finish(a->name, a->address, false, st->now());
  log::info("signin.failed", {{"user", loggable_name(a->name)},
                              {"address", a->address},
                              {"status", static_cast<unsigned>(res.result_int())}});
  a->respond(std::move(res));
}

// The attempt could not be judged (store or worker unavailable): no failure is counted.
void abandon_attempt(const StatePtr& st, const std::shared_ptr<Attempt>& a, http::Response res) {
  st->throttle.cancel(a->name, a->address);
  a->respond(std::move(res));
}

void refuse_throttled(const std::shared_ptr<Attempt>& a, std::chrono::seconds wait) {
  log::info("signin.throttled", {{"user", loggable_name(a->name)},
                                 {"address", a->address},
                                 {"retry_after_s", static_cast<long long>(wait.count())}});
  a->respond(throttled(a->head, wait));
}

void issue_session(const StatePtr& st, const std::shared_ptr<Attempt>& a) {
  const bool queued = st->database.submit(
      "signin.create_session",
      [st, a](pqxx::connection& c) {
        if (a->finished) return;  // a retried job after the answer went out
        if (a->totp_step && !claim_totp_step(c, a->user->id, *a->totp_step)) {
          a->finished = true;
          fail_attempt(st, a, error(a->head, bh::status::unauthorized, kWrongTotp));
          return;
        }
        SessionUser su{a->user->id,
                       a->user->name,
                       a->user->display_name,
                       a->user->role,
                       a->user->totp_secret.has_value(),
                       a->user->municipalities};
        Session session;
        const std::string id = st->sessions->create(c, su, &session);
        record_login(c, a->user->id);
        a->finished = true;
        // A new id at every sign-in (no session fixation); the browser's old one ends.
        if (a->old_cookie) st->sessions->revoke(*a->old_cookie);
        st->throttle.finish(a->name, a->address, true, st->now());
        log::info("signin.succeeded", {{"user", a->name}, {"address", a->address}});
        auto res = no_store(http::json_response(a->head, bh::status::ok,
                                                session_body(session, st->options.sessions)));
        res.set(bh::field::set_cookie, std::string(kSessionCookie) + "=" + id +
                                           cookie_attributes(st->options.secure_cookie));
        a->respond(std::move(res));
      },
      [st, a](std::exception_ptr failure) {
        if (failure && !a->finished) {
          a->finished = true;
          abandon_attempt(
              st, a, error(a->head, bh::status::internal_server_error, "内部エラーが発生しました"));
        }
      });
  if (!queued) abandon_attempt(st, a, error(a->head, bh::status::service_unavailable, kBusy));
}

// On the password worker.
void check_credentials(const StatePtr& st, const std::shared_ptr<Attempt>& a) {
  const bool known = a->user.has_value();
  bool ok = verify_password(a->password, known ? a->user->password_hash : st->dummy_hash);
  wipe(a->password);
  ok = ok && known && !a->user->disabled;
  if (!ok) {
    fail_attempt(st, a, error(a->head, bh::status::unauthorized, kWrongCredentials));
    return;
  }
  if (a->user->totp_secret) {
    if (a->totp.empty()) {
      // The password was right; it still counts, since this answer reveals as much.
      auto res =
          no_store(http::json_response(a->head, bh::status::unauthorized,
                                       boost::json::serialize(boost::json::object{
                                           {"error", kTotpRequired}, {"totp_required", true}})));
      fail_attempt(st, a, std::move(res));
      return;
    }
    const auto secret = st->options.totp_vault.open(a->user->name, *a->user->totp_secret);
    if (!secret) {
      log::error("signin.totp_secret_unreadable",
                 {{"user", a->user->name},
                  {"action",
                   "the stored TOTP secret does not open with [console] totp_key: restore the key, "
                   "or issue a new secret with mamorictl user totp-reset"}});
    }
    const auto key = secret ? base32_decode(*secret) : std::nullopt;
    const auto unix_now =
        std::chrono::duration_cast<std::chrono::seconds>(st->now().time_since_epoch()).count();
    if (key && !key->empty()) a->totp_step = match_totp(*key, a->totp, unix_now);
    wipe(a->totp);
    if (!a->totp_step) {
      fail_attempt(st, a, error(a->head, bh::status::unauthorized, kWrongTotp));
      return;
    }
  }
  issue_session(st, a);
}

// On the store worker: the user's row, then the password check on the password worker.
void look_up_user(const StatePtr& st, const std::shared_ptr<Attempt>& a, pqxx::connection& c) {
  if (valid_user_name(a->name)) a->user = find_user(c, a->name);
  if (!st->post_to_worker([st, a] { check_credentials(st, a); })) {
    a->finished = true;
    abandon_attempt(st, a, error(a->head, bh::status::service_unavailable, kBusy));
  }
}

void on_store_failure(const StatePtr& st, const std::shared_ptr<Attempt>& a,
                      const std::exception_ptr& failure) {
  if (failure && !a->finished) {
    a->finished = true;
    abandon_attempt(st, a,
                    error(a->head, bh::status::internal_server_error, "内部エラーが発生しました"));
  }
}

void start_attempt(const StatePtr& st, const std::shared_ptr<Attempt>& a) {
  if (!st->database.ready()) {
    return abandon_attempt(
        st, a,
        error(a->head, bh::status::service_unavailable,
              "データベースに接続できません。しばらくしてから再度お試しください"));
  }
  const bool queued = st->database.submit(
      "signin.find_user", [st, a](pqxx::connection& c) { look_up_user(st, a, c); },
      [st, a](std::exception_ptr failure) { on_store_failure(st, a, failure); });
  if (!queued) abandon_attempt(st, a, error(a->head, bh::status::service_unavailable, kBusy));
}

// A blocked attempt: unless `mamorictl user unblock` lifted the block since, 429.
void retry_after_unblocks(const StatePtr& st, const std::shared_ptr<Attempt>& a,
                          std::chrono::seconds wait) {
  if (!st->database.ready() || !st->claim_unblock_check(st->now()))
    return refuse_throttled(a, wait);
  const bool queued = st->database.submit(
      "signin.unblocks",
      [st, a, wait](pqxx::connection& c) {
        if (a->finished) return;
        st->apply_unblocks(c);
        if (!a->begun) {
          if (auto again = st->throttle.begin(a->name, a->address, st->now())) {
            a->finished = true;
            return refuse_throttled(a, *again);
          }
          a->begun = true;
        }
        look_up_user(st, a, c);
      },
      [st, a, wait](std::exception_ptr failure) {
        st->unblock_check_done();
        if (!failure || a->finished) return;
        a->finished = true;
        if (a->begun) return on_store_failure(st, a, failure);
        refuse_throttled(a, wait);
      });
  if (!queued) {
    st->unblock_check_done();
    refuse_throttled(a, wait);
  }
}

bool json_content_type(const http::Request& req) {
  std::string_view type = req[bh::field::content_type];
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return boost::beast::iequals(type, "application/json");
}

// Browsers send Origin with every POST. A sign-in is accepted from this site only: the origin of
// [server] public_url, or the one the request's own Host names. Clients that send no Origin
// (curl, scripts) are not browsers and cannot be made to sign in by another site.
bool same_origin(const http::Request& req, const std::string& public_origin) {
  const auto it = req.find(bh::field::origin);
  if (it == req.end()) return true;
  const std::string_view origin = it->value();
  if (!public_origin.empty() && boost::beast::iequals(origin, public_origin)) return true;
  const std::string_view host = req[bh::field::host];
  if (host.empty()) return false;
  const auto scheme_end = origin.find("://");
  return scheme_end != std::string_view::npos &&
         boost::beast::iequals(origin.substr(scheme_end + 3), host);
}

void login(const StatePtr& st, const http::Request& req, http::Responder respond) {
  http::Request head;
  head.version(req.version());
  head.keep_alive(req.keep_alive());
  // Cross-site requests: a form on another site can post text/plain or form data (not JSON)
  // without the browser asking first, and names its own origin.
  if (!json_content_type(req)) {
    return respond(error(head, bh::status::unsupported_media_type,
                         "サインインの要求は application/json で送ってください"));
  }
  if (!same_origin(req, st->options.public_origin)) {
    log::warn("signin.cross_site_refused", {{"origin", std::string_view(req[bh::field::origin])}});
    return respond(
        error(head, bh::status::forbidden, "別のサイトからのサインインは受け付けません"));
  }
  std::string parse_error;
  auto body = api::json_body(req, parse_error);
  if (!body) return respond(error(head, bh::status::bad_request, parse_error));
  auto a = std::make_shared<Attempt>();
  a->head = head;
  a->respond = std::move(respond);
  a->name = api::string_member(*body, "name");
  a->password = api::string_member(*body, "password");
  a->totp = api::string_member(*body, "totp");
  if (auto it = body->find("password"); it != body->end() && it->value().is_string()) {
    auto& s = it->value().as_string();
    if (!s.empty()) sodium_memzero(s.data(), s.size());
  }
  if (a->name.empty() || a->password.empty()) {
    return a->respond(
        error(head, bh::status::bad_request, "ユーザー名とパスワードを入力してください"));
  }
  if (a->name.size() > 256 || a->password.size() > 1024 || a->totp.size() > 16) {
    return a->respond(error(head, bh::status::bad_request, "入力が長すぎます"));
  }
  a->address = http::address_key(http::client_address(req, st->options.trusted_proxies));
  a->old_cookie = session_cookie(req);
  if (auto wait = st->throttle.begin(a->name, a->address, st->now())) {
    return retry_after_unblocks(st, a, *wait);
  }
  a->begun = true;
  start_attempt(st, a);
}

}  // namespace

SigninOptions signin_options_from(const config::Config& config) {
  SigninOptions o;
  o.secure_cookie = config.server.public_url.rfind("https://", 0) == 0;
  o.sessions.idle_timeout = config.console.session_idle_timeout;
  o.sessions.absolute_timeout = config.console.session_absolute_timeout;
  o.throttle.per_name.free_failures = config.console.login_failures_per_name;
  o.throttle.per_address.free_failures = config.console.login_failures_per_address;
  o.trusted_proxies = http::AddressList(config.server.trusted_proxies);
  o.public_origin = origin_of(config.server.public_url);
  if (config.console.totp_key) o.totp_vault = TotpVault(config.console.totp_key->value);
  return o;
}

std::string origin_of(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  const auto path = url.find('/', scheme_end + 3);
  return std::string(url.substr(0, path));
}

ConsoleSignin::ConsoleSignin(store::Database& database, SigninOptions options,
                             const collectors::Clock& clock)
    : state_(std::make_shared<State>(database, std::move(options), clock)),
      pool_(std::make_unique<boost::asio::thread_pool>(1)) {
  // The pool is owned here, not by the state its tasks hold, so a task never destroys it.
  state_->pool = pool_.get();
  state_->sessions->request_reload();
  // TOTP secrets stored before [console] totp_key was set are encrypted now; without a key,
  // say that they are stored unencrypted.
  database.submit("signin.seal_totp_secrets", [st = state_](pqxx::connection& c) {
    if (st->options.totp_vault.has_key()) {
      if (const int sealed = seal_plain_totp_secrets(c, st->options.totp_vault); sealed > 0)
        log::info("signin.totp_secrets_encrypted", {{"users", sealed}});
      return;
    }
    pqxx::read_transaction tx(c);
    const auto plain = tx.exec1(
                             "SELECT count(*) FROM console_users WHERE totp_secret IS NOT NULL"
                             " AND totp_secret NOT LIKE 'enc1:%'")[0]
                           .as<long long>();
    if (plain > 0) {
      log::warn("signin.totp_secrets_unencrypted",
                {{"users", plain},
                 {"action", "set [console] totp_key = \"file:totp_key\" to encrypt them"}});
    }
  });
  // Sessions from before a restart must be known before the first request is served.
  if (database.ready() && !state_->sessions->wait_loaded(std::chrono::seconds(10))) {
    log::warn("signin.sessions_not_loaded",
              {{"action", "signed-in users may have to sign in again until the store answers"}});
  }
}

ConsoleSignin::~ConsoleSignin() {
  {
    std::lock_guard lock(state_->pool_mutex);
    state_->pool = nullptr;  // store jobs still queued answer 503 instead of posting here
  }
  pool_->join();  // password checks in progress finish (and answer)
}

std::shared_ptr<const api::Authenticator> ConsoleSignin::with_tokens(
    const std::vector<config::ApiToken>& tokens) const {
  auto chain = std::make_shared<api::AuthChain>();
  chain->add(std::make_shared<api::TokenAuthenticator>(tokens));
  chain->add(state_->authenticator);
  return chain;
}

std::shared_ptr<const api::Authenticator> ConsoleSignin::session_authenticator() const {
  return state_->authenticator;
}

SessionStore& ConsoleSignin::sessions() {
  return *state_->sessions;
}
LoginThrottle& ConsoleSignin::throttle() {
  return state_->throttle;
}

void register_signin_routes(http::Router& router, store::Database& /*database: the state's*/,
                            ConsoleSignin& signin) {
  const StatePtr& st = signin.state();
  router.add_async(bh::verb::post, "/api/v1/session", "/api/v1/session",
                   [st](const http::Request& req, const http::Params&, http::Responder respond) {
                     login(st, req, std::move(respond));
                   });
  router.add(bh::verb::get, "/api/v1/session", "/api/v1/session",
             [st](const http::Request& req, const http::Params&) {
               const auto cookie = session_cookie(req);
               const auto session = cookie ? st->sessions->touch(*cookie) : std::nullopt;
               if (!session) return error(req, bh::status::unauthorized, "サインインしていません");
               return no_store(http::json_response(req, bh::status::ok,
                                                   session_body(*session, st->options.sessions)));
             });
  router.add(
      bh::verb::delete_, "/api/v1/session", "/api/v1/session",
      [st](const http::Request& req, const http::Params&) {
        const auto cookie = session_cookie(req);
        const auto session = cookie ? st->sessions->touch(*cookie) : std::nullopt;
        if (!session) return error(req, bh::status::unauthorized, "サインインしていません");
        if (!csrf_matches(req, *session)) {
          return error(
              req, bh::status::forbidden,
              "CSRF トークンがないか正しくありません。画面を再読み込みしてから操作してください");
        }
        st->sessions->revoke(*cookie);
        log::info("signin.signed_out", {{"user", session->user.name}});
        auto res = http::make_response(req, bh::status::no_content, "", "application/json");
        res.erase(bh::field::content_type);
        res.set(bh::field::set_cookie, std::string(kSessionCookie) + "=" +
                                           cookie_attributes(st->options.secure_cookie) +
                                           "; Max-Age=0");
        return res;
      });
}

}  // namespace mamori::signin
