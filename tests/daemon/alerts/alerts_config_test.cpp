// The [alerts] configuration: a complete example loads into typed structs with credentials
// resolved; mistakes get one diagnostic each with file, line and key, never echoing secrets.
#include "daemon/alerts/alerts_config.h"

#include <gtest/gtest.h>

#include <map>

#include "daemon/alerts/channels/channel_factory.h"
#include "tests/daemon/alerts/rsa_test_key.h"
#include "tests/support/test_support.h"

namespace mamori::alerts {
namespace {

using namespace std::chrono_literals;

constexpr const char* kExample = R"(# mamori.toml (other sections omitted)
[alerts.channels.slack-kouhou]
kind = "slack"
webhook_url = "env:SLACK_URL"

[alerts.channels.teams-kouhou]
kind = "teams"
webhook_url = "env:TEAMS_URL"

[alerts.channels.lineworks]
kind = "lineworks"
bot_id = "2000001"
client_id = "AbCdEf"
client_secret = "env:LW_SECRET"
service_account = "abcde.serviceaccount@city"
private_key = "file:lineworks.key"

[alerts.channels.mail]
kind = "email"
url = "smtp://smtp.city.example.jp:587"
from = "mamori@city.example.jp"
from_name = "mamori 監視"
username = "mamori"
password = "env:SMTP_PW"

[alerts.channels.pagerduty]
kind = "pagerduty"
routing_key = "env:PD_KEY"

[alerts.channels.soc]
kind = "webhook"
url = "https://soc.city.example.jp/hooks/mamori"
secret = "env:HOOK_SECRET"

[[alerts.people]]
id = "sato"
name = "佐藤 花子"
contacts = [
  { channel = "mail", address = "sato@city.example.jp" },
  { channel = "lineworks", address = "sato@city" },
]

[[alerts.people]]
id = "suzuki"
name = "鈴木 一郎"
contacts = [{ channel = "mail", address = "suzuki@city.example.jp" }]

[[alerts.people]]
id = "kacho"
name = "広報課長 田中"
contacts = [{ channel = "mail", address = "tanaka@city.example.jp" }, { channel = "slack-kouhou" }]

[[alerts.rotations]]
name = "kouhou"
shift = "weekly"
start = 2025-04-07
handover = 09:00:00
members = ["sato", "suzuki"]

[[alerts.overrides]]
rotation = "kouhou"
person = "suzuki"
start = 2025-05-03T00:00:00
end = "2025-05-07 09:00"
reason = "GW の振替"

[[alerts.policies]]
name = "standard"
severities = ["high", "critical"]
repeat = 2

[[alerts.policies.levels]]
targets = ["rotation:kouhou", "channel:pagerduty"]
escalate_after = "15m"

[[alerts.policies.levels]]
targets = ["person:kacho", "channel:teams-kouhou"]
escalate_after = 1800

[[alerts.policies]]
name = "quiet"
severities = ["*"]
[[alerts.policies.levels]]
targets = ["channel:slack-kouhou"]
)";

class AlertsConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pem_ = testing::generate_rsa_private_pem();
    mamori::testing::write_file(dir_.path() / "lineworks.key", pem_);
    env_ = {{"SLACK_URL", "https://hooks.slack.com/services/T000/B000/SECRETSLACK"},
            {"TEAMS_URL",
             "https://prod-00.japaneast.logic.azure.com/workflows/x/triggers/manual/paths/"
             "invoke?sig=SECRETSIG"},
            {"LW_SECRET", "lw-client-secret"},
            {"SMTP_PW", "smtp-password"},
            {"PD_KEY", "R0UTINGKEY0000000000000000000000"},
            {"HOOK_SECRET", std::string(40, 'k')}};
  }
  config::CredentialSource credentials() const {
    config::CredentialSource s;
    s.directory = dir_.path();
    s.getenv = [env = env_](const std::string& name) -> std::optional<std::string> {
      auto it = env.find(name);
      if (it == env.end()) return std::nullopt;
      return it->second;
    };
    return s;
  }
  AlertsLoadResult load(const std::string& text) {
    return load_alerts_string(text, "mamori.toml", credentials());
  }

  mamori::testing::TempDir dir_;
  std::string pem_;
  std::map<std::string, std::string> env_;
};

