// Issue 18 in the detection hub, on a real PostgreSQL: a department of the city (verdict related),
// an account the city's official account list page links to, and an account staff judged benign
// open no incident; an impersonator does, and so does the judged account once its profile
// changes (the question re-opens, saying why).
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "collectors/ratelimit/clock.h"
#include "daemon/detection/detection_hub.h"
#include "daemon/detection/manual_report.h"
#include "daemon/store/connection.h"
#include "playbooks/engine/loader.h"
#include "tests/support/fake_platform.h"
#include "tests/support/test_support.h"

namespace mamori::detection {
namespace {

using namespace std::chrono_literals;
using testing::sql;

constexpr const char* kDescription =
    "相馬市の公式アカウントです。市政情報、イベント、防災情報などをお知らせします。";

model::ProfileSnapshot profile(std::string id, std::string handle, std::string name,
                               std::string description = "", std::string url = "") {
  model::ProfileSnapshot p;
  p.platform = model::Platform::x;
  p.account_id = std::move(id);
  p.handle = std::move(handle);
  p.display_name = std::move(name);
  p.description = std::move(description);
  p.url = std::move(url);
  p.observed_at = std::chrono::time_point_cast<std::chrono::milliseconds>(model::Clock::now());
  return p;
}

class HubFamilyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config::Config cfg;
    cfg.municipality.name = "相馬市";
    cfg.municipality.homepage_url = "https://www.city.soma.fukushima.jp/";
    config::Account x;
    x.platform = model::Platform::x;
    x.handle = "soma_city";
    cfg.accounts = {x};
    start_hub(cfg);
    store::StoredBatch officials;
    officials.changed_profiles = {
        profile("100", "soma_city", "相馬市", kDescription, "https://www.city.soma.fukushima.jp/")};
    hub_->on_stored(model::Platform::x, "soma_city", officials);
  }

  // The store on the scratch database and a hub over `cfg` with the shipped playbooks.
  void start_hub(const config::Config& cfg) {
    store::DatabaseOptions o;
    o.dsn = db_.dsn();
    database_ = std::make_unique<store::Database>(o, nullptr);
    database_->start();
    ASSERT_TRUE(database_->wait_ready(10s));
    auto loaded = playbooks::load_playbooks(testing::source_dir() / "playbooks");
    ASSERT_TRUE(loaded.ok()) << loaded.text();
    hub_ = std::make_unique<DetectionHub>(
        alerts::FindingServices{io_, *database_, clock_, alerts::AlertContext{}, nullptr, nullptr},
        cfg, loaded.set, HubOptions{});
  }

  void TearDown() override {
    hub_.reset();
    io_.poll();
    database_->drain_and_stop(5s);
  }

  void see(const model::ProfileSnapshot& p) {
    store::StoredBatch b;
    b.changed_profiles = {p};
    hub_->on_stored(model::Platform::x, "", b);
  }

  std::string incidents_for(const std::string& id) {
    return sql(
        db_.dsn(),
        "SELECT count(*) FROM incidents WHERE type = 'impersonation' AND subject = 'x:" + id + "'");
  }

  testing::ScratchDatabase db_;
  std::unique_ptr<store::Database> database_;
  boost::asio::io_context io_;
  collectors::SystemClock clock_;
  std::unique_ptr<DetectionHub> hub_;
};

