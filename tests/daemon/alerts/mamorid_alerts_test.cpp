// Alerts through a real mamorid: the fake platform's impersonator becomes an incident, the
// incident an alert on loopback receivers (a signed webhook and a PagerDuty-shaped receiver);
// the one-click link acknowledges it once; resolving closes the PagerDuty alert; a receiver that
// is down, and a mamorid killed with SIGKILL in the middle of a send, lose nothing and page once.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <regex>
#include <thread>

#include "daemon/alerts/ack_link.h"
#include "model/text.h"
#include "tests/daemon/alerts/http_receiver.h"
#include "tests/support/fake_platform.h"

namespace mamori::alerts {
namespace {

using namespace std::chrono_literals;
using mamori::testing::sql;
using testing::HttpReceiver;
using testing::ReceivedRequest;
using testing::ReceiverReply;

const std::string kLinkSecret = "link-secret-0123456789abcdef0123456789abcdef";
const std::string kApiToken = "api-token-0123456789abcdef0123456789abcdef";

struct Fetched {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;
};

// One HTTP/1.1 exchange with mamorid, headers included (the pages' security headers matter).
Fetched fetch(const std::string& method, unsigned short port, const std::string& target,
              const std::vector<std::pair<std::string, std::string>>& headers = {},
              const std::string& body = "") {
  namespace beast = boost::beast;
  namespace http = beast::http;
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return {};
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  http::write(socket, req, ec);
  if (ec) return {};
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res, ec);
  if (ec) return {};
  Fetched f;
  f.status = static_cast<int>(res.result_int());
  for (const auto& h : res) {
    std::string name(h.name_string());
    name = model::ascii_lower(name);
    f.headers[name] = std::string(h.value());
  }
  f.body = res.body();
  return f;
}

boost::json::object json_of(const ReceivedRequest& r) {
  return boost::json::parse(r.body).as_object();
}

// A receiver's requests about one incident ("" for any kind, else webhook X-Mamori-Event or
// PagerDuty event_action): the scenario may open other incidents too.
std::vector<ReceivedRequest> of_kind(const HttpReceiver& receiver, const std::string& kind,
                                     const std::string& id) {
  std::vector<ReceivedRequest> out;
  for (const auto& r : receiver.requests()) {
    const auto o = json_of(r);
    std::string k = r.header("x-mamori-event");
    std::string about;
    if (const auto* a = o.if_contains("event_action")) {
      k = std::string(a->as_string());
      about = std::string(o.at("dedup_key").as_string());
      about = about.substr(about.rfind('-') + 1);
    } else if (const auto* i = o.if_contains("incident")) {
      about = std::to_string(i->at("id").as_int64());
    }
    if ((kind.empty() || k == kind) && about == id) out.push_back(r);
  }
  return out;
}

// mamorid on a scratch database, polling the fake platform, alerting the given receivers.
class AlertedMamorid {
 public:
  AlertedMamorid(unsigned short hook_port, std::optional<unsigned short> pager_port) {
    fake_ = std::make_unique<mamori::testing::FakePlatform>(
        mamori::testing::source_dir() / "tests/fakeplatform/scenarios/small.toml", dir_);
    mamori::testing::set_fake_credentials_env();
    ::setenv("MAMORI_T_LINK", kLinkSecret.c_str(), 1);
    ::setenv("MAMORI_T_HOOK", "hook-secret-0123456789abcdef0123456789ab", 1);
    ::setenv("MAMORI_T_PD", "0123456789abcdef0123456789abcdef", 1);
    ::setenv("MAMORI_T_API", kApiToken.c_str(), 1);
    mamori::testing::MamoridSetup s;
    s.dsn = db_.dsn();
    s.http_port = mamori::testing::free_tcp_port();
    s.fake_base_url = fake_->base_url();
    s.accounts = {{"x", "soma_city"}};
    s.extra =
        "[[api_tokens]]\nname = \"ops\"\nrole = \"responder\"\ntoken = \"env:MAMORI_T_API\"\n"
        "[alerts]\nlink_secret = \"env:MAMORI_T_LINK\"\n"
        // Short retries ([alerts] retry_backoff): a receiver that comes back is retried within
        // ~2.5 s instead of up to ~50 s with the defaults.
        "retry_backoff = \"1s\"\nretry_backoff_max = \"2s\"\n"
        "[alerts.channels.hook]\nkind = \"webhook\"\nurl = \"http://127.0.0.1:" +
        std::to_string(hook_port) +
        "/mamori\"\nsecret = \"env:MAMORI_T_HOOK\"\nnotify_resolve = true\ntimeout = 10\n";
    std::string targets = "\"person:sato\"";
    if (pager_port) {
      s.extra +=
          "[alerts.channels.pager]\nkind = \"pagerduty\"\nrouting_key = \"env:MAMORI_T_PD\"\n"
          "events_url = \"http://127.0.0.1:" +
          std::to_string(*pager_port) + "/v2/enqueue\"\n";
      targets += ", \"channel:pager\"";
    }
    s.extra +=
        "[[alerts.people]]\nid = \"sato\"\nname = \"佐藤 花子\"\ncontacts = [{ channel = \"hook\" "
        "}]\n"
        "[[alerts.policies]]\nname = \"all\"\nseverities = [\"*\"]\n"
        "[[alerts.policies.levels]]\ntargets = [" +
        targets + "]\nescalate_after = \"15m\"\n";
    port_ = s.http_port;
    config_ = dir_.path() / "mamori.toml";
    setup_ = s;
    mamori::testing::write_file(config_, mamori::testing::mamorid_config(s));
    start();
  }

