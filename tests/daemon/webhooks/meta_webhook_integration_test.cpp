// Meta's webhook for Instagram @mentions end to end (issue 22): a real mamorid on real
// PostgreSQL, the fake platform serving the Instagram Graph API over loopback
// (tests/fakeplatform/scenarios/graph_youtube.toml), and the test in Meta's place delivering
// signed webhooks (tests/support/meta_webhook.h). A forged or unsigned delivery is refused with
// nothing stored; the subscription handshake answers the challenge only for the right token; a
// rumour in a comment that @mentions the city — on someone else's post, where polling never
// looks — is read through mentioned_comment and opens a デマ incident; a redelivery adds nothing.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/fake_platform.h"
#include "tests/support/mamorid_cluster.h"
#include "tests/support/meta_webhook.h"

namespace mamori {
namespace {

using namespace std::chrono_literals;
using testing::sql;

const std::string kAppSecret = "0123456789abcdef0123456789abcdef";
const std::string kVerifyToken = "mamori-verify-7f3a9c2e41d8";
const std::string kCity = "17841400000000001";  // soma_city in the scenario

// mamori.toml for an instance polling soma_city on Instagram from the fake platform.
std::string instance_config(const std::string& dsn, unsigned short port, const std::string& base,
                            bool webhook, const std::string& instance) {
  testing::set_fake_credentials_env();
  ::setenv("MAMORI_T_IG", "ig-test-token", 1);
  ::setenv("MAMORI_T_META_SECRET", kAppSecret.c_str(), 1);
  ::setenv("MAMORI_T_META_VERIFY", kVerifyToken.c_str(), 1);
  testing::MamoridSetup setup;
  setup.dsn = dsn;
  setup.http_port = port;
  setup.fake_base_url = base;
  setup.accounts = {{"instagram", "soma_city"}};
  setup.polling =
      "profiles = \"3s\"\nposts = \"2s\"\nreplies = \"2s\"\nsearch = \"30s\"\ntagged = \"2s\"\n";
  setup.extra = "[platforms.instagram]\nenabled = true\ngraph_base = \"" + base +
                "/v21.0\"\naccess_token = \"env:MAMORI_T_IG\"\nig_user_id = \"" + kCity + "\"\n";
  if (webhook) {
    setup.extra +=
        "webhook_verify_token = \"env:MAMORI_T_META_VERIFY\"\n"
        "app_secret = \"env:MAMORI_T_META_SECRET\"\n";
  }
  if (!instance.empty()) {
    setup.extra += testing::cluster_table(instance, 4s);
  }
  return testing::mamorid_config(setup);
}

// The fake's requests for one Instagram endpoint.
int fake_requests(const testing::FakePlatform& fake, const std::string& endpoint) {
  const auto r = testing::http_get("127.0.0.1", fake.port(), "/_control/log?since=0");
  boost::system::error_code ec;
  const auto v = boost::json::parse(r.body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("requests")) return -1;
  int n = 0;
  for (const auto& e : v.as_object().at("requests").as_array()) {
    const auto* o = e.if_object();
    if (o != nullptr && o->contains("endpoint") && o->at("endpoint").as_string() == endpoint) ++n;
  }
  return n;
}

// One series' value on an instance's /metrics ("" when absent).
std::string webhooks_test_metric(unsigned short port, const std::string& series) {
  const std::string all = "\n" + testing::http_get("127.0.0.1", port, "/metrics").body;
  const std::string key = "\n" + series + " ";  // a sample's line, not its # HELP
  const auto at = all.find(key);
  if (at == std::string::npos) return "";
  const auto end = all.find('\n', at + key.size());
  return all.substr(at + key.size(), end - at - key.size());
}

// Someone's own post, and under it a comment that @mentions the city with a rumour: polling
// reads the city's media, their comments and the media tagging it, never this comment.
void post_rumour_comment(const testing::FakePlatform& fake) {
  ASSERT_EQ(fake.control("accounts",
                         R"({"platform":"instagram","handle":"uwasa_ig","display_name":"噂"})"),
            200);
  ASSERT_EQ(fake.control("posts", R"({"platform":"instagram","author":"uwasa_ig",)"
                                  R"("id":"17900000000000101","text":"今日の相馬の川"})"),
            200);
  ASSERT_EQ(fake.control("posts",
                         R"({"platform":"instagram","author":"uwasa_ig","id":"17900000000000102",)"
                         R"("in_reply_to":"17900000000000101",)"
                         R"("text":"@soma_city 上流のダムが決壊したらしい！すぐ逃げて"})"),
            200);
}

struct Running {
  testing::ScratchDatabase db;
  testing::TempDir dir;
  testing::FakePlatform fake{
      testing::source_dir() / "tests/fakeplatform/scenarios/graph_youtube.toml", dir};
  testing::MamoridCluster cluster{dir};  // of one
  unsigned short port = 0;
  testing::ChildProcess* mamorid = nullptr;