TEST_F(HubFamilyTest, RelatedListedAndJudgedAccountsOpenNoIncidentAnImpersonatorDoes) {
  hub_->set_official_list_page(
      "<ul><li><a href=\"https://x.com/soma_city\">相馬市</a></li>"
      "<li><a href=\"https://twitter.com/soma_city_pr\">相馬市 シティプロモーション</a></li></ul>"
      "<p>なお @soma__city は本市とは関係ありません。</p>");
  {
    auto conn = store::connect(db_.dsn(), std::nullopt);
    pqxx::work tx(*conn);
    tx.exec(
        "INSERT INTO impersonation_dispositions (municipality, platform, account_ref,"
        " disposition, handle, display_name, decided_by) VALUES ('default', 'x', '300', 'benign',"
        " 'soma_clty', '相馬市', '広報 花子')");
    tx.commit();
  }
  CandidateDisposition judged;
  judged.platform = model::Platform::x;
  judged.account_ref = "300";
  judged.disposition = "benign";
  judged.handle = "soma_clty";
  judged.display_name = "相馬市";
  hub_->set_dispositions({judged});

  see(profile("200", "soma_fd", "相馬市消防本部", "火災・救急のお知らせ、防火の啓発"));  // related
  see(profile("201", "soma_city_pr", "【公式】相馬市", kDescription));                   // listed
  see(profile("300", "soma_clty", "相馬市", kDescription));                              // judged
  see(profile("400", "soma__city", "相馬市", kDescription));  // named in the page's text only
  ASSERT_TRUE(testing::eventually([&] { return incidents_for("400") == "1"; }, 20s));
  EXPECT_EQ(incidents_for("200"), "0");
  // Shown to staff instead (the console lists /api/v1/impersonation/related).
  EXPECT_EQ(sql(db_.dsn(),
                "SELECT handle || '|' || family || '|' || matched_official FROM"
                " impersonation_related WHERE account_ref = '200'"),
            "soma_fd|消防|soma_city");
  EXPECT_EQ(incidents_for("201"), "0");
  EXPECT_EQ(incidents_for("300"), "0");

  // The judged account changes its name: the question is open again.
  see(profile("300", "soma_clty", "【公式】相馬市 お知らせ", kDescription));
  ASSERT_TRUE(testing::eventually([&] { return incidents_for("300") == "1"; }, 20s));
  EXPECT_NE(
      sql(db_.dsn(),
          "SELECT count(*) FROM incident_findings f JOIN incidents i ON i.id = f.incident_id"
          " WHERE i.subject = 'x:300' AND array_to_string(f.reasons, ' ') LIKE '%判断された後%'"),
      "0");
  EXPECT_TRUE(testing::eventually(
      [&] {
        return sql(db_.dsn(), "SELECT reopened_at IS NOT NULL FROM impersonation_dispositions") ==
               "t";
      },
      10s));
}

// Issue 19: staff reporting by hand an account the detector already opened an incident about add
// to that incident (who and when on its timeline), and a detection of an account staff already
// reported joins the hand-opened incident: never two unrelated incidents for one account.
TEST_F(HubFamilyTest, AHandReportAndADetectionOfTheSameAccountAreOneIncident) {
  auto report = [&](std::string subject, std::optional<model::Platform> platform) {
    ManualReport r;
    r.type = model::IncidentType::impersonation;
    r.subject = std::move(subject);
    r.platform = platform;
    r.summary = "市民から電話: 市を名乗るアカウントから DM が来た";
    EXPECT_FALSE(check_report(r).has_value());
    auto conn = store::connect(db_.dsn(), std::nullopt);
    return record_manual_report(
        *conn, r, {}, alerts::AlertContext{}, "広報 花子",
        std::chrono::time_point_cast<std::chrono::milliseconds>(model::Clock::now()));
  };
  // The detector first: the account is seen (the poller stored its profile) and flagged.
  sql(db_.dsn(),
      "INSERT INTO observed_profiles (platform, account_id, handle, observed_at, last_seen_at)"
      " VALUES ('x', '400', 'soma__city', now(), now())");
  see(profile("400", "soma__city", "相馬市", kDescription));
  ASSERT_TRUE(testing::eventually([&] { return incidents_for("400") == "1"; }, 20s));
  const auto added = report("https://x.com/Soma__City", std::nullopt);
  EXPECT_FALSE(added.created);
  EXPECT_EQ(std::to_string(added.incident_id),
            sql(db_.dsn(), "SELECT id FROM incidents WHERE subject = 'x:400'"));
  EXPECT_EQ(sql(db_.dsn(), "SELECT count(*) FROM incidents WHERE subject LIKE 'manual:%'"), "0");
  EXPECT_EQ(sql(db_.dsn(),
                "SELECT actor || '|' || message FROM incident_timeline WHERE"
                " incident_id = " +
                    std::to_string(added.incident_id) + " AND actor = '広報 花子'"),
            "広報 花子|手動で登録された報告を追加しました（対象: https://x.com/Soma__City）");

  // Staff first, about an account mamori has not seen: opened by hand...
  const auto opened = report("@soma_c1ty", model::Platform::x);
  EXPECT_TRUE(opened.created);
  // ...and the detection of that account later is added to it, not opened beside it.
  see(profile("600", "soma_c1ty", "相馬市", kDescription));
  ASSERT_TRUE(testing::eventually(
      [&] {
        return sql(db_.dsn(), "SELECT finding_count FROM incidents WHERE id = " +
                                  std::to_string(opened.incident_id)) == "2";
      },
      20s));
  EXPECT_EQ(incidents_for("600"), "0");
}

