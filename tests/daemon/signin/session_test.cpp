// Sessions on a real PostgreSQL with an injected clock: creation, idle and absolute expiry,
// survival across a restart (a new store reading the table), revocation, disabled users, and
// the authenticator's CSRF rule (403 through guarded(), bearer tokens unchanged).
#include <gtest/gtest.h>

#include <atomic>

#include "collectors/ratelimit/clock.h"
#include "daemon/api/api_support.h"
#include "daemon/signin/password.h"
#include "daemon/signin/session_authenticator.h"
#include "daemon/signin/session_store.h"
#include "daemon/signin/signin_api.h"
#include "daemon/signin/user_store.h"
#include "daemon/store/connection.h"
#include "tests/support/fake_platform.h"
#include "tests/support/test_support.h"

namespace mamori::signin {
namespace {

using namespace std::chrono_literals;
namespace bh = http::beast_http;

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::DatabaseOptions o;
    o.dsn = db_.dsn();
    database_ = std::make_unique<store::Database>(o, nullptr);
    database_->start();
    ASSERT_TRUE(database_->wait_ready(10s));
    direct_ = store::connect(db_.dsn(), std::nullopt);
    const long long id = add_user(*direct_, "hanako", "広報 花子", api::Role::responder,
                                  hash_password("Kawa#Sakura9", HashCost::minimum()), std::nullopt);
    user_ = SessionUser{id, "hanako", "広報 花子", api::Role::responder, false, {}};
    options_.idle_timeout = 30min;
    options_.absolute_timeout = 12h;
  }
  void TearDown() override { database_->drain_and_stop(5s); }

  std::shared_ptr<SessionStore> make_store() {
    return std::make_shared<SessionStore>(database_.get(), options_, clock_);
  }
  // Waits until the store worker has run everything queued so far.
  void flush() {
    std::atomic<bool> done{false};
    ASSERT_TRUE(database_->submit("test.flush", [&](pqxx::connection&) { done = true; }));
    ASSERT_TRUE(testing::eventually([&] { return done.load(); }, 10s));
  }
  std::string rows() { return testing::sql(db_.dsn(), "SELECT count(*) FROM console_sessions"); }

  testing::ScratchDatabase db_;
  std::unique_ptr<store::Database> database_;
  std::unique_ptr<pqxx::connection> direct_;
  SessionUser user_;
  SessionOptions options_;
  collectors::ManualClock clock_{model::TimePoint(std::chrono::milliseconds(1'700'000'000'000))};
};

TEST_F(SessionTest, StoresOnlyAHashOfTheId) {
  auto store = make_store();
  Session s;
  const std::string id = store->create(*direct_, user_, &s);
  EXPECT_GE(id.size(), 43u);
  EXPECT_EQ(testing::sql(db_.dsn(), "SELECT count(*) FROM console_sessions WHERE id_hash = '" +
                                        SessionStore::hash_id(id) + "'"),
            "1");
  EXPECT_EQ(testing::sql(db_.dsn(), "SELECT count(*) FROM console_sessions WHERE id_hash = '" + id +
                                        "' OR csrf_token = '" + id + "'"),
            "0");
  EXPECT_NE(s.csrf_token, id);
  const auto found = store->touch(id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->user.name, "hanako");
  EXPECT_EQ(found->csrf_token, s.csrf_token);
  EXPECT_FALSE(store->touch(id + "x"));
  EXPECT_FALSE(store->touch(""));
}

TEST_F(SessionTest, IdleTimeoutRestartsOnUse) {
  auto store = make_store();
  const std::string id = store->create(*direct_, user_);
  clock_.advance(29min);
  ASSERT_TRUE(store->touch(id));
  clock_.advance(29min);  // 58 minutes in, but used 29 minutes ago
  ASSERT_TRUE(store->touch(id));
  clock_.advance(30min);
  EXPECT_FALSE(store->touch(id));
  EXPECT_FALSE(store->touch(id));  // and it stays gone
  flush();
  EXPECT_EQ(rows(), "0");
}