  explicit Running(bool webhook = true) {
    auto& in = cluster.start("mamorid", [&](unsigned short p) {
      return instance_config(db.dsn(), p, fake.base_url(), webhook, "");
    });
    port = in.port;
    mamorid = in.process.get();
    EXPECT_TRUE(cluster.ready(in));
  }
  void stop() { EXPECT_EQ(cluster.stop(cluster[0], 30s), std::optional<int>(0)) << mamorid->log(); }
  std::string q(const std::string& query) const { return sql(db.dsn(), query); }
  testing::HttpResult get(const std::string& target) const {
    return testing::http_get("127.0.0.1", port, target);
  }
  testing::HttpResult deliver(const std::string& body,
                              const std::optional<std::string>& signature = std::nullopt) const {
    return testing::deliver_meta_webhook(port, kAppSecret, body, signature);
  }
  // `n` handshakes with wrong tokens in a row; how many met the rate limit (429).
  int guess_verify_token(int n) const {
    int limited = 0;
    for (int i = 0; i < n; ++i) {
      limited += get("/webhooks/meta?hub.mode=subscribe&hub.challenge=1&hub.verify_token=guess" +
                     std::to_string(i))
                     .status == 429;
    }
    return limited;
  }
  int requests(const std::string& endpoint) const { return fake_requests(fake, endpoint); }
  std::string metric(const std::string& series) const { return webhooks_test_metric(port, series); }
};

TEST(MetaWebhook, ForgedOrUnsignedDeliveriesAreRefusedAndStoreNothing) {
  Running r;
  const std::string body =
      testing::mention_delivery(kCity, "17900000000000101", "17900000000000102");
  // No signature, another app's secret, the right signature over another body.
  EXPECT_EQ(r.deliver(body, std::string()).status, 403);
  EXPECT_EQ(r.deliver(body, webhooks::signature_header("not-the-app-secret", body)).status, 403);
  EXPECT_EQ(r.deliver(body, webhooks::signature_header(kAppSecret, body + " ")).status, 403);
  EXPECT_EQ(r.deliver(body, "sha256=" + std::string(64, '0')).status, 403);
  // Too large, even when signed.
  const std::string big =
      R"({"object":"instagram","entry":[],"pad":")" + std::string(600 * 1024, 'x') + "\"}";
  EXPECT_EQ(r.deliver(big).status, 413);

  EXPECT_EQ(r.q("SELECT count(*) FROM instagram_mentions"), "0");
  EXPECT_EQ(r.metric("mamori_webhook_requests_total{result=\"unsigned\"}"), "1");
  EXPECT_EQ(r.metric("mamori_webhook_requests_total{result=\"bad_signature\"}"), "3");
  EXPECT_EQ(r.metric("mamori_webhook_requests_total{result=\"too_large\"}"), "1");
  const std::string log = r.mamorid->log();
  EXPECT_NE(log.find("event=webhook.refused"), std::string::npos) << log;
  // Neither secret nor the signatures sent show in the log.
  EXPECT_EQ(log.find(kAppSecret), std::string::npos);
  EXPECT_EQ(log.find(kVerifyToken), std::string::npos);
  EXPECT_EQ(log.find(webhooks::signature_header("not-the-app-secret", body).substr(7)),
            std::string::npos);
  // Nothing else is served there.
  EXPECT_EQ(testing::http_request("PUT", "127.0.0.1", r.port, "/webhooks/meta").status, 405);
  r.stop();
}

TEST(MetaWebhook, SubscriptionHandshakeAnswersTheChallengeOnlyForTheVerifyToken) {
  Running r;
  const auto ok = r.get(
      "/webhooks/meta?hub.mode=subscribe&hub.challenge=1158201444"
      "&hub.verify_token=" +
      kVerifyToken);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "1158201444");
  EXPECT_EQ(r.get("/webhooks/meta?hub.mode=subscribe&hub.challenge=1158201444"
                  "&hub.verify_token=" +
                  kVerifyToken + "x")
                .status,
            403);
  EXPECT_EQ(r.get("/webhooks/meta?hub.mode=subscribe&hub.challenge=1158201444").status, 403);
  EXPECT_EQ(r.get("/webhooks/meta?hub.mode=unsubscribe&hub.challenge=1"
                  "&hub.verify_token=" +
                  kVerifyToken)
                .status,
            400);
  // The challenge is echoed only when it is a plain token.
  EXPECT_EQ(r.get("/webhooks/meta?hub.mode=subscribe&hub.challenge=%3Cscript%3E"
                  "&hub.verify_token=" +
                  kVerifyToken)
                .status,
            400);
  EXPECT_EQ(r.metric("mamori_webhook_requests_total{result=\"verified\"}"), "1");
  EXPECT_EQ(r.metric("mamori_webhook_requests_total{result=\"verify_refused\"}"), "2");
  // Guessing the token fast meets the rate limit (20 a second after a burst of 40): 100 guesses
  // in a row over loopback take far less than the 3 s the limit would need to admit them all.
  const int limited = r.guess_verify_token(100);
  EXPECT_GT(limited, 0);
  EXPECT_EQ(r.metric("mamori_webhook_requests_total{result=\"rate_limited\"}"),
            std::to_string(limited));
  r.stop();
}

