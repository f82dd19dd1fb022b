// The cheap polling of issue 21 through mamorid and the fake platform: the X reply rate also
// comes from tweets/counts/recent (one priced request per interval); once a count rises above
// the baseline the reply texts are read only as a sample after each count instead of every
// `replies` interval; quote posts of the city's posts are read and stored like replies.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "tests/support/fake_platform.h"

namespace mamori {
namespace {

using namespace std::chrono_literals;

struct LogEntry {
  long long seq = 0;
  std::string endpoint;
  std::string target;
  double usd = 0;
};

std::vector<LogEntry> fake_log(const testing::FakePlatform& fake, long long since,
                               long long* last = nullptr) {
  const auto body =
      testing::http_get("127.0.0.1", fake.port(), "/_control/log?since=" + std::to_string(since))
          .body;
  const auto doc = boost::json::parse(body).as_object();
  if (last != nullptr) *last = doc.at("last").to_number<long long>();
  std::vector<LogEntry> out;
  for (const auto& e : doc.at("requests").as_array()) {
    const auto& o = e.as_object();
    if (o.at("platform").as_string() != "x") continue;
    LogEntry l;
    l.endpoint = std::string(o.at("endpoint").as_string());
    l.target = std::string(o.at("target").as_string());
    l.usd = o.at("usd").to_number<double>();
    out.push_back(std::move(l));
  }
  return out;
}

std::size_t count_endpoint(const std::vector<LogEntry>& log, const std::string& endpoint) {
  return static_cast<std::size_t>(std::count_if(
      log.begin(), log.end(), [&](const LogEntry& e) { return e.endpoint == endpoint; }));
}

void add_post(const testing::FakePlatform& fake, const boost::json::object& post) {
  const auto r =
      testing::http_request("POST", "127.0.0.1", fake.port(), "/_control/posts",
                            {"Content-Type: application/json"}, boost::json::serialize(post));
  ASSERT_EQ(r.status, 200) << r.body;
}

// mamorid with `accounts` and `[polling]` against the fake platform's small scenario and a scratch
// database.
struct Rig {
  testing::ScratchDatabase db;
  testing::TempDir dir;
  testing::FakePlatform fake{testing::source_dir() / "tests/fakeplatform/scenarios/small.toml",
                             dir};
  unsigned short port = testing::free_tcp_port();
  std::filesystem::path config = dir.path() / "mamori.toml";