  // Rewrites mamori.toml with `edit` applied to its extra part (api tokens, [alerts]) and asks
  // the running mamorid to reload it (SIGHUP).
  void reload(const std::function<std::string(const std::string&)>& edit) {
    auto s = setup_;
    s.extra = edit(s.extra);
    mamori::testing::write_file(config_, mamori::testing::mamorid_config(s));
    process_->signal(SIGHUP);
  }

  void start() {
    ++starts_;
    process_ = std::make_unique<mamori::testing::ChildProcess>(
        std::vector<std::string>{(mamori::testing::bin_dir() / "mamorid").string(), "--config",
                                 config_.string()},
        dir_.path() / ("mamorid-" + std::to_string(starts_) + ".log"));
  }
  void kill9() {
    process_->signal(SIGKILL);
    ASSERT_TRUE(process_->wait_for_exit(10s).has_value());
  }
  void stop() {
    process_->signal(SIGTERM);
    EXPECT_EQ(process_->wait_for_exit(20s), std::optional<int>(0)) << log();
  }
  std::string log() const { return process_ ? process_->log() : std::string(); }
  std::string q(const std::string& query) const { return sql(db_.dsn(), query); }
  unsigned short port() const { return port_; }

  // The impersonation incident's id once it exists ("" after 60 s).
  std::string wait_for_incident() {
    const std::string query =
        "SELECT id FROM incidents WHERE type = 'impersonation' AND title LIKE '%soma\\_\\_city%'";
    // Migrated first (/readyz), so the query below never meets a missing table.
    mamori::testing::eventually([&] { return fetch("GET", port_, "/readyz").status == 200; }, 30s,
                                100ms);
    mamori::testing::eventually([&] { return !q(query).empty(); }, 60s, 100ms);
    return q(query);
  }