TEST(MetaWebhook, WithoutItsSecretsThereIsNoWebhook) {
  Running r(false);
  EXPECT_EQ(r.get("/webhooks/meta?hub.mode=subscribe&hub.challenge=1&hub.verify_token=x").status,
            404);
  EXPECT_EQ(r.deliver(testing::mention_delivery(kCity, "1", "2")).status, 404);
  r.stop();
}

TEST(MetaWebhook, ARumourMentioningTheCityOpensAMisinformationIncidentAndARedeliveryAddsNothing) {
  Running r;
  ASSERT_TRUE(testing::eventually(
      [&] {
        return r.q("SELECT account_id FROM official_accounts WHERE platform = 'instagram'") ==
               kCity;
      },
      40s))
      << r.mamorid->log();
  post_rumour_comment(r.fake);
  const std::string body =
      testing::mention_delivery(kCity, "17900000000000101", "17900000000000102");
  const auto delivered = r.deliver(body);
  ASSERT_EQ(delivered.status, 200) << delivered.body << r.mamorid->log();

  const std::string rumour_sql =
      "SELECT i.id FROM incidents i JOIN incident_findings f ON f.incident_id = i.id"
      " WHERE i.type = 'misinformation' AND f.evidence->'samples'->0->>'id' = "
      "'17900000000000102' LIMIT 1";
  ASSERT_TRUE(testing::eventually([&] { return !r.q(rumour_sql).empty(); }, 30s, 200ms))
      << r.mamorid->log()
      << "\nqueue: " << r.q("SELECT state, attempts, last_error FROM instagram_mentions")
      << "\nfindings: "
      << r.q("SELECT i.type, f.evidence FROM incident_findings f JOIN incidents i"
             " ON i.id = f.incident_id");
  EXPECT_EQ(r.q("SELECT state FROM instagram_mentions"), "done");
  EXPECT_EQ(r.q("SELECT in_reply_to_post_id FROM observed_posts WHERE post_id = "
                "'17900000000000102'"),
            "17900000000000101");
  EXPECT_EQ(r.requests("mentioned_comment"), 1);
  // (Polling goes on meanwhile and may open other incidents, e.g. the scenario's look-alike.)
  const std::string incidents = "SELECT count(*) FROM incidents WHERE type = 'misinformation'";
  const std::string findings =
      "SELECT count(*) FROM incident_findings WHERE evidence::text LIKE '%17900000000000102%'";
  const std::string incidents_before = r.q(incidents);
  const std::string findings_before = r.q(findings);
  EXPECT_EQ(findings_before, "1");

  // Meta delivers again (it does when an answer is slow): nothing new is queued, read or found.
  ASSERT_EQ(r.deliver(body).status, 200);
  ASSERT_EQ(r.deliver(body).status, 200);
  EXPECT_EQ(r.q("SELECT count(*) FROM instagram_mentions"), "1");
  EXPECT_EQ(r.metric("mamori_instagram_mentions_received_total{result=\"repeated\"}"), "2");
  std::this_thread::sleep_for(6s);  // more than a reader round
  EXPECT_EQ(r.requests("mentioned_comment"), 1);
  EXPECT_EQ(r.q(incidents), incidents_before) << r.q("SELECT type, subject FROM incidents");
  EXPECT_EQ(r.q(findings), findings_before);
  EXPECT_EQ(r.q("SELECT count(*) FROM observed_posts WHERE post_id = '17900000000000102'"), "1");
  r.stop();
}

