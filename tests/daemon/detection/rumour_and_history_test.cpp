// The stores behind the detectors: rumour files and the registry table (rumour_source.h,
// rumour_file.h), and the reply history the flame-up detectors are warm-started from
// (flameup_history.h), against a real PostgreSQL database.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "daemon/detection/flameup_history.h"
#include "daemon/detection/rumour_file.h"
#include "daemon/detection/rumour_source.h"
#include "daemon/store/migrations.h"
#include "tests/support/test_support.h"

namespace mamori::detection {
namespace {

using namespace std::chrono_literals;

model::TimePoint at_ms(long long ms) {
  return model::TimePoint(std::chrono::milliseconds(ms));
}

TEST(RumourFile, ShippedStarterSetParsesAndIsFoundNextToTheBuild) {
  const auto path = find_shipped_rumours(testing::bin_dir() / "mamorid");
  ASSERT_FALSE(path.empty());
  EXPECT_EQ(path.filename(), "starter.toml");
  RumourFileOptions o;
  o.municipality = "相馬市";
  const auto loaded = load_rumour_file(path, o);
  ASSERT_TRUE(loaded.ok()) << *loaded.error;
  EXPECT_GE(loaded.rumours.size(), 6u);
  for (const auto& r : loaded.rumours) {
    EXPECT_FALSE(r.claim.empty()) << r.id;
    EXPECT_FALSE(r.correction.empty()) << r.id;
    EXPECT_EQ(r.correction.find("{municipality}"), std::string::npos) << r.id;
  }
}

TEST(RumourFile, BadInputNamesTheLineAndWhatWasExpected) {
  const auto r = parse_rumour_toml(
      "format_version = 1\n[[rumour]]\nid = \"Bad Id\"\nclaim = \"x\"\n", "r.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error->find("r.toml:3:"), std::string::npos) << *r.error;
  EXPECT_NE(r.error->find("lowercase"), std::string::npos) << *r.error;
  const auto v = parse_rumour_toml("[[rumour]]\nid = \"a\"\nclaim = \"x\"\n", "v.toml");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error->find("format_version"), std::string::npos);
}

TEST(RumourSourceOptions, ConfiguredFilesAreRelativeToTheConfigurationAndAnEmptyListLoadsNone) {
  config::Config c;
  c.source = "/etc/mamori/mamori.toml";
  c.municipality.name = "相馬市";
  c.misinfo.rumour_files = std::vector<std::string>{"rumours/city.toml", "/srv/x.toml"};
  auto o = rumour_source_options(c, testing::bin_dir() / "mamorid");
  ASSERT_EQ(o.files.size(), 2u);
  EXPECT_EQ(o.files[0], std::filesystem::path("/etc/mamori/rumours/city.toml"));
  EXPECT_EQ(o.files[1], std::filesystem::path("/srv/x.toml"));
  EXPECT_EQ(o.municipality, "相馬市");
  c.misinfo.rumour_files = std::vector<std::string>{};
  EXPECT_TRUE(rumour_source_options(c, testing::bin_dir() / "mamorid").files.empty());
  c.misinfo.rumour_files.reset();  // unset: the shipped starter set
  o = rumour_source_options(c, testing::bin_dir() / "mamorid");
  ASSERT_EQ(o.files.size(), 1u);
  EXPECT_EQ(o.files[0].filename(), "starter.toml");
}

class DetectionStore : public ::testing::Test {
 protected:
  void SetUp() override {
    conn_ = std::make_unique<pqxx::connection>(db_.dsn());
    store::apply_migrations(*conn_);
  }
  void exec(const std::string& q) {
    pqxx::work tx(*conn_);
    tx.exec(q);
    tx.commit();
  }
  testing::ScratchDatabase db_;
  std::unique_ptr<pqxx::connection> conn_;
};

TEST_F(DetectionStore, ActiveRegistryRowsBecomeRumoursWithTheirWordings) {
  exec(
      "INSERT INTO rumours (claim, wordings, correction, correction_url, created_by) VALUES"
      " ('動物園からライオンが逃げた', ARRAY['ライオンが逃げた','猛獣が脱走'], '逃げていません。', "
      "'https://a.example/', 'staff'),"
      " ('古いデマ', '{}', '訂正', '', 'staff')");
  exec("UPDATE rumours SET active = false WHERE claim = '古いデマ'");
  const auto rumours = load_registered_rumours(*conn_);
  ASSERT_EQ(rumours.size(), 1u);
  EXPECT_EQ(rumours[0].id.rfind("registry-", 0), 0u);
  EXPECT_EQ(rumours[0].claim, "動物園からライオンが逃げた");
  ASSERT_EQ(rumours[0].wordings.size(), 2u);
  EXPECT_EQ(rumours[0].wordings[1], "猛獣が脱走");
  EXPECT_EQ(rumours[0].correction_url, "https://a.example/");
}

TEST_F(DetectionStore, ReplyHistoryCountsRepliesMentionsAndQuotesPerBucketWithHostileOnes) {
  exec(
      "INSERT INTO official_accounts (platform, handle, account_id) VALUES ('x', 'soma_city', "
      "'100')");
  // 2024-01-01T00:00:00Z = 1704067200 s. Official post, replies in two minutes, a mention, a
  // quote, a repost (not counted), another account's reply (not counted), the office's own answer.
  exec(
      "INSERT INTO observed_posts (platform, post_id, author_id, text, created_at, "
      "in_reply_to_account_id,"
      " in_reply_to_post_id, quoted_post_id, reposted_post_id, observed_at) VALUES"
      " ('x', '1', '100', 'お知らせ', to_timestamp(1704067200), NULL, NULL, NULL, NULL, now()),"
      " ('x', '2', '200', 'ふざけるな、謝罪しろ', to_timestamp(1704067210), '100', '1', NULL, "
      "NULL, now()),"
      " ('x', '3', '201', 'ありがとうございます', to_timestamp(1704067230), '100', '1', NULL, "
      "NULL, now()),"
      " ('x', '4', '202', '@Soma_City 道路が冠水しています', to_timestamp(1704067275), NULL, NULL, "
      "NULL, NULL, now()),"
      " ('x', '5', '203', '引用です', to_timestamp(1704067290), NULL, NULL, '1', NULL, now()),"
      " ('x', '6', '204', '', to_timestamp(1704067295), NULL, NULL, NULL, '1', now()),"
      " ('x', '7', '205', '別の返信', to_timestamp(1704067296), '999', '42', NULL, NULL, now()),"
      " ('x', '8', '100', '回答します', to_timestamp(1704067297), '200', '2', NULL, NULL, now())");
  const auto h =
      load_reply_history(*conn_, model::Platform::x, "soma_city", at_ms(1704067200000LL - 3600000),
                         at_ms(1704067200000LL + 3600000), 60s);
  EXPECT_EQ(h.account_id, "100");
  EXPECT_EQ(h.replies, 4u);
  ASSERT_EQ(h.buckets.size(), 2u);
  EXPECT_EQ(h.buckets[0].start, at_ms(1704067200000LL));
  EXPECT_EQ(h.buckets[0].count, 2.0);
  EXPECT_EQ(h.buckets[0].hostile, std::optional<double>(1.0));
  EXPECT_EQ(h.buckets[1].start, at_ms(1704067260000LL));
  EXPECT_EQ(h.buckets[1].count, 2.0);
  EXPECT_EQ(h.buckets[1].hostile, std::optional<double>(0.0));
  ASSERT_TRUE(h.covered_until.has_value());
  EXPECT_EQ(*h.covered_until, at_ms(1704067320000LL));  // the end of the last stored reply's bucket

  // The window bounds: nothing before `since` or after `until`.
  const auto none = load_reply_history(*conn_, model::Platform::x, "soma_city",
                                       at_ms(1704067300000LL), at_ms(1704067400000LL), 60s);
  EXPECT_TRUE(none.buckets.empty());
  // An account never looked up has no history.
  EXPECT_TRUE(
      load_reply_history(*conn_, model::Platform::x, "other", at_ms(0), at_ms(1704067400000LL), 60s)
          .account_id.empty());

  // The history warm-starts a detector: the baseline is no longer the new-account prior.
  detectors::flameup::ReplyRateDetector fresh(model::Platform::x, "100");
  detectors::flameup::ReplyRateDetector warmed(model::Platform::x, "100");
  warmed.warm_start(h.buckets, h.covered_until);
  EXPECT_GT(warmed.all_replies().baseline().buckets_learned(),
            fresh.all_replies().baseline().buckets_learned());
}

TEST_F(DetectionStore, ReplyHistoryPagesThroughManyReplies) {
  exec(
      "INSERT INTO official_accounts (platform, handle, account_id) VALUES ('x', 'soma_city', "
      "'100')");
  // 45,000 replies over 45,000 seconds (more than two pages of 20,000 rows).
  exec(
      "INSERT INTO observed_posts (platform, post_id, author_id, text, created_at, "
      "in_reply_to_account_id, observed_at)"
      " SELECT 'x', 'p' || g, 'u' || (g % 50), 'こんにちは', to_timestamp(1704067200 + g), '100', "
      "now()"
      " FROM generate_series(0, 44999) g");
  const auto h = load_reply_history(*conn_, model::Platform::x, "soma_city", at_ms(1704067200000LL),
                                    at_ms(1704067200000LL + 86400000LL), 60s);
  EXPECT_EQ(h.replies, 45000u);
  ASSERT_EQ(h.buckets.size(), 750u);
  double total = 0;
  for (const auto& b : h.buckets) {
    EXPECT_EQ(b.count, 60.0);
    total += b.count;
  }
  EXPECT_EQ(total, 45000.0);
}

TEST_F(DetectionStore, TopPostsOfAFlameupFindingGetTheirStoredText) {
  exec(
      "INSERT INTO observed_posts (platform, post_id, author_id, author_handle, text, created_at,"
      " observed_at) VALUES ('x', '1', '100', 'soma_city', "
      "'市民プールは本年度末で営業を終了します',"
      " to_timestamp(1704067200), now()),"
      " ('bluesky', '2', 'did:plc:x', 'other.bsky.social', '別のプラットフォーム', now(), now())");
  model::Finding f;
  f.type = model::IncidentType::flameup;
  f.platform = model::Platform::x;
  f.evidence_json =
      R"({"phase":"open","top_posts":[{"post_id":"1","replies":40},{"post_id":"2","replies":3}]})";
  describe_top_posts(*conn_, f);
  const auto ev = boost::json::parse(f.evidence_json).as_object();
  const auto& top = ev.at("top_posts").as_array();
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].at("text").as_string(), "市民プールは本年度末で営業を終了します");
  EXPECT_EQ(top[0].at("author_handle").as_string(), "soma_city");
  EXPECT_EQ(top[0].at("created_at").as_string(), "2024-01-01T00:00:00Z");
  EXPECT_EQ(top[0].at("replies").to_number<double>(), 40.0);
  // Post 2 is a Bluesky post: not the one this X finding names, so it keeps its id only.
  EXPECT_FALSE(top[1].as_object().contains("text"));
  EXPECT_EQ(ev.at("phase").as_string(), "open");
}