TEST_F(SessionTest, AbsoluteTimeoutEndsEvenAnActiveSession) {
  auto store = make_store();
  const std::string id = store->create(*direct_, user_);
  for (int i = 0; i < 47; ++i) {  // used every 15 minutes for 11 h 45 min
    clock_.advance(15min);
    ASSERT_TRUE(store->touch(id)) << i;
  }
  clock_.advance(15min);
  EXPECT_FALSE(store->touch(id));
}

TEST_F(SessionTest, SurvivesARestartOfTheDaemon) {
  std::string id;
  {
    auto first = make_store();
    id = first->create(*direct_, user_);
    clock_.advance(5min);
    ASSERT_TRUE(first->touch(id));
    flush();
  }
  auto second = make_store();
  second->reload(*direct_);
  const auto s = second->touch(id);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->user.name, "hanako");
  EXPECT_EQ(s->user.role, api::Role::responder);
}

TEST_F(SessionTest, ReloadDropsDisabledUsersAndExpiredRows) {
  auto store = make_store();
  const std::string id = store->create(*direct_, user_);
  const long long other_id =
      add_user(*direct_, "taro", "", api::Role::viewer,
               hash_password("Kawa#Sakura9", HashCost::minimum()), std::nullopt);
  const std::string other =
      store->create(*direct_, SessionUser{other_id, "taro", "", api::Role::viewer, false, {}});
  disable_user(*direct_, "taro");  // what `mamorictl user disable` does, from another process
  store->reload(*direct_);
  EXPECT_TRUE(store->touch(id));
  EXPECT_FALSE(store->touch(other));
  clock_.advance(13h);
  store->reload(*direct_);
  EXPECT_EQ(store->size(), 0u);
  EXPECT_EQ(rows(), "0");
}

TEST_F(SessionTest, ARevokedSessionIsNotBroughtBackByAReload) {
  auto store = make_store();
  const std::string id = store->create(*direct_, user_);
  store->revoke(id);
  store->reload(*direct_);  // may run before the queued delete: must not resurrect it
  EXPECT_FALSE(store->touch(id));
  flush();
  EXPECT_EQ(rows(), "0");
}

TEST_F(SessionTest, LastSeenIsWrittenThroughAtMostOncePerInterval) {
  auto store = make_store();
  const std::string id = store->create(*direct_, user_);
  const std::string q = "SELECT extract(epoch FROM last_seen_at)::bigint FROM console_sessions";
  const std::string created = testing::sql(db_.dsn(), q);
  clock_.advance(30s);
  ASSERT_TRUE(store->touch(id));
  flush();
  EXPECT_EQ(testing::sql(db_.dsn(), q), created);
  clock_.advance(31s);
  ASSERT_TRUE(store->touch(id));
  flush();
  EXPECT_EQ(std::stoll(testing::sql(db_.dsn(), q)), std::stoll(created) + 61);
}

// guarded() with the session authenticator: what every API route does.
class CsrfTest : public SessionTest {
 protected:
  int call(const api::Authenticator& auth, bh::verb method,
           const std::vector<std::pair<std::string, std::string>>& headers,
           std::string* actor = nullptr) {
    http::Request req{method, "/api/v1/rumours", 11};
    for (const auto& [k, v] : headers) req.set(k, v);
    int status = 0;
    auto handler = api::guarded(auth, api::Role::responder,
                                [actor](const api::Principal& who, const http::Request& r,
                                        const http::Params&, http::Responder respond) {
                                  if (actor) *actor = who.name;
                                  respond(http::json_response(r, bh::status::ok, "{}"));
                                });
    handler(req, {}, [&](http::Response res) { status = res.result_int(); });
    return status;
  }
};