// A flood of handshakes (someone guessing the verify token) and a flood of forged deliveries
// each meet their own rate limit: right after either, Meta's requests of the other kind are
// answered. With one limit for both, the flood left no tokens for them (429).
TEST(MetaWebhook, AFloodOfOneKindOfRequestDoesNotRefuseTheOther) {
  Running r;
  const std::string body = testing::mention_delivery(kCity, "17900000000000201");
  int refused = 0;
  for (int i = 0; i < 100; ++i) refused += r.deliver(body, std::string()).status == 429;
  ASSERT_GT(refused, 0);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(
        r.get("/webhooks/meta?hub.mode=subscribe&hub.challenge=77&hub.verify_token=" + kVerifyToken)
            .status,
        200)
        << i;
  }
  std::this_thread::sleep_for(2500ms);  // the deliveries' bucket full again (40 at 20 a second)
  const int guessed = r.guess_verify_token(100);
  ASSERT_GT(guessed, 0);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(r.deliver(body).status, 200) << i;
  EXPECT_EQ(r.metric("mamori_webhook_requests_total{result=\"rate_limited\"}"),
            std::to_string(refused + guessed));
  r.stop();
}

// A rotated app secret and verify token take effect on a reload (SIGHUP), without a restart:
// the old ones are refused from then on, and neither the old nor the new ones are logged.
TEST(MetaWebhook, AReloadAppliesARotatedAppSecretAndVerifyToken) {
  const std::string new_secret = "fedcba9876543210fedcba9876543210";
  const std::string new_token = "mamori-verify-rotated-5b1e0c";
  ::setenv("MAMORI_T_META_SECRET2", new_secret.c_str(), 1);
  ::setenv("MAMORI_T_META_VERIFY2", new_token.c_str(), 1);
  Running r;
  const auto handshake = [&](const std::string& token) {
    return r.get("/webhooks/meta?hub.mode=subscribe&hub.challenge=42&hub.verify_token=" + token)
        .status;
  };
  const std::string body = testing::mention_delivery(kCity, "17900000000000301");
  ASSERT_EQ(handshake(kVerifyToken), 200);
  ASSERT_EQ(r.deliver(body).status, 200);

  r.cluster.reload(r.cluster[0], [&](unsigned short port) {
    std::string config = instance_config(r.db.dsn(), port, r.fake.base_url(), true, "");
    for (const std::string name : {"MAMORI_T_META_SECRET", "MAMORI_T_META_VERIFY"}) {
      const std::string ref = "env:" + name + "\"";
      config.replace(config.find(ref), ref.size(), "env:" + name + "2\"");
    }
    return config;
  });
  ASSERT_TRUE(testing::eventually(
      [&] { return r.mamorid->log().find("event=config.reloaded") != std::string::npos; }, 20s))
      << r.mamorid->log();
  EXPECT_EQ(handshake(new_token), 200);
  EXPECT_EQ(handshake(kVerifyToken), 403);
  EXPECT_EQ(testing::deliver_meta_webhook(r.port, new_secret, body).status, 200);
  EXPECT_EQ(r.deliver(body).status, 403);  // signed with the old secret
  const std::string log = r.mamorid->log();
  EXPECT_NE(log.find("event=webhook.secrets_replaced"), std::string::npos) << log;
  for (const std::string& secret : {kAppSecret, kVerifyToken, new_secret, new_token})
    EXPECT_EQ(log.find(secret), std::string::npos) << secret;
  r.stop();
}