  Rig(std::vector<std::pair<std::string, std::string>> accounts, std::string polling) {
    testing::MamoridSetup setup;
    setup.dsn = db.dsn();
    setup.http_port = port;
    setup.fake_base_url = fake.base_url();
    setup.accounts = std::move(accounts);
    setup.polling = std::move(polling);
    testing::write_file(config, testing::mamorid_config(setup));
    testing::set_fake_credentials_env();
  }
  std::unique_ptr<testing::ChildProcess> start(const std::string& log) const {
    return std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{(testing::bin_dir() / "mamorid").string(), "--config",
                                 config.string()},
        dir.path() / log);
  }
  std::string q(const std::string& query) const { return testing::sql(db.dsn(), query); }
};

TEST(ReplyCountsMamorid, CountsSampleTheTextsOnARiseAndQuotesAreRead) {
  Rig rig({{"x", "soma_city"}},
          "profiles = \"1h\"\nposts = \"2s\"\nreplies = \"1s\"\nsearch = \"1d\"\n"
          "reply_counts = \"3s\"\nquotes = \"2s\"\n");
  auto& fake = rig.fake;
  auto mamorid_process = rig.start("mamorid.log");
  auto& mamorid = *mamorid_process;

  // The counts follow what users/:id/mentions returns, priced per request.
  std::vector<LogEntry> log;
  ASSERT_TRUE(testing::eventually(
      [&] {
        log = fake_log(fake, 0);
        return count_endpoint(log, "tweets/counts/recent") >= 1;
      },
      40s, 200ms))
      << mamorid.log();
  for (const auto& e : log) {
    if (e.endpoint != "tweets/counts/recent") continue;
    EXPECT_NE(e.target.find("query=%40soma_city%20-from%3Asoma_city"), std::string::npos)
        << e.target;
    EXPECT_NE(e.target.find("granularity=minute"), std::string::npos) << e.target;
    EXPECT_DOUBLE_EQ(e.usd, 0.005);
  }

  // A quote of the city's notice is read by the quotes job and stored as a quote.
  add_post(fake, {{"platform", "x"},
                  {"author", "taro_yamada"},
                  {"quotes", "x-notice"},
                  {"text", "引用テスト: 訓練の時間を教えてください"}});
  ASSERT_TRUE(testing::eventually(
      [&] {
        return testing::sql(rig.db.dsn(),
                            "SELECT count(*) FROM observed_posts WHERE platform = 'x' AND "
                            "quoted_post_id IS NOT NULL AND text LIKE '引用テスト%'") == "1";
      },
      30s, 250ms))
      << mamorid.log();
  EXPECT_GE(count_endpoint(fake_log(fake, 0), "tweets/:id/quote_tweets"), 1u);

  // In calm times the reply texts are read every `replies` (1 s), as without counts.
  long long calm_from = 0;
  fake_log(fake, 0, &calm_from);
  std::this_thread::sleep_for(5s);
  EXPECT_GE(count_endpoint(fake_log(fake, calm_from), "users/:id/mentions"), 3u);

  // A flood of replies: once a count shows the rise (the minute is counted when it is over,
  // 30 s later), the texts are read only as a sample after each count, not every second.
  for (int i = 0; i < 30; ++i) {
    add_post(fake, {{"platform", "x"},
                    {"author", "taro_yamada"},
                    {"in_reply_to", "x-notice"},
                    {"text", "説明してください " + std::to_string(i)}});
  }
  ASSERT_TRUE(testing::eventually(
      [&] { return mamorid.log().find("poll.replies_sampled") != std::string::npos; }, 150s, 500ms))
      << mamorid.log();
  long long sampled_from = 0;
  fake_log(fake, 0, &sampled_from);
  std::this_thread::sleep_for(8s);
  EXPECT_LE(count_endpoint(fake_log(fake, sampled_from), "users/:id/mentions"), 1u);
  EXPECT_EQ(std::stoi(testing::sql(rig.db.dsn(),
                                   "SELECT count(*) FROM observed_posts WHERE platform = 'x' AND "
                                   "text LIKE '%説明してください%'")),
            30);
  mamorid.signal(SIGTERM);
  ASSERT_EQ(mamorid.wait_for_exit(20s), std::optional<int>(0)) << mamorid.log();
}

// The counts' cursor survives a restart: the first count of the new process starts exactly where
// the last one of the old process ended (no minute counted twice, none skipped), although
// minutes passed while mamorid was down.
TEST(ReplyCountsMamorid, ARestartCountsOnFromWhereTheLastCountEnded) {
  Rig rig({{"x", "soma_city"}},
          "profiles = \"1h\"\nposts = \"1h\"\nreplies = \"1h\"\nsearch = \"1d\"\n"
          "reply_counts = \"2s\"\n");
  auto& fake = rig.fake;
  const auto param = [](const std::string& target, const std::string& name) {
    const auto at = target.find("&" + name + "=");
    if (at == std::string::npos) return std::string();
    const auto from = at + name.size() + 2;
    return target.substr(from, target.find('&', from) - from);
  };
  const auto counts = [&](long long since) {
    std::vector<LogEntry> out;
    for (auto& e : fake_log(fake, since))
      if (e.endpoint == "tweets/counts/recent") out.push_back(std::move(e));
    return out;
  };

  auto mamorid = rig.start("mamorid.log");
  ASSERT_TRUE(testing::eventually([&] { return !counts(0).empty(); }, 40s, 200ms))
      << mamorid->log();
  mamorid->signal(SIGTERM);
  ASSERT_EQ(mamorid->wait_for_exit(20s), std::optional<int>(0)) << mamorid->log();
  long long stopped_at = 0;
  const auto before = fake_log(fake, 0, &stopped_at);
  std::string last_end;
  for (const auto& e : before)
    if (e.endpoint == "tweets/counts/recent") last_end = param(e.target, "end_time");
  ASSERT_FALSE(last_end.empty());

  // Down for more than a minute: counted minutes pass unread.
  std::this_thread::sleep_for(65s);
  mamorid = rig.start("mamorid2.log");
  ASSERT_TRUE(testing::eventually([&] { return !counts(stopped_at).empty(); }, 40s, 200ms))
      << mamorid->log();
  const auto first = counts(stopped_at).front();
  EXPECT_EQ(param(first.target, "start_time"), last_end) << first.target;
  EXPECT_NE(param(first.target, "end_time"), last_end) << first.target;
  mamorid->signal(SIGTERM);
  ASSERT_EQ(mamorid->wait_for_exit(20s), std::optional<int>(0)) << mamorid->log();
}

// Mastodon quote posts (4.5): the quotes job asks GET /api/v1/statuses/:id/quotes for the city's
// recent statuses; a quote is stored with the status it quotes, like an X or Bluesky quote.
TEST(ReplyCountsMamorid, MastodonQuotesOfTheCityStatusAreRead) {
  Rig rig({{"mastodon", "soma_city"}},
          "profiles = \"1h\"\nposts = \"1s\"\nreplies = \"1h\"\nsearch = \"1d\"\n"
          "quotes = \"1s\"\n");
  auto& fake = rig.fake;
  auto mamorid_process = rig.start("mamorid.log");
  auto& mamorid = *mamorid_process;
  ASSERT_TRUE(testing::mamorid_ready(mamorid, rig.port)) << mamorid.log();
  const std::string notice_sql =
      "SELECT post_id FROM observed_posts WHERE platform = 'mastodon' AND text LIKE "
      "'本日の防災訓練%'";
  ASSERT_TRUE(testing::eventually([&] { return !rig.q(notice_sql).empty(); }, 40s, 200ms))
      << mamorid.log();
  const auto r = testing::http_request(
      "POST", "127.0.0.1", fake.port(), "/_control/accounts", {"Content-Type: application/json"},
      R"({"platform":"mastodon","handle":"inyou","display_name":"引用する人"})");
  ASSERT_EQ(r.status, 200) << r.body;
  add_post(fake, {{"platform", "mastodon"},
                  {"author", "inyou"},
                  {"quotes", "m-notice"},
                  {"text", "引用テスト: 訓練は中止では？"}});
  const std::string quote_sql =
      "SELECT quoted_post_id FROM observed_posts WHERE platform = 'mastodon' AND text LIKE "
      "'引用テスト%'";
  ASSERT_TRUE(testing::eventually([&] { return !rig.q(quote_sql).empty(); }, 30s, 250ms))
      << mamorid.log();
  EXPECT_EQ(rig.q(quote_sql), rig.q(notice_sql));
  const auto body = testing::http_get("127.0.0.1", fake.port(), "/_control/log?since=0").body;
  std::size_t quote_requests = 0;
  const auto log = boost::json::parse(body);
  for (const auto& e : log.as_object().at("requests").as_array()) {
    const auto& o = e.as_object();
    if (o.at("platform").as_string() == "mastodon" &&
        o.at("endpoint").as_string() == "statuses/:id/quotes" &&
        o.at("status").to_number<int>() == 200)
      ++quote_requests;
  }
  EXPECT_GE(quote_requests, 1u);
  mamorid.signal(SIGTERM);
  ASSERT_EQ(mamorid.wait_for_exit(20s), std::optional<int>(0)) << mamorid.log();
}

}  // namespace
}  // namespace mamori