TEST_F(AlertsConfigTest, LoadsTheCompleteExample) {
  const auto r = load(kExample);
  ASSERT_TRUE(r.ok()) << r.error_text();
  const AlertsConfig& c = *r.config;
  ASSERT_EQ(c.channels.size(), 6u);
  EXPECT_EQ(c.channel("slack-kouhou")->kind(), "slack");
  EXPECT_EQ(c.channel("lineworks")->kind(), "lineworks");
  EXPECT_EQ(c.channel("soc")->kind(), "webhook");
  const auto& slack = std::get<channels::SlackChannelOptions>(c.channel("slack-kouhou")->options);
  EXPECT_EQ(slack.webhook_url.reveal(), env_["SLACK_URL"]);
  const auto& lw = std::get<channels::LineWorksChannelOptions>(c.channel("lineworks")->options);
  ASSERT_TRUE(lw.private_key);
  EXPECT_EQ(lw.private_key->bits(), 2048);
  EXPECT_EQ(lw.scope, "bot");
  const auto& mail = std::get<channels::EmailChannelOptions>(c.channel("mail")->options);
  EXPECT_EQ(mail.tls, channels::SmtpTls::starttls);
  EXPECT_EQ(mail.password.reveal(), "smtp-password");

  ASSERT_EQ(c.oncall.people.size(), 3u);
  EXPECT_EQ(c.oncall.person("kacho")->contacts.size(), 2u);
  const auto* rot = c.oncall.rotation("kouhou");
  ASSERT_NE(rot, nullptr);
  EXPECT_EQ(rot->shift, oncall::ShiftLength::weekly);
  EXPECT_EQ(rot->handover, 9h);
  EXPECT_EQ(oncall::format_jst(oncall::from_jst(rot->start_date, rot->handover)),
            "2025-04-07 09:00");
  ASSERT_EQ(c.oncall.overrides.size(), 1u);
  EXPECT_EQ(oncall::format_jst(c.oncall.overrides[0].start), "2025-05-03 00:00")
      << "no offset: JST";
  EXPECT_EQ(oncall::format_jst(c.oncall.overrides[0].end), "2025-05-07 09:00");
  const auto* policy = oncall::policy_for(c.oncall, "critical");
  ASSERT_NE(policy, nullptr);
  EXPECT_EQ(policy->repeat, 2);
  ASSERT_EQ(policy->levels.size(), 2u);
  EXPECT_EQ(policy->levels[0].escalate_after, 15min);
  EXPECT_EQ(policy->levels[1].escalate_after, 30min);
  EXPECT_EQ(policy->levels[1].targets[1].kind, oncall::EscalationTarget::Kind::channel);
  EXPECT_EQ(oncall::policy_for(c.oncall, "low")->name, "quiet");

  const auto hosts = channels::alert_hosts(c);
  EXPECT_TRUE(hosts.allows("hooks.slack.com"));
  EXPECT_TRUE(hosts.allows("prod-00.japaneast.logic.azure.com"));
  EXPECT_TRUE(hosts.allows("auth.worksmobile.com"));
  EXPECT_TRUE(hosts.allows("www.worksapis.com"));
  EXPECT_TRUE(hosts.allows("events.pagerduty.com"));
  EXPECT_TRUE(hosts.allows("soc.city.example.jp"));
  EXPECT_FALSE(hosts.allows("smtp.city.example.jp")) << "mail does not go through the HTTP client";
}

TEST_F(AlertsConfigTest, NoAlertsSectionIsAnEmptyValidConfig) {
  const auto r = load("[server]\nlisten = \"127.0.0.1:8473\"\n");
  ASSERT_TRUE(r.ok()) << r.error_text();
  EXPECT_TRUE(r.config->channels.empty());
}

// The first diagnostic for `text` (one expected).
config::Diagnostic only_error(const AlertsLoadResult& r) {
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.errors.size(), 1u) << r.error_text();
  return r.errors.empty() ? config::Diagnostic{} : r.errors.front();
}

TEST_F(AlertsConfigTest, AWebhookUrlWrittenInlineIsRefusedWithoutEchoingIt) {
  const auto e = only_error(load(R"([alerts.channels.s]
kind = "slack"
webhook_url = "https://hooks.slack.com/services/T1/B1/INLINESECRET"
)"));
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.key, "alerts.channels.s.webhook_url");
  EXPECT_NE(e.message.find("env:NAME"), std::string::npos) << e.message;
  EXPECT_EQ(e.text().find("INLINESECRET"), std::string::npos) << e.text();
}

TEST_F(AlertsConfigTest, TyposAndBadValuesNameTheLine) {
  auto e = only_error(load(
      "[alerts.channels.s]\nkind = \"slack\"\nwebhook_url = \"env:SLACK_URL\"\ntimeuot = 5\n"));
  EXPECT_EQ(e.line, 4);
  EXPECT_EQ(e.key, "alerts.channels.s.timeuot");
  EXPECT_NE(e.message.find("unknown key"), std::string::npos);

  e = only_error(load("[alerts.channels.s]\nkind = \"sms\"\n"));
  EXPECT_EQ(e.line, 2);
  EXPECT_NE(e.message.find("\"sms\""), std::string::npos);

  env_["SLACK_URL"] = "http://hooks.example.jp/x";
  e = only_error(load("[alerts.channels.s]\nkind = \"slack\"\nwebhook_url = \"env:SLACK_URL\"\n"));
  EXPECT_NE(e.message.find("https://"), std::string::npos) << e.message;

  e = only_error(load("[alerts.channels.s]\nkind = \"slack\"\nwebhook_url = \"env:MISSING\"\n"));
  EXPECT_NE(e.message.find("MISSING is not set"), std::string::npos) << e.message;
}