// The queue's depth is exported: a mention whose read fails stays pending (and counted) while a
// readable one is read and leaves the count.
TEST(MetaWebhook, PendingMentionsAreCountedUntilRead) {
  Running r;
  ASSERT_TRUE(testing::eventually(
      [&] {
        return r.q("SELECT account_id FROM official_accounts WHERE platform = 'instagram'") ==
                   kCity &&
               r.metric("mamori_instagram_mentions_pending") == "0";
      },
      40s))
      << r.metric("mamori_instagram_mentions_pending") << "\n"
      << r.mamorid->log();
  post_rumour_comment(r.fake);
  // Meta's server fails every read of a media mention: that one waits to be read again.
  ASSERT_EQ(r.fake.control("faults", R"({"platform":"instagram","endpoint":"mentioned_media",)"
                                     R"("kind":"status","status":500,"count":100000})"),
            200);
  ASSERT_EQ(r.deliver(testing::mention_delivery(kCity, "17900000000000101")).status, 200);
  ASSERT_EQ(
      r.deliver(testing::mention_delivery(kCity, "17900000000000101", "17900000000000102")).status,
      200);
  ASSERT_TRUE(testing::eventually(
      [&] {
        return r.q("SELECT string_agg(state, ',' ORDER BY id) FROM instagram_mentions") ==
                   "queued,done" &&
               r.metric("mamori_instagram_mentions_pending") == "1";
      },
      30s, 200ms))
      << r.q("SELECT state, attempts, last_error FROM instagram_mentions") << "\n"
      << r.metric("mamori_instagram_mentions_pending") << "\n"
      << r.mamorid->log();
  r.stop();
}

// Two instances on one database behind one public URL: Meta's deliveries reach either, each
// queues, and only the holder of soma_city's poll lease reads the mention — once.
TEST(MetaWebhook, TwoInstancesReadAMentionOnce) {
  testing::ScratchDatabase db;
  testing::TempDir dir;
  testing::FakePlatform fake{
      testing::source_dir() / "tests/fakeplatform/scenarios/graph_youtube.toml", dir};
  const std::string base = fake.base_url();
  testing::MamoridCluster cluster(dir);
  for (const std::string name : {"a", "b"})
    cluster.start(name, [&](unsigned short port) {
      return instance_config(db.dsn(), port, base, true, name);
    });
  for (auto& in : cluster) ASSERT_TRUE(cluster.ready(in));
  const unsigned short port_a = cluster[0].port;
  const unsigned short port_b = cluster[1].port;
  const auto q = [&](const std::string& query) { return sql(db.dsn(), query); };
  ASSERT_TRUE(testing::eventually(
      [&] {
        return q("SELECT account_id FROM official_accounts WHERE platform = 'instagram'") ==
                   kCity &&
               q("SELECT count(*) FROM poll_leases WHERE holder IS NOT NULL AND expires_at > "
                 "now()") == "1";
      },
      40s))
      << cluster.logs();
  post_rumour_comment(fake);
  const std::string body =
      testing::mention_delivery(kCity, "17900000000000101", "17900000000000102");
  for (const auto port : {port_a, port_b, port_a, port_b})
    ASSERT_EQ(testing::deliver_meta_webhook(port, kAppSecret, body).status, 200);
  ASSERT_TRUE(testing::eventually(
      [&] { return q("SELECT state FROM instagram_mentions") == "done"; }, 30s, 200ms))
      << q("SELECT state, attempts, claimed_by, last_error FROM instagram_mentions")
      << cluster.logs();
  std::this_thread::sleep_for(6s);  // more than a reader round on both
  EXPECT_EQ(q("SELECT count(*) FROM instagram_mentions"), "1");
  EXPECT_EQ(fake_requests(fake, "mentioned_comment"), 1);
  const std::string holder = q("SELECT holder FROM poll_leases WHERE platform = 'instagram'");
  const std::string stored = "mamori_instagram_mentions_read_total{result=\"stored\"}";
  EXPECT_EQ(webhooks_test_metric(holder == "a" ? port_a : port_b, stored), "1") << holder;
  EXPECT_EQ(webhooks_test_metric(holder == "a" ? port_b : port_a, stored), "") << holder;
  // Judged once: one finding about it, on one misinformation incident.
  EXPECT_TRUE(testing::eventually(
      [&] {
        return q("SELECT count(*) FROM incident_findings f JOIN incidents i ON i.id = "
                 "f.incident_id WHERE i.type = 'misinformation' AND "
                 "f.evidence->'samples'->0->>'id' = '17900000000000102'") == "1";
      },
      10s))
      << q("SELECT i.type, f.evidence FROM incident_findings f JOIN incidents i ON i.id = "
           "f.incident_id");
  for (auto& in : cluster)
    EXPECT_EQ(cluster.stop(in, 30s), std::optional<int>(0)) << in.process->log();
}

}  // namespace
}  // namespace mamori