 private:
  mamori::testing::ScratchDatabase db_;
  mamori::testing::TempDir dir_;
  std::unique_ptr<mamori::testing::FakePlatform> fake_;
  std::filesystem::path config_;
  mamori::testing::MamoridSetup setup_;
  unsigned short port_ = 0;
  int starts_ = 0;
  std::unique_ptr<mamori::testing::ChildProcess> process_;
};

std::string path_of(const std::string& url) {
  const auto scheme = url.find("://");
  const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

TEST(MamoridAlerts, ImpersonationIsAlertedAcknowledgedByLinkOnceAndResolvedOnPagerDuty) {
  HttpReceiver hook;
  HttpReceiver pager;
  std::mutex mutex;
  std::map<long long, std::chrono::system_clock::time_point> first_trigger_at;  // by incident
  hook.set_handler([&](const ReceivedRequest& r) {
    std::lock_guard lock(mutex);
    if (r.header("x-mamori-event") == "trigger") {
      first_trigger_at.emplace(json_of(r).at("incident").at("id").as_int64(),
                               std::chrono::system_clock::now());
    }
    return ReceiverReply{};
  });
  pager.set_handler([](const ReceivedRequest&) {
    return ReceiverReply{202, R"({"status":"success","message":"Event processed"})",
                         "application/json"};
  });
  AlertedMamorid m(hook.port(), pager.port());
  const std::string id = m.wait_for_incident();
  ASSERT_FALSE(id.empty()) << m.log();

  // One trigger to each target, delivered on the first attempt (the first delivery cycle).
  ASSERT_TRUE(mamori::testing::eventually(
      [&] {
        return of_kind(hook, "trigger", id).size() == 1 &&
               of_kind(pager, "trigger", id).size() == 1;
      },
      20s))
      << m.log() << m.q("SELECT channel, state, attempts, last_error FROM alert_outbox");
  EXPECT_EQ(
      m.q("SELECT string_agg(channel || ':' || state || ':' || attempts, ',' ORDER BY channel)"
          " FROM alert_outbox WHERE kind = 'trigger' AND incident_id = " +
          id),
      "hook:delivered:1,pager:delivered:1");
  {
    std::lock_guard lock(mutex);
    const double opened =
        std::stod(m.q("SELECT extract(epoch FROM opened_at) FROM incidents WHERE id = " + id));
    const double received =
        std::chrono::duration<double>(first_trigger_at.at(std::stoll(id)).time_since_epoch())
            .count();
    std::cout << "[ measured ] incident opened -> webhook received: "
              << (received - opened) * 1000.0 << " ms; outbox created -> delivered: "
              << m.q("SELECT round(extract(epoch FROM delivered_at - created_at) * 1000) FROM "
                     "alert_outbox"
                     " WHERE channel = 'hook' AND kind = 'trigger' AND incident_id = " +
                     id)
              << " ms" << std::endl;
  }

  const auto trigger = json_of(of_kind(hook, "trigger", id).front());
  EXPECT_FALSE(of_kind(hook, "trigger", id).front().header("x-mamori-signature").empty());
  EXPECT_EQ(trigger.at("recipient").at("name").as_string(), "佐藤 花子");
  const std::string ack_url(trigger.at("incident").at("acknowledge_url").as_string());
  ASSERT_NE(ack_url.find("/ack/v1."), std::string::npos) << ack_url;
  const std::string ack_path = path_of(ack_url);
  const std::string dedup(
      json_of(of_kind(pager, "trigger", id).front()).at("dedup_key").as_string());
  EXPECT_EQ(dedup, "mamori-incident-" + id);

  // Opening the link (twice: a mail scanner, then the person) changes nothing.
  const std::string timeline_count =
      "SELECT count(*) FROM incident_timeline WHERE incident_id = " + id;
  const std::string before = m.q(timeline_count);
  for (int i = 0; i < 2; ++i) {
    const auto page = fetch("GET", m.port(), ack_path);
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_NE(page.body.find("<form method=\"post\""), std::string::npos);
    EXPECT_NE(page.body.find("インシデントを確認しますか"), std::string::npos);
    EXPECT_NE(page.body.find("佐藤 花子"), std::string::npos);
    EXPECT_EQ(page.body.find("<script"), std::string::npos);
    EXPECT_EQ(page.body.find("<style"), std::string::npos);
    EXPECT_EQ(page.body.find("style="), std::string::npos);
    EXPECT_NE(page.headers.at("content-security-policy").find("default-src 'none'"),
              std::string::npos);
    EXPECT_NE(page.headers.at("content-security-policy").find("form-action 'self'"),
              std::string::npos);
    EXPECT_EQ(page.headers.at("content-type"), "text/html; charset=utf-8");
  }
  EXPECT_EQ(m.q("SELECT status FROM incidents WHERE id = " + id), "open");
  EXPECT_EQ(m.q(timeline_count), before);
  const auto css = fetch("GET", m.port(), "/ack/style.css");
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.headers.at("content-type"), "text/css; charset=utf-8");

  // Forged and expired links: clear Japanese pages, nothing recorded.
  std::string forged = ack_path;
  forged[forged.size() - 3] = forged[forged.size() - 3] == 'A' ? 'B' : 'A';
  const auto bad =
      fetch("POST", m.port(), forged, {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("確認リンクが正しくありません"), std::string::npos) << bad.body;
  const AckLinkSigner signer(config::Secret(kLinkSecret), "http://127.0.0.1", 3600s);
  const auto old = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) - 2h;
  const auto expired =
      fetch("POST", m.port(), path_of(signer.url(std::stoll(id), 1, "佐藤 花子", "hook", old)));
  EXPECT_EQ(expired.status, 410);
  EXPECT_NE(expired.body.find("有効期限"), std::string::npos) << expired.body;
  EXPECT_EQ(m.q("SELECT status FROM incidents WHERE id = " + id), "open");

  // The button: acknowledged under the on-call person's name, once.
  const auto ack =
      fetch("POST", m.port(), ack_path, {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(ack.status, 200) << ack.body;
  EXPECT_NE(ack.body.find("確認を記録しました"), std::string::npos);
  EXPECT_EQ(m.q("SELECT status FROM incidents WHERE id = " + id), "acknowledged");
  EXPECT_EQ(m.q("SELECT actor FROM incident_timeline WHERE incident_id = " + id +
                " AND kind = 'status' ORDER BY id DESC LIMIT 1"),
            "佐藤 花子");
  const auto replay = fetch("POST", m.port(), ack_path);
  EXPECT_EQ(replay.status, 409);
  EXPECT_NE(replay.body.find("すでに使われています"), std::string::npos) << replay.body;
  const auto reopened_page = fetch("GET", m.port(), ack_path);
  EXPECT_EQ(reopened_page.body.find("<form"), std::string::npos) << "a used link offers no button";
  EXPECT_EQ(m.q("SELECT count(*) FROM incident_timeline WHERE incident_id = " + id +
                " AND kind = 'status'"
                " AND detail->>'to' = 'acknowledged'"),
            "1");

  // PagerDuty hears the acknowledgement with the same dedup_key; the webhook does not (not
  // configured).
  ASSERT_TRUE(mamori::testing::eventually(
      [&] { return of_kind(pager, "acknowledge", id).size() == 1; }, 20s))
      << m.log();
  EXPECT_EQ(json_of(of_kind(pager, "acknowledge", id).front()).at("dedup_key").as_string(), dedup);

  // Resolving through the API: PagerDuty resolves, the webhook gets a short resolution message.
  const auto resolved =
      fetch("POST", m.port(), "/api/v1/incidents/" + id + "/resolve",
            {{"Authorization", "Bearer " + kApiToken}, {"Content-Type", "application/json"}},
            R"({"note":"プラットフォームが凍結を確認"})");
  ASSERT_EQ(resolved.status, 200) << resolved.body;
  ASSERT_TRUE(mamori::testing::eventually(
      [&] {
        return of_kind(pager, "resolve", id).size() == 1 &&
               of_kind(hook, "resolve", id).size() == 1;
      },
      20s))
      << m.log() << m.q("SELECT kind, channel, state, last_error FROM alert_outbox");
  EXPECT_EQ(json_of(of_kind(pager, "resolve", id).front()).at("dedup_key").as_string(), dedup);
  EXPECT_NE(std::string(json_of(of_kind(hook, "resolve", id).front()).at("text").as_string())
                .find("解決"),
            std::string::npos);
  EXPECT_EQ(of_kind(hook, "acknowledge", id).size(), 0u);
  EXPECT_EQ(of_kind(hook, "trigger", id).size(), 1u);
  EXPECT_EQ(of_kind(pager, "trigger", id).size(), 1u);
  // Reopened after the resolution: a link of the first cycle, even unused and unexpired, cannot
  // acknowledge the new one; a link of the new cycle can.
  m.q("UPDATE incidents SET status = 'open', acknowledged_at = NULL WHERE id = " + id +
      "; INSERT INTO incident_timeline (incident_id, actor, kind, message, detail) VALUES (" + id +
      ", 'test', 'status', '再開', '{\"from\":\"resolved\",\"to\":\"open\"}')");
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const std::string first_cycle = path_of(signer.url(std::stoll(id), 1, "佐藤 花子", "hook", now));
  const auto earlier = fetch("POST", m.port(), first_cycle);
  EXPECT_EQ(earlier.status, 409) << earlier.body;
  EXPECT_NE(earlier.body.find("以前の通知"), std::string::npos) << earlier.body;
  EXPECT_EQ(fetch("GET", m.port(), first_cycle).body.find("<form"), std::string::npos);
  EXPECT_EQ(m.q("SELECT status FROM incidents WHERE id = " + id), "open");
  const auto second =
      fetch("POST", m.port(), path_of(signer.url(std::stoll(id), 1, "佐藤 花子", "hook", now, 1)));
  EXPECT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(m.q("SELECT status FROM incidents WHERE id = " + id), "acknowledged");
  m.stop();
}

TEST(MamoridAlerts, ReceiverDownForThirtySecondsGetsTheAlertOnceAfterItReturns) {
  const unsigned short port = testing::closed_port();
  AlertedMamorid m(port, std::nullopt);
  const std::string id = m.wait_for_incident();
  ASSERT_FALSE(id.empty()) << m.log();
  // The first attempt fails (connection refused) and is scheduled again.
  ASSERT_TRUE(mamori::testing::eventually(
      [&] {
        return m.q("SELECT attempts >= 1 AND last_error <> '' FROM alert_outbox WHERE channel = "
                   "'hook' AND incident_id = " +
                   id) == "t";
      },
      20s))
      << m.log();
  const auto down_since = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(30s);
  EXPECT_NE(m.q("SELECT state FROM alert_outbox WHERE channel = 'hook' AND incident_id = " + id),
            "delivered");
  HttpReceiver hook(port);
  const auto up_at = std::chrono::steady_clock::now();
  // retry_backoff_max = 2s: the next attempt after it returns comes within ~2.5 s (+ a poll).
  ASSERT_TRUE(mamori::testing::eventually([&] { return of_kind(hook, "", id).size() >= 1; }, 15s))
      << m.log() << m.q("SELECT state, attempts, last_error, next_attempt_at FROM alert_outbox");
  std::cout << "[ measured ] receiver down "
            << std::chrono::duration_cast<std::chrono::seconds>(up_at - down_since).count()
            << " s; delivered "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - up_at)
                   .count()
            << " ms after it came back; attempts "
            << m.q("SELECT attempts FROM alert_outbox WHERE channel = 'hook' AND incident_id = " +
                   id)
            << std::endl;
  ASSERT_TRUE(mamori::testing::eventually(
      [&] {
        return m.q("SELECT state FROM alert_outbox WHERE channel = 'hook' AND incident_id = " +
                   id) == "delivered";
      },
      10s));
  // Several dispatcher cycles later: still exactly one delivery, and the timeline says so once.
  std::this_thread::sleep_for(3s);
  ASSERT_EQ(of_kind(hook, "", id).size(), 1u);
  EXPECT_EQ(of_kind(hook, "", id).front().header("x-mamori-event"), "trigger");
  // Retried all along at the configured pace (at most ~2.5 s apart during the 30 s).
  EXPECT_GE(
      std::stoi(
          m.q("SELECT attempts FROM alert_outbox WHERE channel = 'hook' AND incident_id = " + id)),
      8);
  EXPECT_EQ(m.q("SELECT count(*) FROM incident_timeline WHERE incident_id = " + id +
                " AND kind = 'alert' AND message LIKE '%送信しました%'"),
            "1");
  m.stop();
}

TEST(MamoridAlerts, KillNineInTheMiddleOfASendStillDeliversAfterRestartWithTheSameKey) {
  HttpReceiver hook;
  std::atomic<bool> stall{true};
  hook.set_handler([&](const ReceivedRequest&) {
    ReceiverReply r;
    r.hang = stall.load();  // the first send never gets an answer: mamorid is killed meanwhile
    return r;
  });
  AlertedMamorid m(hook.port(), std::nullopt);
  const std::string id = m.wait_for_incident();
  ASSERT_FALSE(id.empty()) << m.log();
  ASSERT_TRUE(mamori::testing::eventually([&] { return of_kind(hook, "", id).size() == 1; }, 20s))
      << m.log();
  // Committed, claimed, on the wire, not recorded: the worst moment to die.
  EXPECT_EQ(m.q("SELECT state FROM alert_outbox WHERE channel = 'hook' AND incident_id = " + id),
            "sending");
  m.kill9();
  stall = false;
  m.start();
  ASSERT_TRUE(mamori::testing::eventually(
      [&] {
        return m.q("SELECT state FROM alert_outbox WHERE channel = 'hook' AND incident_id = " +
                   id) == "delivered";
      },
      30s))
      << m.log() << m.q("SELECT state, attempts, last_error FROM alert_outbox");
  std::this_thread::sleep_for(3s);
  const auto requests = of_kind(hook, "", id);
  ASSERT_EQ(requests.size(), 2u) << "the unanswered send and its one resend";
  EXPECT_EQ(requests[0].header("x-mamori-idempotency-key"),
            requests[1].header("x-mamori-idempotency-key"));
  EXPECT_FALSE(requests[0].header("x-mamori-idempotency-key").empty());
  // The key has the shape docs/ja/alerts.md explains to receivers, and shows in its example.
  const std::regex shape(
      "incident-[0-9]+(~[0-9]+)?:(trigger|escalate):[0-9]+\\.[0-9]+:[^:]+:[^:]*");
  EXPECT_TRUE(std::regex_match(requests[0].header("x-mamori-idempotency-key"), shape))
      << requests[0].header("x-mamori-idempotency-key");
  const std::string doc =
      mamori::testing::read_file(mamori::testing::source_dir() / "docs/ja/alerts.md");
  std::smatch example;
  ASSERT_TRUE(std::regex_search(doc, example, std::regex("\"idempotency_key\":\"([^\"]*)\"")));
  EXPECT_TRUE(std::regex_match(example[1].str(), shape)) << example[1].str();
  EXPECT_EQ(requests[0].body, requests[1].body);
  EXPECT_EQ(m.q("SELECT count(*) FROM alert_outbox WHERE incident_id = " + id), "1");
  EXPECT_EQ(m.q("SELECT count(*) FROM incident_timeline WHERE incident_id = " + id +
                " AND kind = 'alert' AND message LIKE '%送信しました%'"),
            "1");
  m.stop();
}

}  // namespace
}  // namespace mamori::alerts