// Issue 20: two towns on one hub. Each town's names are searched, a look-alike is judged against
// its own town's accounts (and its incident belongs to that town), and the towns' accounts are
// official to each other.
class HubTwoTownsTest : public HubFamilyTest {
 protected:
  void SetUp() override {
    config::Config cfg;
    config::Municipality soma;
    soma.id = "soma";
    soma.name = "相馬市";
    soma.name_kana = "そうまし";
    soma.homepage_url = "https://www.city.soma.fukushima.jp/";
    config::Municipality minamisoma;
    minamisoma.id = "minamisoma";
    minamisoma.name = "南相馬市";
    minamisoma.name_kana = "みなみそうまし";
    minamisoma.homepage_url = "https://www.city.minamisoma.lg.jp/";
    minamisoma.name_variants = {"みなみそうま"};
    cfg.municipalities = {soma, minamisoma};
    cfg.municipality = soma;
    config::Account a;
    a.municipality = "soma";
    a.handle = "soma_city";
    config::Account b;
    b.municipality = "minamisoma";
    b.handle = "minamisoma_koho";
    cfg.accounts = {a, b};
    start_hub(cfg);
    // Both towns' official accounts, as the poller stores them.
    sql(db_.dsn(),
        "INSERT INTO official_accounts (platform, handle, account_id, municipality) VALUES"
        " ('x', 'soma_city', '100', 'soma'), ('x', 'minamisoma_koho', '110', 'minamisoma')");
    store::StoredBatch officials;
    officials.changed_profiles = {
        profile("100", "soma_city", "相馬市", kDescription, "https://www.city.soma.fukushima.jp/"),
        profile("110", "minamisoma_koho", "南相馬市", kMinamisomaDescription,
                "https://www.city.minamisoma.lg.jp/")};
    hub_->on_stored(model::Platform::x, "", officials);
  }

  std::string town_of(const std::string& id) {
    return sql(db_.dsn(),
               "SELECT string_agg(municipality, ',') FROM incidents WHERE type ="
               " 'impersonation' AND subject = 'x:" +
                   id + "'");
  }

  static constexpr const char* kMinamisomaDescription =
      "南相馬市広報情報課です。市からのお知らせ、防災・放射線の情報を発信しています。";
};

TEST_F(HubTwoTownsTest, EachTownsNamesAreSearchedAndALookAlikeIsJudgedAgainstItsOwnTown) {
  const auto queries = hub_->search_queries(model::Platform::x);
  auto has = [&](std::string_view q) {
    return std::find(queries.begin(), queries.end(), q) != queries.end();
  };
  EXPECT_TRUE(has("相馬市"));
  EXPECT_TRUE(has("南相馬市"));
  EXPECT_TRUE(has("みなみそうま"));                                     // the second town's variant
  EXPECT_TRUE(hub_->search_queries(model::Platform::bluesky).empty());  // no accounts there

  // The second town's name alone, with nothing of the first copied: suspicious for 南相馬市. Judged
  // with the first town's names only, 南相馬市 is another real body and nothing would be opened.
  see(profile("500", "mskoho_news", "【公式】南相馬市"));
  // Copies of each town's own account.
  see(profile("510", "minamisoma_kouhou", "南相馬市", kMinamisomaDescription));
  see(profile("520", "soma_c1ty", "相馬市", kDescription));
  // The other town's official account, and a department of the second town.
  see(profile("110", "minamisoma_koho", "南相馬市", kMinamisomaDescription,
              "https://www.city.minamisoma.lg.jp/"));
  see(profile("530", "minamisoma_fd", "南相馬市消防本部", "火災・救急の情報をお知らせします"));
  // The second town's account after a handle change (same platform id): still official.
  see(profile("110", "minamisoma_pr", "南相馬市", kMinamisomaDescription));
  ASSERT_TRUE(testing::eventually(
      [&] { return town_of("500") == "minamisoma" && town_of("510") == "minamisoma"; }, 20s))
      << town_of("500") << " " << town_of("510") << " "
      << sql(db_.dsn(), "SELECT string_agg(subject || '/' || municipality, ',') FROM incidents");
  ASSERT_TRUE(testing::eventually([&] { return town_of("520") == "soma"; }, 20s))
      << sql(db_.dsn(), "SELECT string_agg(subject || '/' || municipality, ',') FROM incidents");
  EXPECT_EQ(sql(db_.dsn(),
                "SELECT f.evidence ->> 'matched_official' FROM"
                " incident_findings f JOIN incidents i ON i.id = f.incident_id"
                " WHERE i.subject = 'x:510'"),
            "minamisoma_koho");
  EXPECT_EQ(incidents_for("110"), "0");
  EXPECT_EQ(incidents_for("530"), "0");
  EXPECT_EQ(sql(db_.dsn(),
                "SELECT matched_official FROM impersonation_related"
                " WHERE account_ref = '530'"),
            "minamisoma_koho");
}