TEST_F(AlertsConfigTest, RetryBackoffAndGiveUpAreConfigurableAndChecked) {
  auto r = load("[server]\nlisten = \"127.0.0.1:8473\"\n");
  ASSERT_TRUE(r.ok()) << r.error_text();
  EXPECT_EQ(r.config->retry_backoff, 5s);
  EXPECT_EQ(r.config->retry_backoff_max, 600s);
  EXPECT_EQ(r.config->give_up_after, 3600s);

  r = load(
      "[alerts]\nretry_backoff = \"1s\"\nretry_backoff_max = \"2s\"\ngive_up_after = \"2h\"\n");
  ASSERT_TRUE(r.ok()) << r.error_text();
  EXPECT_EQ(r.config->retry_backoff, 1s);
  EXPECT_EQ(r.config->retry_backoff_max, 2s);
  EXPECT_EQ(r.config->give_up_after, 7200s);

  auto e = only_error(load("[alerts]\nretry_backoff = \"30s\"\nretry_backoff_max = \"10s\"\n"));
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.key, "alerts.retry_backoff_max");
  EXPECT_NE(e.message.find("retry_backoff"), std::string::npos) << e.message;

  e = only_error(load("[alerts]\nretry_backoff = \"0s\"\n"));
  EXPECT_EQ(e.key, "alerts.retry_backoff");
  e = only_error(load("[alerts]\ngive_up_after = \"10s\"\n"));
  EXPECT_EQ(e.key, "alerts.give_up_after");
}

TEST_F(AlertsConfigTest, CrossReferencesAreChecked) {
  const std::string base =
      "[alerts.channels.mail]\nkind = \"email\"\nurl = \"smtp://127.0.0.1:25\"\ntls = "
      "\"none\"\nfrom = \"m@city.example.jp\"\n";
  auto e = only_error(
      load(base +
           "[[alerts.people]]\nid = \"a\"\nname = \"A\"\ncontacts = [{ channel = \"nosuch\" }]\n"));
  EXPECT_EQ(e.line, 9);
  EXPECT_NE(e.message.find("unknown channel \"nosuch\""), std::string::npos) << e.message;

  e = only_error(load(base + "[[alerts.people]]\nid = \"a\"\nname = \"A\"\ncontacts = [{ channel = "
                             "\"mail\", address = \"not-an-address\" }]\n"));
  EXPECT_NE(e.message.find("e-mail address"), std::string::npos) << e.message;

  e = only_error(load(base + "[[alerts.rotations]]\nname = \"r\"\nshift = \"daily\"\nstart = "
                             "2025-04-01\nmembers = [\"ghost\"]\n"));
  EXPECT_EQ(e.line, 10);
  EXPECT_NE(e.message.find("unknown person \"ghost\""), std::string::npos) << e.message;

  e = only_error(load(base + "[[alerts.policies]]\nname = \"p\"\nseverities = "
                             "[\"high\"]\n[[alerts.policies.levels]]\ntargets = [\"oncall\"]\n"));
  EXPECT_EQ(e.line, 10);
  EXPECT_NE(e.message.find("rotation:NAME"), std::string::npos) << e.message;

  e = only_error(load(
      base +
      "[[alerts.policies]]\nname = \"p\"\nseverities = [\"high\"]\n[[alerts.policies.levels]]\n"
      "targets = [\"channel:mail\"]\nescalate_after = \"30s\"\n"));
  EXPECT_EQ(e.key, "alerts.policies[0].levels[0].escalate_after");

  e = only_error(load(base +
                      "[[alerts.policies]]\nname = \"a\"\nseverities = "
                      "[\"high\"]\n[[alerts.policies.levels]]\ntargets = [\"channel:mail\"]\n"
                      "[[alerts.policies]]\nname = \"b\"\nseverities = "
                      "[\"high\"]\n[[alerts.policies.levels]]\ntargets = [\"channel:mail\"]\n"));
  EXPECT_NE(e.message.find("already covered"), std::string::npos) << e.message;
}

TEST_F(AlertsConfigTest, MailWithoutTlsOnlyToThisMachineWhenAPasswordIsSent) {
  const std::string remote =
      "[alerts.channels.mail]\nkind = \"email\"\nurl = \"smtp://smtp.city.example.jp:25\"\ntls = "
      "\"none\"\n"
      "from = \"m@city.example.jp\"\nusername = \"u\"\npassword = \"env:SMTP_PW\"\n";
  auto e = only_error(load(remote));
  EXPECT_EQ(e.key, "alerts.channels.mail.tls");
  EXPECT_NE(e.message.find("unencrypted"), std::string::npos) << e.message;
  std::string local = remote;
  local.replace(local.find("smtp.city.example.jp"), 20, "127.0.0.1");
  EXPECT_TRUE(load(local).ok()) << load(local).error_text();
}

TEST_F(AlertsConfigTest, ABrokenPrivateKeyIsReportedAtLoadTime) {
  mamori::testing::write_file(
      dir_.path() / "lineworks.key",
      "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
  const auto r = load(kExample);
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.errors.size(), 1u) << r.error_text();
  EXPECT_EQ(r.errors[0].key, "alerts.channels.lineworks.private_key");
  EXPECT_EQ(r.errors[0].line, 16);
}

}  // namespace
}  // namespace mamori::alerts
