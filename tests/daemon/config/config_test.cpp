#include "daemon/config/config.h"

#include <gtest/gtest.h>

#include <map>

#include "daemon/signin/signin_api.h"
#include "tests/support/test_support.h"

namespace mamori::config {
namespace {

CredentialSource fake_env(std::map<std::string, std::string> vars,
                          std::optional<std::filesystem::path> dir = std::nullopt) {
  CredentialSource s;
  s.directory = std::move(dir);
  s.getenv = [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  return s;
}

const char* kMinimal = R"(
[municipality]
name = "相馬市"

[database]
dsn = "dbname=mamori"
)";

LoadResult load(const std::string& text, const CredentialSource& creds = fake_env({})) {
  return load_string(text, "test.toml", creds);
}

// Finds the diagnostic for `key`; fails the test if there is none.
Diagnostic diagnostic_for(const LoadResult& r, const std::string& key) {
  for (const auto& d : r.errors) {
    if (d.key == key) return d;
  }
  ADD_FAILURE() << "no diagnostic for " << key << "; got:\n" << r.error_text();
  return {};
}

TEST(Config, MinimalConfigGetsDefaults) {
  const auto r = load(kMinimal);
  ASSERT_TRUE(r.ok()) << r.error_text();
  const Config& c = *r.config;
  EXPECT_EQ(c.municipality.name, "相馬市");
  EXPECT_EQ(c.server.host, "127.0.0.1");
  EXPECT_EQ(c.server.port, 8473);
  EXPECT_EQ(c.server.public_url, "http://127.0.0.1:8473");
  EXPECT_EQ(c.database.retention_days, 90);
  EXPECT_EQ(c.log_level, log::Level::info);
  EXPECT_EQ(c.polling.replies, std::chrono::seconds(60));
}

TEST(Config, ApiSpendBudgetsAndPrices) {
  const auto r = load(std::string(kMinimal) +
                      "[api_spend.budget_usd]\nx = 30\nyoutube = 0.5\n"
                      "[[api_spend.price]]\nplatform = \"x\"\nendpoint = \"users/search\"\n"
                      "usd_per_resource = 0.02\n");
  ASSERT_TRUE(r.ok()) << r.error_text();
  EXPECT_EQ(r.config->api_spend.budget_usd.at("x"), 30.0);
  ASSERT_EQ(r.config->api_spend.prices.size(), 1U);
  EXPECT_EQ(r.config->api_spend.prices[0].usd_per_resource, 0.02);
  EXPECT_TRUE(load(kMinimal).config->api_spend.budget_usd.empty());

  const auto bad = load(std::string(kMinimal) +
                        "[api_spend.budget_usd]\nmyspace = 30\nx = -1\n"
                        "[[api_spend.price]]\nplatform = \"x\"\nusd_per_resource = \"cheap\"\n");
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(diagnostic_for(bad, "api_spend.budget_usd.myspace").message.find("unknown platform"),
            std::string::npos);
  EXPECT_NE(diagnostic_for(bad, "api_spend.budget_usd.x").message.find("US dollars"),
            std::string::npos);
  diagnostic_for(bad, "api_spend.price[0].endpoint");
  diagnostic_for(bad, "api_spend.price[0].usd_per_resource");
}

TEST(Config, ExampleConfigIsValid) {
  const auto text = testing::read_file(testing::source_dir() / "deploy/config/mamori.example.toml");
  const testing::TempDir creds;
  testing::write_file(creds.path() / "x_bearer_token", "token-value\n");
  const auto r = load_string(text, "mamori.example.toml", fake_env({}, creds.path()));
  ASSERT_TRUE(r.ok()) << r.error_text();
  EXPECT_EQ(r.config->accounts.size(), 2u);
  EXPECT_EQ(r.config->platforms.x.bearer_token->value.reveal(), "token-value");
  EXPECT_EQ(r.config->municipality.neighbours.front(), "南相馬市");
}

TEST(Config, ConsoleSessionTimeouts) {
  const auto defaults = load(kMinimal);
  ASSERT_TRUE(defaults.ok()) << defaults.error_text();
  EXPECT_EQ(defaults.config->console.session_idle_timeout, std::chrono::minutes(30));
  EXPECT_EQ(defaults.config->console.session_absolute_timeout, std::chrono::hours(12));

  const auto set =
      load(std::string(kMinimal) +
           "[console]\nsession_idle_timeout = \"15m\"\nsession_absolute_timeout = \"8h\"\n");
  ASSERT_TRUE(set.ok()) << set.error_text();
  EXPECT_EQ(set.config->console.session_idle_timeout, std::chrono::minutes(15));
  EXPECT_EQ(set.config->console.session_absolute_timeout, std::chrono::hours(8));

  const auto inverted =
      load(std::string(kMinimal) +
           "[console]\nsession_idle_timeout = \"2h\"\nsession_absolute_timeout = \"1h\"\n");
  EXPECT_FALSE(inverted.ok());
  EXPECT_NE(diagnostic_for(inverted, "console.session_absolute_timeout")
                .message.find("session_idle_timeout"),
            std::string::npos);
  const auto too_short =
      load(std::string(kMinimal) + "[console]\nsession_idle_timeout = \"10s\"\n");
  EXPECT_FALSE(too_short.ok());
  diagnostic_for(too_short, "console.session_idle_timeout");
}

TEST(Config, ClusterInstanceAndLeasePeriod) {
  const auto defaults = load(kMinimal);
  ASSERT_TRUE(defaults.ok()) << defaults.error_text();
  EXPECT_EQ(defaults.config->cluster.instance, "");  // host:pid at start
  EXPECT_EQ(defaults.config->cluster.lease_period, std::chrono::seconds(60));
  EXPECT_EQ(defaults.config->cluster.join_window, std::chrono::seconds(0));

  const auto set =
      load(std::string(kMinimal) + "[cluster]\ninstance = \"mamori-2\"\nlease_period = \"2m\"\n");
  ASSERT_TRUE(set.ok()) << set.error_text();
  EXPECT_EQ(set.config->cluster.instance, "mamori-2");
  EXPECT_EQ(set.config->cluster.lease_period, std::chrono::minutes(2));
  const auto joined = load(std::string(kMinimal) + "[cluster]\njoin_window = \"15s\"\n");
  ASSERT_TRUE(joined.ok()) << joined.error_text();
  EXPECT_EQ(joined.config->cluster.join_window, std::chrono::seconds(15));
  const auto too_long = load(std::string(kMinimal) + "[cluster]\njoin_window = \"1h\"\n");
  EXPECT_FALSE(too_long.ok());
  diagnostic_for(too_long, "cluster.join_window");

  EXPECT_FALSE(load(std::string(kMinimal) + "[cluster]\ninstance = \"mamori 2\"\n").ok());
  const auto too_short = load(std::string(kMinimal) + "[cluster]\nlease_period = \"1s\"\n");
  EXPECT_FALSE(too_short.ok());
  diagnostic_for(too_short, "cluster.lease_period");
}

TEST(Config, LookalikeQuotaShare) {
  const auto defaults = load(kMinimal);
  ASSERT_TRUE(defaults.ok()) << defaults.error_text();
  EXPECT_DOUBLE_EQ(defaults.config->lookalike.quota_share, 1.0 / 3.0);
  const auto set = load(std::string(kMinimal) + "[lookalike]\nquota_share = 0.5\n");
  ASSERT_TRUE(set.ok()) << set.error_text();
  EXPECT_DOUBLE_EQ(set.config->lookalike.quota_share, 0.5);
  EXPECT_TRUE(load(std::string(kMinimal) + "[lookalike]\nquota_share = 1\n").ok());
  for (const std::string bad : {"0", "1.5", "-0.2", "\"a third\""}) {
    const auto r = load(std::string(kMinimal) + "[lookalike]\nquota_share = " + bad + "\n");
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_NE(diagnostic_for(r, "lookalike.quota_share").message.find("share"), std::string::npos)
        << bad;
  }
  EXPECT_FALSE(load(std::string(kMinimal) + "[lookalike]\nper_account = 10\n").ok());
}

TEST(Config, LookalikeMaxLookupsPerRound) {
  const auto defaults = load(kMinimal);
  ASSERT_TRUE(defaults.ok()) << defaults.error_text();
  EXPECT_EQ(defaults.config->lookalike.max_lookups_per_round, 2000u);
  const auto set = load(std::string(kMinimal) + "[lookalike]\nmax_lookups_per_round = 500\n");
  ASSERT_TRUE(set.ok()) << set.error_text();
  EXPECT_EQ(set.config->lookalike.max_lookups_per_round, 500u);
  for (const std::string bad : {"0", "-5", "2.5", "\"all\"", "1000001"}) {
    const auto r =
        load(std::string(kMinimal) + "[lookalike]\nmax_lookups_per_round = " + bad + "\n");
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_NE(diagnostic_for(r, "lookalike.max_lookups_per_round").message.find("handles"),
              std::string::npos)
        << bad;
  }
}

TEST(Config, ReminderPeriodsDefaultToTheGuidelinesAndRefuseShorterOnes) {
  using std::chrono::days;
  const auto defaults = load(kMinimal);
  ASSERT_TRUE(defaults.ok()) << defaults.error_text();
  const auto& d = defaults.config->reminders;
  EXPECT_EQ(d.takedown_response, days(3));
  EXPECT_EQ(d.change_notice, days(30));
  EXPECT_EQ(d.report_before_notice, days(7));
  EXPECT_EQ(d.keep_after_change, days(365));
  EXPECT_EQ(d.keep_after_closure, days(183));
  EXPECT_EQ(d.remind_before_days, (std::vector<int>{7, 1}));

  const auto set = load(std::string(kMinimal) +
                        "[reminders]\ntakedown_response = \"5d\"\nchange_notice = \"45d\"\n"
                        "report_before_notice = \"14d\"\nkeep_after_change = \"400d\"\n"
                        "keep_after_closure = \"200d\"\nremind_before_days = [1, 14, 7, 7]\n");
  ASSERT_TRUE(set.ok()) << set.error_text();
  const auto& s = set.config->reminders;
  EXPECT_EQ(s.takedown_response, days(5));
  EXPECT_EQ(s.change_notice, days(45));
  EXPECT_EQ(s.report_before_notice, days(14));
  EXPECT_EQ(s.keep_after_change, days(400));
  EXPECT_EQ(s.keep_after_closure, days(200));
  EXPECT_EQ(s.remind_before_days, (std::vector<int>{14, 7, 1})) << "sorted, once each";

  // Shorter than the guidelines allow: refused, naming the clause.
  const auto short_notice = load(std::string(kMinimal) + "[reminders]\nchange_notice = \"20d\"\n");
  EXPECT_FALSE(short_notice.ok());
  EXPECT_NE(diagnostic_for(short_notice, "reminders.change_notice").message.find("30 days"),
            std::string::npos);
  const auto short_keep = load(std::string(kMinimal) +
                               "[reminders]\nkeep_after_change = \"180d\"\n"
                               "keep_after_closure = \"90d\"\n");
  EXPECT_FALSE(short_keep.ok());
  diagnostic_for(short_keep, "reminders.keep_after_change");
  diagnostic_for(short_keep, "reminders.keep_after_closure");
  const auto bad_days = load(std::string(kMinimal) + "[reminders]\nremind_before_days = [7, 0]\n");
  EXPECT_FALSE(bad_days.ok());
  diagnostic_for(bad_days, "reminders.remind_before_days");
  const auto bad_takedown =
      load(std::string(kMinimal) + "[reminders]\ntakedown_response = \"soon\"\n");
  EXPECT_FALSE(bad_takedown.ok());
  diagnostic_for(bad_takedown, "reminders.takedown_response");
  const auto unknown = load(std::string(kMinimal) + "[reminders]\nnotice = \"30d\"\n");
  EXPECT_FALSE(unknown.ok());
}

TEST(Config, ConsoleSigninThrottle) {
  const auto defaults = load(kMinimal);
  ASSERT_TRUE(defaults.ok()) << defaults.error_text();
  EXPECT_EQ(defaults.config->console.login_failures_per_name, 5);
  EXPECT_EQ(defaults.config->console.login_failures_per_address, 20);
  // A city office of 300 behind one proxy allows more failures per address.
  const auto office =
      load(std::string(kMinimal) +
           "[console]\nlogin_failures_per_name = 3\nlogin_failures_per_address = 200\n");
  ASSERT_TRUE(office.ok()) << office.error_text();
  const auto o = signin::signin_options_from(*office.config);
  EXPECT_EQ(o.throttle.per_name.free_failures, 3);
  EXPECT_EQ(o.throttle.per_address.free_failures, 200);
  const auto zero = load(std::string(kMinimal) + "[console]\nlogin_failures_per_name = 0\n");
  EXPECT_FALSE(zero.ok());
  diagnostic_for(zero, "console.login_failures_per_name");
}

TEST(Config, SyntaxErrorNamesLine) {
  const auto r = load("[municipality]\nname = \"相馬市\"\n[database\ndsn = 1\n");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_NE(r.errors[0].message.find("TOML syntax error"), std::string::npos);
  EXPECT_EQ(r.errors[0].text().rfind("test.toml:3:", 0), 0u) << r.errors[0].text();
}

TEST(Config, WrongTypeNamesKeyLineAndExpectation) {
  const auto r = load(std::string(kMinimal) + "[server]\nmax_connections = \"many\"\n");
  ASSERT_FALSE(r.ok());
  const auto d = diagnostic_for(r, "server.max_connections");
  EXPECT_EQ(d.line, 8);
  EXPECT_NE(d.message.find("expected an integer"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("a string"), std::string::npos) << d.message;
}

TEST(Config, UnknownKeyIsAnError) {
  const auto r = load(std::string(kMinimal) + "[server]\nlisten_addr = \"127.0.0.1:1\"\n");
  ASSERT_FALSE(r.ok());
  const auto d = diagnostic_for(r, "server.listen_addr");
  EXPECT_NE(d.message.find("unknown key"), std::string::npos);
}

TEST(Config, MissingRequiredSections) {
  const auto r = load("[log]\nlevel = \"debug\"\n");
  ASSERT_FALSE(r.ok());
  diagnostic_for(r, "municipality");
  diagnostic_for(r, "database");
}

TEST(Config, ListenAddressIsValidated) {
  for (const char* bad : {"localhost", "127.0.0.1:", "127.0.0.1:99999", ":8080", "1.2.3.4:8x"}) {
    const auto r = load(std::string(kMinimal) + "[server]\nlisten = \"" + bad + "\"\n");
    EXPECT_FALSE(r.ok()) << bad;
    diagnostic_for(r, "server.listen");
  }
  const auto v6 = load(std::string(kMinimal) + "[server]\nlisten = \"[::1]:9000\"\n");
  ASSERT_TRUE(v6.ok()) << v6.error_text();
  EXPECT_EQ(v6.config->server.host, "::1");
  EXPECT_EQ(v6.config->server.port, 9000);
  EXPECT_EQ(v6.config->server.public_url, "http://[::1]:9000");
}

TEST(Config, ProxiesAndMonitoringAllowListsAreAddressesOrNetworks) {
  const auto defaults = load(kMinimal);
  ASSERT_TRUE(defaults.ok()) << defaults.error_text();
  EXPECT_EQ(defaults.config->server.trusted_proxies,
            (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(defaults.config->server.monitoring_allow,
            (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(defaults.config->server.max_connections_per_client, 64u);
  const auto set = load(std::string(kMinimal) +
                        "[server]\ntrusted_proxies = [\"10.0.0.0/8\", \"2001:db8::1\"]\n"
                        "monitoring_allow = [\"192.0.2.10\"]\nmax_connections_per_client = 8\n");
  ASSERT_TRUE(set.ok()) << set.error_text();
  EXPECT_EQ(set.config->server.trusted_proxies,
            (std::vector<std::string>{"10.0.0.0/8", "2001:db8::1"}));
  EXPECT_EQ(set.config->server.max_connections_per_client, 8u);
  for (const char* bad : {"intranet", "10.0.0.0/33", "10.0.0.0/", "::1/129"}) {
    const auto r = load(std::string(kMinimal) + "[server]\ntrusted_proxies = [\"" + bad + "\"]\n");
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_NE(diagnostic_for(r, "server.trusted_proxies").message.find(bad), std::string::npos);
  }
  diagnostic_for(load(std::string(kMinimal) + "[server]\nmonitoring_allow = [\"x\"]\n"),
                 "server.monitoring_allow");
}

TEST(Config, DurationsAcceptUnitsAndRejectNonsense) {
  auto r = load(std::string(kMinimal) + "[polling]\nreplies = \"2m\"\nsearch = 900\n");
  ASSERT_TRUE(r.ok()) << r.error_text();
  EXPECT_EQ(r.config->polling.replies, std::chrono::seconds(120));
  EXPECT_EQ(r.config->polling.search, std::chrono::seconds(900));
  r = load(std::string(kMinimal) + "[polling]\nreplies = \"soon\"\n");
  EXPECT_NE(diagnostic_for(r, "polling.replies").message.find("duration"), std::string::npos);
  r = load(std::string(kMinimal) + "[polling]\nreplies = \"0s\"\n");
  EXPECT_NE(diagnostic_for(r, "polling.replies").message.find("from 1s"), std::string::npos);
  // The counts and quotes jobs are off unless asked for; 0 turns them off; search up to a week.
  EXPECT_EQ(load(kMinimal).config->polling.reply_counts, std::chrono::seconds(0));
  EXPECT_EQ(load(kMinimal).config->polling.quotes, std::chrono::seconds(0));
  r = load(std::string(kMinimal) +
           "[polling]\nreply_counts = \"1h\"\nquotes = \"6h\"\nsearch = \"7d\"\n");
  ASSERT_TRUE(r.ok()) << r.error_text();
  EXPECT_EQ(r.config->polling.reply_counts, std::chrono::seconds(3600));
  EXPECT_EQ(r.config->polling.quotes, std::chrono::seconds(6 * 3600));
  EXPECT_EQ(r.config->polling.search, std::chrono::seconds(7 * 86400));
  r = load(std::string(kMinimal) + "[polling]\nreply_counts = \"2d\"\n");
  diagnostic_for(r, "polling.reply_counts");
}

// X's reads are paid, Bluesky's and Mastodon's are not: a platform's own [polling.<platform>]
// table replaces what it names and keeps the [polling] value of the rest.
TEST(Config, APlatformsOwnPollingIntervalsOverrideTheSharedOnes) {
  auto r = load(std::string(kMinimal) +
                "[polling]\nprofiles = \"10m\"\nsearch = \"1h\"\n"
                "[polling.x]\nprofiles = \"6h\"\nsearch = \"7d\"\nreply_counts = \"1h\"\n");
  ASSERT_TRUE(r.ok()) << r.error_text();
  const auto& p = r.config->polling;
  EXPECT_EQ(p.of(model::Platform::x).profiles, std::chrono::hours(6));
  EXPECT_EQ(p.of(model::Platform::x).search, std::chrono::hours(7 * 24));
  EXPECT_EQ(p.of(model::Platform::x).reply_counts, std::chrono::hours(1));
  EXPECT_EQ(p.of(model::Platform::x).replies, std::chrono::seconds(60));  // [polling]'s
  EXPECT_EQ(p.of(model::Platform::bluesky).profiles, std::chrono::minutes(10));
  EXPECT_EQ(p.of(model::Platform::bluesky).search, std::chrono::hours(1));
  EXPECT_EQ(p.of(model::Platform::bluesky).reply_counts, std::chrono::seconds(0));
  r = load(std::string(kMinimal) + "[polling.bluesky]\nprofile = \"1h\"\n");
  diagnostic_for(r, "polling.bluesky.profile");
  r = load(std::string(kMinimal) + "[polling.x]\nsearch = \"30d\"\n");
  diagnostic_for(r, "polling.x.search");
  r = load(std::string(kMinimal) + "[polling.myspace]\nsearch = \"1h\"\n");
  diagnostic_for(r, "polling.myspace");
}

TEST(Config, CredentialsResolveFromEnvAndFile) {
  const testing::TempDir dir;
  testing::write_file(dir.path() / "mastodon_token", "mastodon-secret\n");
  const std::string text = std::string(kMinimal) + R"(
[platforms.x]
enabled = true
bearer_token = "env:MAMORI_X"
[platforms.mastodon]
enabled = true
instance = "https://mastodon.example"
access_token = "file:mastodon_token"
)";
  const auto r = load(text, fake_env({{"MAMORI_X", "x-secret"}}, dir.path()));
  ASSERT_TRUE(r.ok()) << r.error_text();
  EXPECT_EQ(r.config->platforms.x.bearer_token->value.reveal(), "x-secret");
  EXPECT_EQ(r.config->platforms.x.bearer_token->ref.text(), "env:MAMORI_X");
  EXPECT_EQ(r.config->platforms.mastodon.access_token->value.reveal(), "mastodon-secret");
}

TEST(Config, LiteralSecretIsRejectedWithoutEchoingIt) {
  const std::string text = std::string(kMinimal) +
                           "[platforms.x]\nenabled = true\nbearer_token = \"AAAA-very-secret\"\n";
  const auto r = load(text);
  ASSERT_FALSE(r.ok());
  const auto d = diagnostic_for(r, "platforms.x.bearer_token");
  EXPECT_EQ(d.line, 9);
  EXPECT_EQ(r.error_text().find("AAAA-very-secret"), std::string::npos) << r.error_text();
}

TEST(Config, MissingCredentialsAreNamed) {
  const std::string text =
      std::string(kMinimal) +
      "[platforms.x]\nenabled = true\nbearer_token = \"env:NOPE\"\n"
      "[platforms.mastodon]\nenabled = true\ninstance = \"https://m.example\"\n"
      "access_token = \"file:token\"\n";
  const auto r = load(text);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(diagnostic_for(r, "platforms.x.bearer_token").message.find("NOPE is not set"),
            std::string::npos);
  EXPECT_NE(
      diagnostic_for(r, "platforms.mastodon.access_token").message.find("CREDENTIALS_DIRECTORY"),
      std::string::npos);
}

TEST(Config, CredentialNamesCannotEscapeTheDirectory) {
  const testing::TempDir dir;
  const std::string text = std::string(kMinimal) +
                           "[platforms.x]\nenabled = true\nbearer_token = \"file:../etc/passwd\"\n";
  const auto r = load(text, fake_env({}, dir.path()));
  EXPECT_NE(diagnostic_for(r, "platforms.x.bearer_token").message.find("plain name"),
            std::string::npos);
}

TEST(Config, PasswordInDsnIsRejected) {
  const auto r =
      load("[municipality]\nname = \"x\"\n[database]\ndsn = \"dbname=m password=hunter2\"\n");
  ASSERT_FALSE(r.ok());
  diagnostic_for(r, "database.dsn");
  EXPECT_EQ(r.error_text().find("hunter2"), std::string::npos);
}

TEST(Config, AccountsAreValidated) {
  const std::string text = std::string(kMinimal) + R"(
[platforms.x]
enabled = true
bearer_token = "env:T"

[[accounts]]
platform = "x"
handle = "@soma_city"

[[accounts]]
platform = "x"
handle = "soma_city"

[[accounts]]
platform = "bluesky"
handle = "soma.bsky.social"

[[accounts]]
platform = "myspace"
handle = "soma"

[[accounts]]
platform = "youtube"
handle = "soma_city"
)";
  const auto r = load(text, fake_env({{"T", "t"}}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(diagnostic_for(r, "accounts[1].handle").message.find("duplicate"), std::string::npos);
  EXPECT_NE(diagnostic_for(r, "accounts[2].platform").message.find("not enabled"),
            std::string::npos);
  EXPECT_NE(diagnostic_for(r, "accounts[3].platform").message.find("myspace"), std::string::npos);
  EXPECT_NE(diagnostic_for(r, "accounts[4].platform").message.find("[platforms.youtube]"),
            std::string::npos);
}

TEST(Config, SingleMunicipalityIsTheDefaultTenant) {
  const std::string text = std::string(kMinimal) + R"(
[platforms.x]
enabled = true
bearer_token = "env:T"

[[accounts]]
platform = "x"
handle = "soma_city"
)";
  const auto r = load(text, fake_env({{"T", "t"}}));
  ASSERT_TRUE(r.ok()) << r.error_text();
  ASSERT_EQ(r.config->municipalities.size(), 1u);
  EXPECT_EQ(r.config->municipalities[0].id, "default");
  EXPECT_EQ(r.config->municipality.name, "相馬市");
  EXPECT_EQ(r.config->accounts.at(0).municipality, "default");
}

const char* kTwoTowns = R"(
[database]
dsn = "dbname=mamori"

[platforms.x]
enabled = true
bearer_token = "env:T"

[[municipalities]]
id = "soma"
name = "相馬市"
police_station = "相馬警察署"

[[municipalities.accounts]]
platform = "x"
handle = "soma_city"

[[municipalities]]
id = "shinchi"
name = "新地町"
contact_phone = "0244-62-2111"

[[municipalities.accounts]]
platform = "x"
handle = "shinchi_town"

[[municipalities.accounts]]
platform = "x"
handle = "shinchi_kanko"

[[api_tokens]]
name = "shinchi-script"
token = "env:TOKEN"
municipalities = ["shinchi"]
)";

TEST(Config, SeveralMunicipalitiesEachWithTheirAccounts) {
  const auto r = load(kTwoTowns, fake_env({{"T", "t"}, {"TOKEN", std::string(40, 'k')}}));
  ASSERT_TRUE(r.ok()) << r.error_text();
  const Config& c = *r.config;
  ASSERT_EQ(c.municipalities.size(), 2u);
  EXPECT_EQ(c.municipality.id, "soma");
  EXPECT_EQ(c.tenant("shinchi").name, "新地町");
  EXPECT_EQ(c.tenant("shinchi").contact_phone, "0244-62-2111");
  EXPECT_EQ(c.tenant("soma").police_station, "相馬警察署");
  EXPECT_EQ(c.tenant("nowhere").id, "soma");
  ASSERT_EQ(c.accounts.size(), 3u);
  EXPECT_EQ(c.accounts[0].municipality, "soma");
  EXPECT_EQ(c.accounts[1].municipality, "shinchi");
  EXPECT_EQ(c.accounts[2].municipality, "shinchi");
  ASSERT_EQ(c.api_tokens.size(), 1u);
  EXPECT_EQ(c.api_tokens[0].municipalities, std::vector<std::string>{"shinchi"});
}

TEST(Config, MunicipalitiesAreValidated) {
  std::string both = std::string(kMinimal) + "[[municipalities]]\nid = \"a\"\nname = \"a\"\n";
  auto r = load(both);
  EXPECT_FALSE(r.ok());
  diagnostic_for(r, "municipalities");

  const std::string bad = R"(
[database]
dsn = "d"
[platforms.x]
enabled = true
bearer_token = "env:T"
[[accounts]]
platform = "x"
handle = "stray"
[[municipalities]]
name = "相馬市"
[[municipalities]]
id = "Soma City"
name = "相馬市"
[[municipalities]]
id = "dup"
name = "a"
[[municipalities.accounts]]
platform = "x"
handle = "same"
[[municipalities]]
id = "dup"
name = "b"
[[municipalities.accounts]]
platform = "x"
handle = "same"
[[api_tokens]]
name = "t"
token = "env:TOKEN"
municipalities = ["nowhere"]
)";
  r = load(bad, fake_env({{"T", "t"}, {"TOKEN", std::string(40, 'k')}}));
  ASSERT_FALSE(r.ok());
  diagnostic_for(r, "accounts");
  diagnostic_for(r, "municipalities[0].id");
  diagnostic_for(r, "municipalities[1].id");
  EXPECT_NE(diagnostic_for(r, "municipalities[3].id").message.find("duplicate"), std::string::npos);
  EXPECT_NE(diagnostic_for(r, "municipalities[3].accounts[0].handle").message.find("duplicate"),
            std::string::npos);
  EXPECT_NE(diagnostic_for(r, "api_tokens[0].municipalities").message.find("nowhere"),
            std::string::npos);
}

TEST(Config, FacebookInstagramAndYoutubeAccountsNeedTheirPlatformTables) {
  const std::string text = std::string(kMinimal) + R"(
[platforms.facebook]
enabled = true
graph_base = "https://graph.facebook.com/v22.0"
page_access_token = "env:FB"

[platforms.instagram]
enabled = true
access_token = "file:ig_token"
ig_user_id = "17841400000000001"

[platforms.youtube]
enabled = true
api_key = "env:YT"
search_units_per_day = 2000

[[accounts]]
platform = "facebook"
handle = "soma.city"

[[accounts]]
platform = "instagram"
handle = "soma_city"

[[accounts]]
platform = "youtube"
handle = "@soma_city"
)";
  testing::TempDir dir;
  testing::write_file(dir.path() / "ig_token", "IG-secret\n");
  const auto r = load(text, fake_env({{"FB", "fb-secret"}, {"YT", "yt-key"}}, dir.path()));
  ASSERT_TRUE(r.ok()) << r.error_text();
  const Config& c = *r.config;
  EXPECT_EQ(c.platforms.facebook.graph_base, "https://graph.facebook.com/v22.0");
  EXPECT_EQ(c.platforms.facebook.page_access_token->value.reveal(), "fb-secret");
  EXPECT_EQ(c.platforms.instagram.graph_base, "https://graph.facebook.com/v21.0");
  EXPECT_EQ(c.platforms.instagram.access_token->value.reveal(), "IG-secret");
  EXPECT_EQ(c.platforms.instagram.ig_user_id, "17841400000000001");
  EXPECT_EQ(c.platforms.youtube.api_key->ref.text(), "env:YT");
  EXPECT_EQ(c.platforms.youtube.daily_quota_units, 10000);
  EXPECT_EQ(c.platforms.youtube.search_units_per_day, 2000);
  ASSERT_EQ(c.accounts.size(), 3u);
  EXPECT_EQ(c.accounts[1].platform, model::Platform::instagram);
  EXPECT_EQ(c.accounts[2].handle, "soma_city");
}

TEST(Config, NewPlatformsRefuseLiteralTokensAndMissingIds) {
  const std::string text = std::string(kMinimal) + R"(
[platforms.facebook]
enabled = true

[platforms.instagram]
enabled = true
access_token = "EAAG-literal-token"
ig_user_id = "soma_city"

[platforms.youtube]
enabled = true
api_key = "env:YT"
daily_quota_units = 1000
search_units_per_day = 5000
)";
  const auto r = load(text, fake_env({{"YT", "k"}}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(diagnostic_for(r, "platforms.facebook.page_access_token").message.find("Page access"),
            std::string::npos);
  const auto literal = diagnostic_for(r, "platforms.instagram.access_token");
  EXPECT_EQ(literal.message.find("EAAG-literal-token"), std::string::npos) << literal.message;
  EXPECT_NE(diagnostic_for(r, "platforms.instagram.ig_user_id").message.find("numeric"),
            std::string::npos);
  EXPECT_NE(diagnostic_for(r, "platforms.youtube.search_units_per_day").message.find("1000"),
            std::string::npos);
}

TEST(Config, InstagramWebhookNeedsBothSecretsAsCredentials) {
  const std::string base = std::string(kMinimal) + R"(
[platforms.instagram]
enabled = true
access_token = "env:IG"
ig_user_id = "17841400000000001"
)";
  const auto env = fake_env({{"IG", "ig"},
                             {"META_VERIFY", "verify-0123456789abcdef"},
                             {"META_SECRET", "0123456789abcdef0123456789abcdef"},
                             {"SHORT", "short"}});
  const auto both = load(base +
                             "webhook_verify_token = \"env:META_VERIFY\"\napp_secret = "
                             "\"env:META_SECRET\"\n",
                         env);
  ASSERT_TRUE(both.ok()) << both.error_text();
  EXPECT_TRUE(both.config->platforms.instagram.webhook_enabled());
  EXPECT_EQ(both.config->platforms.instagram.app_secret->value.reveal(),
            "0123456789abcdef0123456789abcdef");
  const auto none = load(base, env);
  ASSERT_TRUE(none.ok()) << none.error_text();
  EXPECT_FALSE(none.config->platforms.instagram.webhook_enabled());

  const auto only_token = load(base + "webhook_verify_token = \"env:META_VERIFY\"\n", env);
  EXPECT_NE(diagnostic_for(only_token, "platforms.instagram.app_secret").message.find("signs"),
            std::string::npos);
  const auto only_secret = load(base + "app_secret = \"env:META_SECRET\"\n", env);
  diagnostic_for(only_secret, "platforms.instagram.webhook_verify_token");
  // Secrets only by reference; a literal one is refused without repeating it.
  const auto literal = load(base +
                                "webhook_verify_token = \"env:META_VERIFY\"\napp_secret = "
                                "\"0123456789abcdef0123456789abcdef\"\n",
                            env);
  const auto d = diagnostic_for(literal, "platforms.instagram.app_secret");
  EXPECT_EQ(d.message.find("0123456789abcdef0123456789abcdef"), std::string::npos) << d.message;
  const auto short_token =
      load(base + "webhook_verify_token = \"env:SHORT\"\napp_secret = \"env:META_SECRET\"\n", env);
  EXPECT_NE(
      diagnostic_for(short_token, "platforms.instagram.webhook_verify_token").message.find("16"),
      std::string::npos);
}

TEST(Config, AllErrorsAreReportedAtOnce) {
  const auto r = load(
      "[municipality]\nname = 3\n[database]\ndsn = \"d\"\nqueue_capacity = -1\n[log]\nlevel = "
      "\"loud\"\n");
  ASSERT_FALSE(r.ok());
  EXPECT_GE(r.errors.size(), 3u) << r.error_text();
  diagnostic_for(r, "municipality.name");
  diagnostic_for(r, "database.queue_capacity");
  diagnostic_for(r, "log.level");
}

TEST(Config, MissingFileIsAnError) {
  const auto r = load_file("/nonexistent/mamori.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error_text().find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace mamori::config