// A town's decision on a look-alike is its own (070_disposition_municipality.sql): 南相馬市's
// staff judged an account benign; it imitates 相馬市's account, and 相馬市 still gets its incident
// (with one decision for every town, it would never have been told). 相馬市's own decision then
// ends it, and 南相馬市's stays as it was.
TEST_F(HubTwoTownsTest, ATownsDecisionOnALookAlikeDoesNotHideItFromTheOtherTown) {
  auto conn = store::connect(db_.dsn(), std::nullopt);
  sql(db_.dsn(),
      "INSERT INTO impersonation_dispositions (municipality, platform, account_ref, disposition,"
      " handle, display_name, decided_by) VALUES ('minamisoma', 'x', '560', 'benign', 'soma_c1ty',"
      " '相馬市', '南相馬 広報')");
  hub_->set_dispositions(load_dispositions(*conn));
  const auto candidate = profile("560", "soma_c1ty", "相馬市", kDescription);
  see(candidate);
  ASSERT_TRUE(testing::eventually([&] { return town_of("560") == "soma"; }, 20s))
      << sql(db_.dsn(), "SELECT string_agg(subject || '/' || municipality, ',') FROM incidents");
  const std::string incident = sql(db_.dsn(), "SELECT id FROM incidents WHERE subject = 'x:560'");
  record_disposition(*conn, std::stoll(incident), "benign", "相馬 広報", "");
  hub_->set_dispositions(load_dispositions(*conn));

  see(candidate);
  // A later look-alike's incident shows the hub has judged the candidate again (one store queue).
  see(profile("570", "minamisoma_kouhou", "南相馬市", kMinamisomaDescription));
  ASSERT_TRUE(testing::eventually([&] { return incidents_for("570") == "1"; }, 20s));
  EXPECT_EQ(sql(db_.dsn(),
                "SELECT string_agg(municipality || '/' || status, ',') FROM incidents"
                " WHERE subject = 'x:560'"),
            "soma/resolved");
  EXPECT_EQ(sql(db_.dsn(),
                "SELECT string_agg(municipality || '/' || decided_by, ',' ORDER BY municipality)"
                " FROM impersonation_dispositions WHERE account_ref = '560' AND reopened_at IS"
                " NULL"),
            "minamisoma/南相馬 広報,soma/相馬 広報");
}

// Issue 20 leftover: two towns of one name (伊達市 in Fukushima and in Hokkaido), each with its own
// account. A look-alike calling itself 伊達市 with a handle close to both imitates both: each
// town's own detector finds the impersonation, and each town gets its own incident (once, however
// often it is judged again), not only the town it resembles most.
class HubSharedNameTest : public HubFamilyTest {
 protected:
  void SetUp() override {
    config::Config cfg;
    config::Municipality fukushima;
    fukushima.id = "date_fukushima";
    fukushima.name = "伊達市";
    fukushima.name_kana = "だてし";
    fukushima.homepage_url = "https://www.city.date.fukushima.jp/";
    config::Municipality hokkaido = fukushima;
    hokkaido.id = "date_hokkaido";
    hokkaido.homepage_url = "https://www.city.date.hokkaido.jp/";
    cfg.municipalities = {fukushima, hokkaido};
    cfg.municipality = fukushima;
    config::Account a;
    a.municipality = "date_fukushima";
    a.handle = "date_city";
    config::Account b;
    b.municipality = "date_hokkaido";
    b.handle = "datecity";
    cfg.accounts = {a, b};
    config_ = cfg;
    start_hub(cfg);
    sql(db_.dsn(),
        "INSERT INTO official_accounts (platform, handle, account_id, municipality) VALUES"
        " ('x', 'date_city', '300', 'date_fukushima'), ('x', 'datecity', '310', "
        "'date_hokkaido')");
    officials_.changed_profiles = {
        profile("300", "date_city", "伊達市",
                "伊達市の公式アカウントです。市政情報をお知らせします。",
                "https://www.city.date.fukushima.jp/"),
        profile("310", "datecity", "伊達市",
                "伊達市の公式アカウントです。市からのお知らせを発信します。",
                "https://www.city.date.hokkaido.jp/")};
    hub_->on_stored(model::Platform::x, "", officials_);
  }