TEST_F(CsrfTest, ChangesNeedTheSessionsCsrfToken) {
  auto store = make_store();
  Session s;
  const std::string id = store->create(*direct_, user_, &s);
  SessionAuthenticator auth(store);
  const std::string cookie = "theme=dark; mamori_session=" + id + "; lang=ja";
  std::string actor;
  EXPECT_EQ(call(auth, bh::verb::get, {{"Cookie", cookie}}), 200);
  EXPECT_EQ(call(auth, bh::verb::post, {{"Cookie", cookie}}), 403);
  EXPECT_EQ(call(auth, bh::verb::post, {{"Cookie", cookie}, {"X-CSRF-Token", s.csrf_token + "x"}}),
            403);
  EXPECT_EQ(call(auth, bh::verb::post, {{"Cookie", cookie}, {"X-CSRF-Token", ""}}), 403);
  EXPECT_EQ(call(auth, bh::verb::delete_, {{"Cookie", cookie}}), 403);
  EXPECT_EQ(
      call(auth, bh::verb::post, {{"Cookie", cookie}, {"X-CSRF-Token", s.csrf_token}}, &actor),
      200);
  EXPECT_EQ(actor, "hanako");  // the timeline actor is the user name
  EXPECT_EQ(call(auth, bh::verb::post,
                 {{"Cookie", "mamori_session=nonsense"}, {"X-CSRF-Token", s.csrf_token}}),
            401);
  EXPECT_EQ(call(auth, bh::verb::get, {}), 401);
}

// A console tab left open refreshes itself every few seconds; those requests say so and do not
// count as activity: the idle timeout still ends the session. What the user does still counts.
TEST_F(CsrfTest, AutomaticRefreshesDoNotKeepASessionAlive) {
  auto store = make_store();
  const std::string id = store->create(*direct_, user_);
  SessionAuthenticator auth(store);
  const std::pair<std::string, std::string> cookie{"Cookie", "mamori_session=" + id};
  const std::pair<std::string, std::string> background{"X-Mamori-Background", "1"};
  for (int i = 0; i < 29; ++i) {  // polled every minute for 29 minutes
    clock_.advance(1min);
    ASSERT_EQ(call(auth, bh::verb::get, {cookie, background}), 200) << i;
  }
  clock_.advance(1min + 1s);  // 30 minutes since the user last did anything
  EXPECT_EQ(call(auth, bh::verb::get, {cookie, background}), 401);

  const std::string other = store->create(*direct_, user_);
  const std::pair<std::string, std::string> other_cookie{"Cookie", "mamori_session=" + other};
  clock_.advance(20min);
  EXPECT_EQ(call(auth, bh::verb::get, {other_cookie}), 200);  // the user opens a page
  clock_.advance(20min);
  EXPECT_EQ(call(auth, bh::verb::get, {other_cookie, background}), 200);
}

TEST_F(CsrfTest, BearerTokensAreUnaffectedBySessions) {
  SigninOptions so;
  so.sessions = options_;
  so.dummy_hash_cost = HashCost::minimum();
  ConsoleSignin signin(*database_, so, clock_);
  config::ApiToken token;
  token.name = "oncall-tool";
  token.role = "responder";
  token.token.value = config::Secret("token-0123456789abcdefghijklmnopqrstuv");
  const auto chain = signin.with_tokens({token});
  std::string actor;
  // A POST with a bearer token needs no CSRF token, even with a stray session cookie.
  EXPECT_EQ(call(*chain, bh::verb::post,
                 {{"Authorization", "Bearer token-0123456789abcdefghijklmnopqrstuv"},
                  {"Cookie", "mamori_session=whatever"}},
                 &actor),
            200);
  EXPECT_EQ(actor, "oncall-tool");
  EXPECT_EQ(call(*chain, bh::verb::post, {{"Authorization", "Bearer wrong"}}), 401);
}

TEST(SessionCookie, ParsesTheCookieHeader) {
  http::Request req;
  EXPECT_EQ(session_cookie(req), std::nullopt);
  req.set(bh::field::cookie, "a=1; mamori_session=abc_DEF-123 ; b=2");
  EXPECT_EQ(session_cookie(req), std::optional<std::string>("abc_DEF-123"));
  req.set(bh::field::cookie, "mamori_sessionx=1; mamori_session=");
  EXPECT_EQ(session_cookie(req), std::nullopt);
}

}  // namespace
}  // namespace mamori::signin