namespace mamori::alerts {
namespace {

// SIGHUP applies a valid new [alerts] (here: a second webhook channel and a second escalation
// level that targets it) without a restart, and rejects an invalid one keeping the running
// configuration. The new channel receives the next alert (the escalation); the first channel is
// not paged again.
TEST(MamoridAlerts, ReloadAddsAWebhookChannelThatReceivesTheNextAlert) {
  HttpReceiver hook;
  HttpReceiver second;
  AlertedMamorid m(hook.port(), std::nullopt);
  const std::string id = m.wait_for_incident();
  ASSERT_FALSE(id.empty()) << m.log();
  ASSERT_TRUE(
      mamori::testing::eventually([&] { return of_kind(hook, "trigger", id).size() == 1; }, 20s))
      << m.log();
  auto metrics = [&] { return fetch("GET", m.port(), "/metrics").body; };

  // Invalid: a level naming a channel that does not exist. Rejected, nothing changes.
  m.reload([](const std::string& extra) {
    return extra + "[[alerts.policies.levels]]\ntargets = [\"channel:nope\"]\n";
  });
  ASSERT_TRUE(mamori::testing::eventually(
      [&] {
        return metrics().find("mamori_config_reloads_total{result=\"rejected\"} 1") !=
               std::string::npos;
      },
      20s))
      << m.log();
  EXPECT_NE(m.log().find("config.reload_rejected"), std::string::npos);
  EXPECT_NE(m.log().find("nope"), std::string::npos) << "the log says what was wrong";

  // Valid: level 2 (15 minutes unacknowledged) goes to a new webhook channel.
  const std::string second_url = second.base_url() + "/second";
  m.reload([&](const std::string& extra) {
    return extra +
           "[[alerts.policies.levels]]\ntargets = [\"channel:hook2\"]\nescalate_after = \"15m\"\n"
           "[alerts.channels.hook2]\nkind = \"webhook\"\nurl = \"" +
           second_url + "\"\nsecret = \"env:MAMORI_T_HOOK\"\n";
  });
  ASSERT_TRUE(mamori::testing::eventually(
      [&] {
        return metrics().find("mamori_config_reloads_total{result=\"applied\"} 1") !=
               std::string::npos;
      },
      20s))
      << m.log();
  EXPECT_NE(m.log().find("alerts.channels_replaced"), std::string::npos) << m.log();

  // 20 minutes unacknowledged (the injected clock: the episode started 20 minutes ago).
  m.q("UPDATE incidents SET escalation_started_at = now() - interval '20 minutes' WHERE id = " +
      id);
  ASSERT_TRUE(mamori::testing::eventually([&] { return of_kind(second, "", id).size() >= 1; }, 30s))
      << m.log() << m.q("SELECT kind, channel, state, last_error FROM alert_outbox");
  const auto got = of_kind(second, "", id).front();
  EXPECT_EQ(got.target, "/second");
  EXPECT_EQ(got.header("x-mamori-event"), "escalate");
  EXPECT_EQ(json_of(got).at("incident").at("id").as_int64(), std::stoll(id));
  // A few dispatcher cycles later: one escalation, and the first channel was not paged again.
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(of_kind(second, "", id).size(), 1u);
  EXPECT_EQ(of_kind(hook, "", id).size(), 1u);
  EXPECT_EQ(m.q("SELECT state FROM alert_outbox WHERE channel = 'hook2' AND incident_id = " + id),
            "delivered");
  m.stop();
}

// A reload while a send hangs: the send finishes (here: times out) on the old channel, the old
// channel set is closed as soon as it is idle — not only at the next reload — and the alert is
// delivered once through the new one.
TEST(MamoridAlerts, ARetiredChannelSetIsClosedOnceItsLastSendEnds) {
  HttpReceiver hook;
  std::atomic<int> hung{0};
  hook.set_handler([&](const ReceivedRequest& r) {
    ReceiverReply reply;
    if (r.header("x-mamori-event") == "trigger" && hung.fetch_add(1) == 0) reply.hang = true;
    return reply;
  });
  AlertedMamorid m(hook.port(), std::nullopt);
  const std::string id = m.wait_for_incident();
  ASSERT_FALSE(id.empty()) << m.log();
  ASSERT_TRUE(mamori::testing::eventually([&] { return hung.load() >= 1; }, 20s)) << m.log();
  m.reload([](const std::string& extra) { return extra + "\n"; });  // same [alerts], new channels
  ASSERT_TRUE(mamori::testing::eventually(
      [&] { return m.log().find("alerts.reloaded") != std::string::npos; }, 20s))
      << m.log();
  EXPECT_NE(m.log().find("retired_sets=1"), std::string::npos) << "the hanging send holds it";
  // The hanging send times out (channel timeout 10 s); within a sweep the old set is closed.
  EXPECT_TRUE(mamori::testing::eventually(
      [&] { return m.log().find("alerts.retired_channels_closed") != std::string::npos; }, 30s,
      200ms))
      << m.log();
  // And the alert is retried and delivered once, through the new channel.
  EXPECT_TRUE(mamori::testing::eventually(
      [&] {
        return m.q("SELECT state FROM alert_outbox WHERE kind = 'trigger' AND incident_id = " +
                   id) == "delivered";
      },
      30s))
      << m.log() << m.q("SELECT channel, state, attempts, last_error FROM alert_outbox");
  EXPECT_EQ(m.q("SELECT count(*) FROM alert_outbox WHERE kind = 'trigger' AND incident_id = " + id),
            "1");
  m.stop();
}

}  // namespace
}  // namespace mamori::alerts