  void TearDown() override {
    second_.reset();
    if (second_database_) second_database_->drain_and_stop(5s);
    HubFamilyTest::TearDown();
  }

  // A second instance on the same database: its own store connection and hub.
  void start_second_instance() {
    store::DatabaseOptions o;
    o.dsn = db_.dsn();
    second_database_ = std::make_unique<store::Database>(o, nullptr);
    second_database_->start();
    ASSERT_TRUE(second_database_->wait_ready(10s));
    auto loaded = playbooks::load_playbooks(testing::source_dir() / "playbooks");
    ASSERT_TRUE(loaded.ok()) << loaded.text();
    second_ = std::make_unique<DetectionHub>(
        alerts::FindingServices{io_, *second_database_, clock_, alerts::AlertContext{}, nullptr,
                                nullptr},
        config_, loaded.set, HubOptions{});
    second_->on_stored(model::Platform::x, "", officials_);
  }

  std::string towns_of(const std::string& id) {
    return sql(db_.dsn(),
               "SELECT string_agg(municipality || '/' || severity, ',' ORDER BY municipality)"
               " FROM incidents WHERE type = 'impersonation' AND subject = 'x:" +
                   id + "'");
  }

  config::Config config_;
  store::StoredBatch officials_;
  std::unique_ptr<store::Database> second_database_;
  std::unique_ptr<DetectionHub> second_;
};

TEST_F(HubSharedNameTest, ALookAlikeOfANameTwoTownsShareIsEachTownsIncidentOnce) {
  const auto candidate = profile("700", "date_clty", "伊達市",
                                 "伊達市の公式アカウントです。市政情報をお知らせします。");
  see(candidate);
  ASSERT_TRUE(testing::eventually(
      [&] { return towns_of("700") == "date_fukushima/high,date_hokkaido/high"; }, 20s))
      << towns_of("700") << " "
      << sql(db_.dsn(), "SELECT string_agg(subject || '/' || municipality, ',') FROM incidents");
  // Each town's incident names its own account as the one imitated.
  EXPECT_EQ(sql(db_.dsn(),
                "SELECT string_agg(i.municipality || '=' || (f.evidence ->> 'matched_official'),"
                " ',' ORDER BY i.municipality) FROM incident_findings f JOIN incidents i"
                " ON i.id = f.incident_id WHERE i.subject = 'x:700'"),
            "date_fukushima=date_city,date_hokkaido=datecity");
  // Judged again (a later look-up): still one incident per town.
  see(candidate);
  see(profile("710", "date_kouhou", "伊達市【公式】"));
  ASSERT_TRUE(testing::eventually(
      [&] { return !sql(db_.dsn(), "SELECT 1 FROM incidents WHERE subject = 'x:710'").empty(); },
      20s));
  EXPECT_EQ(towns_of("700"), "date_fukushima/high,date_hokkaido/high");
}

// Two instances on one database judge the same look-alike at the same time (a reply author is
// judged where its account is polled): still one incident per town, each with both findings.
TEST_F(HubSharedNameTest, TwoInstancesJudgingALookAlikeAtOnceOpenOneIncidentPerTown) {
  start_second_instance();
  const auto candidate = profile("720", "date_c1ty", "伊達市",
                                 "伊達市の公式アカウントです。市政情報をお知らせします。");
  store::StoredBatch b;
  b.changed_profiles = {candidate};
  hub_->on_stored(model::Platform::x, "", b);
  second_->on_stored(model::Platform::x, "", b);
  const std::string findings =
      "SELECT string_agg(i.municipality || '=' || (SELECT count(*) FROM incident_findings f"
      " WHERE f.incident_id = i.id), ',' ORDER BY i.municipality) FROM incidents i"
      " WHERE i.subject = 'x:720'";
  ASSERT_TRUE(testing::eventually(
      [&] { return sql(db_.dsn(), findings) == "date_fukushima=2,date_hokkaido=2"; }, 20s))
      << sql(db_.dsn(), findings);
  EXPECT_EQ(towns_of("720"), "date_fukushima/high,date_hokkaido/high");
}

}  // namespace
}  // namespace mamori::detection