// A pile-on of quotes: the flame-up finding's evidence says how many of the posts counted since
// the episode opened quote the city's post (issue 21). Posts before the episode, another
// account's quotes and reposts are left out.
TEST_F(DetectionStore, AFlameupFindingSaysWhatShareOfItsPostsAreQuotes) {
  exec(
      "INSERT INTO official_accounts (platform, handle, account_id) VALUES ('x', 'soma_city', "
      "'100')");
  exec(
      "INSERT INTO observed_posts (platform, post_id, author_id, text, created_at, "
      "in_reply_to_account_id, in_reply_to_post_id, quoted_post_id, reposted_post_id, "
      "observed_at) VALUES"
      " ('x', '1', '100', 'お知らせ', to_timestamp(1704067200), NULL, NULL, NULL, NULL, now()),"
      " ('x', '2', '200', '前の引用', to_timestamp(1704067100), NULL, NULL, '1', NULL, now()),"
      " ('x', '3', '201', '引用1', to_timestamp(1704067300), NULL, NULL, '1', NULL, now()),"
      " ('x', '4', '202', '引用2', to_timestamp(1704067310), NULL, NULL, '1', NULL, now()),"
      " ('x', '5', '203', '引用3', to_timestamp(1704067320), NULL, NULL, '1', NULL, now()),"
      " ('x', '6', '204', '返信', to_timestamp(1704067330), '100', '1', NULL, NULL, now()),"
      " ('x', '7', '205', '', to_timestamp(1704067340), NULL, NULL, NULL, '1', now()),"
      " ('x', '8', '206', '他の引用', to_timestamp(1704067350), NULL, NULL, '999', NULL, now()),"
      " ('x', '9', '207', '後の引用', to_timestamp(1704067900), NULL, NULL, '1', NULL, now())");
  model::Finding f;
  f.type = model::IncidentType::flameup;
  f.platform = model::Platform::x;
  f.subject = "100";
  f.detected_at = at_ms(1704067800000LL);
  f.evidence_json = R"({"phase":"open","episode_opened_at":"2024-01-01T00:01:00Z"})";
  describe_quote_share(*conn_, f);
  const auto ev = boost::json::parse(f.evidence_json).as_object();
  ASSERT_TRUE(ev.contains("quote_share")) << f.evidence_json;
  EXPECT_EQ(ev.at("quotes").to_number<long long>(), 3);
  EXPECT_DOUBLE_EQ(ev.at("quote_share").to_number<double>(), 0.75);
  EXPECT_EQ(ev.at("phase").as_string(), "open");
}

// Where a warm start takes the stored history to end: the cursors of the jobs that read texts,
// not the reply counts' cursor, which moves on while reading the texts may be failing.
TEST_F(DetectionStore, ReplyHistoryIsCoveredUpToTheTextCursorsNotTheCounts) {
  exec(
      "INSERT INTO official_accounts (platform, handle, account_id) VALUES ('x', 'soma_city', "
      "'100')");
  exec(
      "INSERT INTO poll_cursors (platform, account_key, job, cursor, updated_at) VALUES"
      " ('x', 'soma_city', 'replies', '5', to_timestamp(1704067500)),"
      " ('x', 'soma_city', 'reply_counts', '1704069000', to_timestamp(1704069000))");
  const auto h = load_reply_history(*conn_, model::Platform::x, "soma_city", at_ms(1704060000000LL),
                                    at_ms(1704070000000LL), 60s);
  ASSERT_TRUE(h.covered_until.has_value());
  EXPECT_EQ(*h.covered_until, at_ms(1704067500000LL));
}

}  // namespace
}  // namespace mamori::detection
