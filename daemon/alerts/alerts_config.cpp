#include "daemon/alerts/alerts_config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "collectors/http/host_allow_list.h"
#include "daemon/alerts/channels/mime_message.h"
#include "daemon/config/toml_reader.h"
#include "model/finding.h"
#include "model/time_text.h"

namespace mamori::alerts {
namespace {

using config::Diagnostic;

using Reader = config::TomlReader;
using Table = config::TomlTable;

bool plain_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool loopback_host(const std::string& host) {
  return host == "127.0.0.1" || host == "::1" || host == "localhost";
}

// https:// always; http:// only to this machine (a local relay, or a test receiver). The URL
// itself never appears in a diagnostic: it may be a secret.
bool check_url(Table& t, std::string_view key, const std::string& url) {
  const auto parts = collectors::parse_http_url(url);
  if (!parts || parts->host.empty()) {
    t.error(key, "expected an https:// URL");
    return false;
  }
  if (parts->has_credentials) {
    t.error(key, "must not contain a user name or password");
    return false;
  }
  if (parts->scheme == "http" && !loopback_host(parts->host)) {
    t.error(key, "expected an https:// URL (http:// is accepted only for this machine)");
    return false;
  }
  return true;
}

std::chrono::milliseconds ms(std::chrono::seconds s) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(s);
}

void read_timeout(Table& t, std::chrono::milliseconds& out) {
  std::chrono::seconds s{0};
  if (t.duration("timeout", s, std::chrono::seconds(1), std::chrono::seconds(300))) out = ms(s);
}

std::optional<channels::SlackChannelOptions> read_slack(Table& t, const std::string& name) {
  channels::SlackChannelOptions o;
  o.name = name;
  read_timeout(t, o.timeout);
  auto url = t.secret("webhook_url", true, "the incoming webhook URL");
  if (!url || !check_url(t, "webhook_url", url->reveal())) return std::nullopt;
  o.webhook_url = std::move(*url);
  return o;
}

std::optional<channels::TeamsChannelOptions> read_teams(Table& t, const std::string& name) {
  channels::TeamsChannelOptions o;
  o.name = name;
  read_timeout(t, o.timeout);
  auto url = t.secret("webhook_url", true, "the Workflows webhook URL");
  if (!url || !check_url(t, "webhook_url", url->reveal())) return std::nullopt;
  o.webhook_url = std::move(*url);
  return o;
}

std::optional<channels::LineWorksChannelOptions> read_lineworks(Table& t, const std::string& name) {
  channels::LineWorksChannelOptions o;
  o.name = name;
  bool ok = true;
  read_timeout(t, o.timeout);
  ok &= t.string("bot_id", o.bot_id, true, "the bot's id (Developer Console > Bot)");
  ok &= t.string("client_id", o.client_id, true, "the app's Client ID");
  ok &= t.string("service_account", o.service_account, true,
                 "the app's service account (xxxxx.serviceaccount@domain)");
  t.string("scope", o.scope);
  t.string("default_user_id", o.default_user_id);
  t.string("default_channel_id", o.default_channel_id);
  if (t.string("token_url", o.token_url)) ok &= check_url(t, "token_url", o.token_url);
  if (t.string("api_base", o.api_base)) {
    ok &= check_url(t, "api_base", o.api_base);
    while (!o.api_base.empty() && o.api_base.back() == '/') o.api_base.pop_back();
  }
  auto secret = t.secret("client_secret", true, "the app's Client Secret");
  auto key = t.secret("private_key", true, "the service account's private key (PEM)");
  if (secret) o.client_secret = std::move(*secret);
  if (key) {
    std::string error;
    auto parsed = channels::RsaPrivateKey::from_pem(key->reveal(), error);
    if (parsed) {
      o.private_key = std::make_shared<const channels::RsaPrivateKey>(std::move(*parsed));
    } else {
      t.error("private_key", error);
      ok = false;
    }
  }
  if (!ok || !secret || !o.private_key) return std::nullopt;
  return o;
}

std::optional<channels::EmailChannelOptions> read_email(Table& t, const std::string& name) {
  channels::EmailChannelOptions o;
  o.name = name;
  bool ok = true;
  std::chrono::seconds s{0};
  if (t.duration("timeout", s, std::chrono::seconds(5), std::chrono::seconds(600)))
    o.timeout = ms(s);
  if (t.duration("connect_timeout", s, std::chrono::seconds(1), std::chrono::seconds(120))) {
    o.connect_timeout = ms(s);
  }
  if (t.string("url", o.url, true, "the SMTP server, e.g. \"smtp://smtp.city.example.jp:587\"")) {
    const std::string redacted = channels::redact_mail_url(o.url);
    if (redacted.rfind("smtp://", 0) != 0 && redacted.rfind("smtps://", 0) != 0) {
      t.error("url", "expected smtp://HOST[:PORT] (STARTTLS) or smtps://HOST[:PORT] (TLS)");
      ok = false;
    } else if (o.url.find('@') != std::string::npos) {
      t.error("url", "must not contain a user name or password; use username and password");
      ok = false;
    }
  } else {
    ok = false;
  }
  std::string tls;
  if (t.string("tls", tls)) {
    if (tls == "starttls")
      o.tls = channels::SmtpTls::starttls;
    else if (tls == "implicit")
      o.tls = channels::SmtpTls::implicit;
    else if (tls == "none")
      o.tls = channels::SmtpTls::none;
    else {
      t.error("tls", "expected one of \"starttls\", \"implicit\", \"none\"");
      ok = false;
    }
  }
  const bool smtps = o.url.rfind("smtps://", 0) == 0;
  if (smtps) {
    if (!tls.empty() && tls != "implicit") {
      t.error("tls", "an smtps:// URL always uses TLS; remove tls or set it to \"implicit\"");
      ok = false;
    }
    o.tls = channels::SmtpTls::implicit;
  } else if (o.tls == channels::SmtpTls::implicit) {
    t.error("tls", "implicit TLS needs an smtps:// URL");
    ok = false;
  }
  ok &=
      t.string("from", o.from_address, true, "the sender address, e.g. \"mamori@city.example.jp\"");
  if (!o.from_address.empty() && !channels::valid_mail_address(o.from_address)) {
    t.error("from", "expected a plain e-mail address such as \"mamori@city.example.jp\"");
    ok = false;
  }
  t.string("from_name", o.from_name);
  if (t.string_array("to", o.default_to)) {
    for (std::size_t i = 0; i < o.default_to.size(); ++i) {
      if (!channels::valid_mail_address(o.default_to[i])) {
        t.error("to", "entry " + std::to_string(i + 1) + " is not a plain e-mail address");
        ok = false;
      }
    }
  }
  t.string("username", o.username);
  if (auto pw = t.secret("password", false, "the SMTP password")) o.password = std::move(*pw);
  if (!o.username.empty() && o.password.empty() && !t.raw().contains("password")) {
    t.missing("password", "SMTP AUTH with `username` needs a password reference");
    ok = false;
  }
  t.string("ca_file", o.ca_file);
  if (ok && o.tls == channels::SmtpTls::none && !o.username.empty()) {
    const std::string host = channels::redact_mail_url(o.url).substr(7);
    if (!loopback_host(host)) {
      t.error("tls",
              "\"none\" would send the SMTP password unencrypted over the network; "
              "use \"starttls\", or a relay on this machine");
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return o;
}

std::optional<channels::PagerDutyChannelOptions> read_pagerduty(Table& t, const std::string& name) {
  channels::PagerDutyChannelOptions o;
  o.name = name;
  bool ok = true;
  read_timeout(t, o.timeout);
  if (t.string("events_url", o.events_url)) ok &= check_url(t, "events_url", o.events_url);
  if (t.string("dedup_prefix", o.dedup_prefix) && !plain_name(o.dedup_prefix)) {
    t.error("dedup_prefix", "expected lower-case letters, digits, '-' or '_'");
    ok = false;
  }
  t.string("source", o.source);
  auto key = t.secret("routing_key", true, "the Events API v2 integration key");
  if (!key || !ok) return std::nullopt;
  o.routing_key = std::move(*key);
  return o;
}

std::optional<channels::WebhookChannelOptions> read_webhook(Table& t, const std::string& name) {
  channels::WebhookChannelOptions o;
  o.name = name;
  bool ok = true;
  read_timeout(t, o.timeout);
  // The URL may be written plainly or, when it carries a token, as a credential reference.
  const toml::node* n = t.raw().get("url");
  const auto* s = n != nullptr ? n->as_string() : nullptr;
  if (s != nullptr && (s->get().rfind("env:", 0) == 0 || s->get().rfind("file:", 0) == 0)) {
    auto url = t.secret("url", true, "the receiver's URL");
    if (url && check_url(t, "url", url->reveal()))
      o.url = std::move(*url);
    else
      ok = false;
  } else {
    std::string url;
    if (t.string("url", url, true, "the receiver's https:// URL") && check_url(t, "url", url)) {
      o.url = config::Secret(url);
    } else {
      ok = false;
    }
  }
  auto secret = t.secret("secret", true, "the HMAC signing secret (at least 32 bytes)");
  if (secret && secret->reveal().size() < 32) {
    t.error("secret", "the signing secret must be at least 32 bytes (e.g. `openssl rand -hex 32`)");
    ok = false;
  }
  if (!secret || !ok) return std::nullopt;
  o.secret = std::move(*secret);
  return o;
}

void read_channels(Table& alerts, AlertsConfig& c) {
  const toml::node* n = alerts.get("channels");
  if (n == nullptr) return;
  const auto* channels = n->as_table();
  if (channels == nullptr) {
    alerts.reader().error(n, "alerts.channels", "expected tables [alerts.channels.NAME]");
    return;
  }
  for (const auto& [key, value] : *channels) {
    const std::string name(key.str());
    const std::string path = "alerts.channels." + name;
    const auto* table = value.as_table();
    if (table == nullptr) {
      alerts.reader().error(&value, path, "expected a table [" + path + "]");
      continue;
    }
    Table t(alerts.reader(), *table, path);
    if (!plain_name(name)) {
      alerts.reader().error(&value, path,
                            "channel names use lower-case letters, digits, '-' and '_' only");
    }
    std::string kind;
    if (!t.string(
            "kind", kind, true,
            "one of \"slack\", \"teams\", \"lineworks\", \"email\", \"pagerduty\", \"webhook\"")) {
      t.finish("docs/ja/alerts.md");
      continue;
    }
    ChannelConfig cc;
    cc.name = name;
    bool ok = false;
    auto take = [&](auto opt) {
      if (opt) {
        cc.options = std::move(*opt);
        ok = true;
      }
    };
    if (kind == "slack")
      take(read_slack(t, name));
    else if (kind == "teams")
      take(read_teams(t, name));
    else if (kind == "lineworks")
      take(read_lineworks(t, name));
    else if (kind == "email")
      take(read_email(t, name));
    else if (kind == "pagerduty")
      take(read_pagerduty(t, name));
    else if (kind == "webhook")
      take(read_webhook(t, name));
    else {
      t.error("kind",
              "expected one of \"slack\", \"teams\", \"lineworks\", \"email\", "
              "\"pagerduty\", \"webhook\", found \"" +
                  kind + "\"");
      t.finish("docs/ja/alerts.md");
      continue;
    }
    // Stateful receivers close their alert; the others only hear of it when asked to.
    cc.notify_acknowledge = cc.notify_resolve = kind == "pagerduty";
    t.boolean("notify_acknowledge", cc.notify_acknowledge);
    t.boolean("notify_resolve", cc.notify_resolve);
    t.finish("docs/ja/alerts.md");
    if (ok) c.channels.push_back(std::move(cc));
  }
}

// TOML local date or "YYYY-MM-DD".
bool read_date(Table& t, std::string_view key, std::chrono::sys_days& out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) {
    t.missing(key, "a date such as 2025-04-07");
    return false;
  }
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  if (const auto* date = n->as_date()) {
    y = date->get().year;
    m = date->get().month;
    d = date->get().day;
  } else if (const auto* s = n->as_string()) {
    if (std::sscanf(s->get().c_str(), "%4d-%2u-%2u", &y, &m, &d) != 3) y = 0;
  }
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m),
                                        std::chrono::day(d)};
  if (y < 2000 || !ymd.ok()) {
    t.reader().error(n, t.key_path(key), "expected a date such as 2025-04-07");
    return false;
  }
  out = std::chrono::sys_days(ymd);
  return true;
}

// TOML local time or "HH:MM".
bool read_time_of_day(Table& t, std::string_view key, std::chrono::minutes& out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return false;
  int h = -1;
  int mi = -1;
  if (const auto* time = n->as_time()) {
    h = time->get().hour;
    mi = time->get().minute;
    if (time->get().second != 0) h = -1;
  } else if (const auto* s = n->as_string()) {
    char tail = 0;
    if (std::sscanf(s->get().c_str(), "%2d:%2d%c", &h, &mi, &tail) != 2) h = -1;
  }
  if (h < 0 || h > 23 || mi < 0 || mi > 59) {
    t.reader().error(n, t.key_path(key), "expected a time of day in JST such as \"09:00\"");
    return false;
  }
  out = std::chrono::minutes(h * 60 + mi);
  return true;
}

// TOML date-time: without an offset it is JST wall-clock time; with one, that instant. A
// string "YYYY-MM-DD HH:MM" is JST too.
bool read_instant(Table& t, std::string_view key, oncall::TimePoint& out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) {
    t.missing(key, "a date-time such as 2025-05-03T09:00:00 (JST)");
    return false;
  }
  int y = 0;
  unsigned mo = 0;
  unsigned d = 0;
  int h = -1;
  int mi = -1;
  int sec = 0;
  std::chrono::minutes offset = model::kJstOffset;
  if (const auto* dt = n->as_date_time()) {
    const auto& v = dt->get();
    y = v.date.year;
    mo = v.date.month;
    d = v.date.day;
    h = v.time.hour;
    mi = v.time.minute;
    sec = v.time.second;
    if (v.offset) offset = std::chrono::minutes(v.offset->minutes);
  } else if (const auto* s = n->as_string()) {
    if (std::sscanf(s->get().c_str(), "%4d-%2u-%2u %2d:%2d", &y, &mo, &d, &h, &mi) != 5) y = 0;
  }
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(mo),
                                        std::chrono::day(d)};
  if (y < 2000 || !ymd.ok() || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) {
    t.reader().error(
        n, t.key_path(key),
        "expected a date-time such as 2025-05-03T09:00:00 (JST when no offset is given)");
    return false;
  }
  out = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::sys_days(ymd)) +
        std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(sec) - offset;
  return true;
}

bool channel_declared(const Table& alerts, const std::string& name) {
  const toml::node* n = alerts.raw().get("channels");
  return n != nullptr && n->as_table() != nullptr && n->as_table()->contains(name);
}

void read_people(Table& alerts, AlertsConfig& c) {
  for (Table& t : alerts.tables("people")) {
    oncall::Person p;
    if (t.string("id", p.id, true, "a short id such as \"sato\"") && !plain_name(p.id)) {
      t.error("id", "ids use lower-case letters, digits, '-' and '_' only");
    }
    t.string("name", p.name, true, "the person's name as staff read it, e.g. \"佐藤 花子\"");
    if (c.oncall.person(p.id) != nullptr) t.error("id", "duplicate person id \"" + p.id + "\"");
    const toml::node* contacts = t.get("contacts");
    const auto* array = contacts != nullptr ? contacts->as_array() : nullptr;
    if (array == nullptr) {
      if (contacts != nullptr)
        t.error("contacts", "expected an array of { channel, address } tables");
      else
        t.missing("contacts", "how to reach the person: [{ channel = \"NAME\", address = \"…\" }]");
    } else {
      for (std::size_t i = 0; i < array->size(); ++i) {
        const std::string path = t.key_path("contacts") + "[" + std::to_string(i) + "]";
        const auto* ct = (*array)[i].as_table();
        if (ct == nullptr) {
          t.reader().error(&(*array)[i], path,
                           "expected a table { channel = \"NAME\", address = \"…\" }");
          continue;
        }
        Table ctab(t.reader(), *ct, path);
        oncall::Contact contact;
        ctab.string("channel", contact.channel, true, "a channel name from [alerts.channels.NAME]");
        ctab.string("address", contact.address);
        ctab.finish("docs/ja/alerts.md");
        const ChannelConfig* channel = c.channel(contact.channel);
        if (channel == nullptr) {
          // Declared but failed to load: its own diagnostics were reported already.
          if (!contact.channel.empty() && !channel_declared(alerts, contact.channel)) {
            ctab.error("channel",
                       "unknown channel \"" + contact.channel + "\" (see [alerts.channels.NAME])");
          }
          continue;
        }
        const std::string_view kind = channel->kind();
        if (kind == "email" && !channels::valid_mail_address(contact.address)) {
          ctab.error("address", "an e-mail contact needs a plain e-mail address");
          continue;
        }
        if (kind == "lineworks" && contact.address.empty()) {
          ctab.missing("address", "the person's LINE WORKS user id or login id");
          continue;
        }
        if (kind != "email" && kind != "lineworks" && !contact.address.empty()) {
          ctab.error("address",
                     std::string(kind) + " channels post to a fixed place; remove address");
          continue;
        }
        p.contacts.push_back(std::move(contact));
      }
    }
    t.finish("docs/ja/alerts.md");
    c.oncall.people.push_back(std::move(p));
  }
}

// [[…rotations]], [[…overrides]], [[…policies]] and [[…routes]] of [alerts] or of one
// municipality's alerts table, into `oc` (which already holds the people, and for a
// municipality [alerts]'s rotations and overrides). `channels`: the declared channel names.
void read_rotations(Table& alerts, oncall::OnCallConfig& oc) {
  for (Table& t : alerts.tables("rotations")) {
    oncall::Rotation r;
    if (t.string("name", r.name, true, "a name such as \"kouhou\"") && !plain_name(r.name)) {
      t.error("name", "names use lower-case letters, digits, '-' and '_' only");
    }
    if (oc.rotation(r.name) != nullptr) t.error("name", "duplicate rotation \"" + r.name + "\"");
    std::string shift;
    if (t.string("shift", shift, true, "\"daily\" or \"weekly\"")) {
      if (shift == "daily")
        r.shift = oncall::ShiftLength::daily;
      else if (shift == "weekly")
        r.shift = oncall::ShiftLength::weekly;
      else
        t.error("shift", "expected \"daily\" or \"weekly\"");
    }
    read_date(t, "start", r.start_date);
    read_time_of_day(t, "handover", r.handover);
    if (t.string_array("members", r.members)) {
      if (r.members.empty()) t.error("members", "a rotation needs at least one member");
      for (const auto& m : r.members) {
        if (oc.person(m) == nullptr)
          t.error("members", "unknown person \"" + m + "\" (see [[alerts.people]])");
      }
    } else if (!t.raw().contains("members")) {
      t.missing("members", "the person ids in turn order");
    }
    t.finish("docs/ja/alerts.md");
    oc.rotations.push_back(std::move(r));
  }
}

void read_overrides(Table& alerts, oncall::OnCallConfig& oc) {
  for (Table& t : alerts.tables("overrides")) {
    oncall::Override o;
    if (t.string("rotation", o.rotation, true, "the rotation it applies to") &&
        oc.rotation(o.rotation) == nullptr) {
      t.error("rotation", "unknown rotation \"" + o.rotation + "\"");
    }
    if (t.string("person", o.person, true, "the person on call instead") &&
        oc.person(o.person) == nullptr) {
      t.error("person", "unknown person \"" + o.person + "\"");
    }
    const bool times = read_instant(t, "start", o.start) && read_instant(t, "end", o.end);
    if (times && o.end <= o.start) t.error("end", "must be later than start");
    t.string("reason", o.reason);
    t.finish("docs/ja/alerts.md");
    oc.overrides.push_back(std::move(o));
  }
}

std::optional<oncall::EscalationTarget> parse_target(const std::string& text) {
  const auto colon = text.find(':');
  if (colon == std::string::npos) return std::nullopt;
  const std::string kind = text.substr(0, colon);
  oncall::EscalationTarget target;
  target.name = text.substr(colon + 1);
  if (kind == "rotation")
    target.kind = oncall::EscalationTarget::Kind::rotation;
  else if (kind == "person")
    target.kind = oncall::EscalationTarget::Kind::person;
  else if (kind == "channel")
    target.kind = oncall::EscalationTarget::Kind::channel;
  else
    return std::nullopt;
  if (target.name.empty()) return std::nullopt;
  return target;
}

void read_policies(Table& alerts, oncall::OnCallConfig& oc, const std::set<std::string>& channels) {
  std::set<std::string> covered;
  static const std::set<std::string> kSeverities = {"low", "medium", "high", "critical", "*"};
  for (Table& t : alerts.tables("policies")) {
    oncall::EscalationPolicy p;
    t.string("name", p.name, true, "a name such as \"standard\"");
    if (!p.name.empty() && oc.policy(p.name) != nullptr)
      t.error("name", "duplicate policy \"" + p.name + "\"");
    // Without severities a policy is used only where a route names it (checked by read_routes).
    if (t.string_array("severities", p.severities)) {
      if (p.severities.empty()) t.error("severities", "list at least one severity");
      for (const auto& s : p.severities) {
        if (kSeverities.count(s) == 0) {
          t.error("severities",
                  "expected low, medium, high, critical or \"*\", found \"" + s + "\"");
        } else if (!covered.insert(s).second) {
          t.error("severities", "severity \"" + s + "\" is already covered by another policy");
        }
      }
    }
    t.integer("repeat", p.repeat, 0, 10);
    std::vector<Table> levels = t.tables("levels");
    if (levels.empty() && !t.raw().contains("levels")) {
      t.missing("levels", "at least one [[alerts.policies.levels]] with targets");
    }
    for (Table& lt : levels) {
      oncall::EscalationLevel level;
      std::vector<std::string> targets;
      if (lt.string_array("targets", targets)) {
        if (targets.empty()) lt.error("targets", "a level needs at least one target");
        for (const auto& text : targets) {
          const auto target = parse_target(text);
          if (!target) {
            lt.error("targets",
                     "expected \"rotation:NAME\", \"person:ID\" or \"channel:NAME\", found \"" +
                         text + "\"");
            continue;
          }
          using Kind = oncall::EscalationTarget::Kind;
          if ((target->kind == Kind::rotation && oc.rotation(target->name) == nullptr) ||
              (target->kind == Kind::person && oc.person(target->name) == nullptr) ||
              (target->kind == Kind::channel && channels.count(target->name) == 0)) {
            lt.error("targets", "\"" + text + "\" is not defined");
            continue;
          }
          level.targets.push_back(*target);
        }
      } else if (!lt.raw().contains("targets")) {
        lt.missing("targets", "who is told at this level, e.g. [\"rotation:kouhou\"]");
      }
      lt.duration("escalate_after", level.escalate_after, std::chrono::seconds(60),
                  std::chrono::seconds(24 * 3600));
      lt.finish("docs/ja/alerts.md");
      p.levels.push_back(std::move(level));
    }
    t.finish("docs/ja/alerts.md");
    oc.policies.push_back(std::move(p));
  }
}

void read_routes(Table& alerts, oncall::OnCallConfig& oc) {
  static const std::set<std::string> kSeverities = {"low", "medium", "high", "critical"};
  for (Table& t : alerts.tables("routes")) {
    oncall::Route route;
    t.string_array("departments", route.departments);
    if (t.string_array("types", route.types)) {
      for (const auto& type : route.types) {
        if (!model::incident_type_from_string(type)) {
          t.error("types", "unknown incident type \"" + type +
                               "\" (impersonation, flameup, misinformation, account_compromise, "
                               "erroneous_post, threat, account_change)");
        }
      }
    }
    if (t.string_array("severities", route.severities)) {
      for (const auto& severity : route.severities) {
        if (kSeverities.count(severity) == 0)
          t.error("severities",
                  "expected low, medium, high or critical, found \"" + severity + "\"");
      }
    }
    if (route.departments.empty() && route.types.empty()) {
      t.missing("departments",
                "the departments (運用所属) or incident `types` whose incidents the route takes");
    }
    if (t.string("policy", route.policy, true, "the name of the policy these incidents follow") &&
        oc.policy(route.policy) == nullptr) {
      t.error("policy", "unknown policy \"" + route.policy + "\" (see its [[…policies]])");
    }
    t.finish("docs/ja/alerts.md");
    oc.routes.push_back(std::move(route));
  }
  for (const auto& p : oc.policies) {
    const bool routed = std::any_of(oc.routes.begin(), oc.routes.end(),
                                    [&](const oncall::Route& r) { return r.policy == p.name; });
    if (p.severities.empty() && !routed) {
      alerts.error("policies", "policy \"" + p.name +
                                   "\" lists no severities and no route names it; add "
                                   "`severities` or a [[…routes]] entry with policy = \"" +
                                   p.name + "\"");
    }
  }
}

void read_oncall(Table& alerts, oncall::OnCallConfig& oc, const std::set<std::string>& channels) {
  read_rotations(alerts, oc);
  read_overrides(alerts, oc);
  read_policies(alerts, oc, channels);
  read_routes(alerts, oc);
}

std::set<std::string> declared_channels(const toml::table& doc) {
  std::set<std::string> names;
  const auto* channels = doc.at_path("alerts.channels").as_table();
  if (channels == nullptr) return names;
  for (const auto& [key, value] : *channels) names.insert(std::string(key.str()));
  return names;
}

// The municipalities of the main configuration ([municipality] or [[municipalities]]; the main
// loader checks their other keys): their names, and on-call of their own from their `alerts`.
void read_municipality_alerts(const toml::table& doc, Reader& reader,
                              const std::set<std::string>& channels, AlertsConfig& c) {
  auto read_one = [&](const toml::table& town, const std::string& path, std::string id) {
    if (const auto* v = town.get_as<std::string>("id")) id = v->get();
    MunicipalityAlerts m;
    if (const auto* v = town.get_as<std::string>("name")) m.name = v->get();
    if (const toml::node* n = town.get("alerts")) {
      const auto* table = n->as_table();
      if (table == nullptr) {
        reader.error(n, path + ".alerts", "expected a table [" + path + ".alerts]");
      } else {
        Table t(reader, *table, path + ".alerts");
        m.oncall.people = c.oncall.people;
        m.oncall.rotations = c.oncall.rotations;
        m.oncall.overrides = c.oncall.overrides;
        read_oncall(t, m.oncall, channels);
        if (m.oncall.policies.empty()) {
          t.missing("policies",
                    "the municipality's own [[…alerts.policies]] (without an alerts table it "
                    "follows [alerts]'s)");
        }
        t.finish("docs/ja/operations.md");
        m.own_oncall = true;
      }
    }
    c.municipalities[id] = std::move(m);
  };
  if (const auto* single = doc.get_as<toml::table>("municipality")) {
    read_one(*single, "municipality", "default");
  }
  if (const auto* many = doc.get_as<toml::array>("municipalities")) {
    for (std::size_t i = 0; i < many->size(); ++i) {
      if (const auto* town = (*many)[i].as_table()) {
        read_one(*town, "municipalities[" + std::to_string(i) + "]", "");
      }
    }
  }
}

AlertsLoadResult parse(std::string_view text, const std::string& source_name,
                       const config::CredentialSource& credentials) {
  AlertsLoadResult result;
  toml::table doc;
  try {
    doc = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    Diagnostic d;
    d.file = source_name;
    d.line = static_cast<int>(e.source().begin.line);
    d.column = static_cast<int>(e.source().begin.column);
    d.message = "TOML syntax error: " + std::string(e.description());
    result.errors.push_back(std::move(d));
    return result;
  }
  Reader reader(source_name, credentials);
  AlertsConfig c;
  if (const toml::node* n = doc.get("alerts")) {
    if (const auto* t = n->as_table()) {
      Table alerts(reader, *t, "alerts");
      read_channels(alerts, c);
      read_people(alerts, c);  // after channels: contacts name channels
      read_oncall(alerts, c.oncall, declared_channels(doc));
      if (auto secret =
              alerts.secret("link_secret", false, "the acknowledge-link signing secret")) {
        if (secret->reveal().size() < 32) {
          alerts.error(
              "link_secret",
              "the signing secret must be at least 32 bytes (e.g. `openssl rand -hex 32`)");
        } else {
          c.link_secret = std::move(*secret);
        }
      }
      alerts.duration("link_valid_for", c.link_valid_for, std::chrono::seconds(300),
                      std::chrono::seconds(7 * 24 * 3600));
      alerts.duration("retry_backoff", c.retry_backoff, std::chrono::seconds(1),
                      std::chrono::seconds(600));
      alerts.duration("retry_backoff_max", c.retry_backoff_max, std::chrono::seconds(1),
                      std::chrono::seconds(3600));
      if (c.retry_backoff_max < c.retry_backoff) {
        alerts.error("retry_backoff_max", "must not be shorter than retry_backoff");
      }
      alerts.duration("give_up_after", c.give_up_after, std::chrono::seconds(60),
                      std::chrono::seconds(7 * 24 * 3600));
      alerts.finish("docs/ja/alerts.md");
    } else {
      reader.error(n, "alerts", "expected a table [alerts]");
    }
  }
  read_municipality_alerts(doc, reader, declared_channels(doc), c);
  result.errors = std::move(reader.errors());
  if (result.errors.empty()) result.config = std::move(c);
  return result;
}

}  // namespace

std::string_view ChannelConfig::kind() const {
  static constexpr std::string_view kinds[] = {"slack", "teams",     "lineworks",
                                               "email", "pagerduty", "webhook"};
  return kinds[options.index()];
}

std::vector<std::string> ChannelConfig::http_hosts() const {
  std::vector<std::string> urls;
  std::visit(
      [&](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, channels::SlackChannelOptions> ||
                      std::is_same_v<T, channels::TeamsChannelOptions>) {
          urls.push_back(o.webhook_url.reveal());
        } else if constexpr (std::is_same_v<T, channels::LineWorksChannelOptions>) {
          urls.push_back(o.token_url);
          urls.push_back(o.api_base);
        } else if constexpr (std::is_same_v<T, channels::PagerDutyChannelOptions>) {
          urls.push_back(o.events_url);
        } else if constexpr (std::is_same_v<T, channels::WebhookChannelOptions>) {
          urls.push_back(o.url.reveal());
        }
      },
      options);
  std::vector<std::string> hosts;
  for (const auto& u : urls) {
    if (auto parts = collectors::parse_http_url(u)) hosts.push_back(parts->host);
  }
  return hosts;
}

const oncall::OnCallConfig& AlertsConfig::oncall_for(std::string_view municipality) const {
  const auto it = municipalities.find(std::string(municipality));
  if (it != municipalities.end() && it->second.own_oncall) return it->second.oncall;
  return oncall;
}

const ChannelConfig* AlertsConfig::channel(std::string_view name) const {
  for (const auto& c : channels) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::string AlertsLoadResult::error_text() const {
  std::string out;
  for (const auto& e : errors) out += e.text() + "\n";
  return out;
}

AlertsLoadResult load_alerts_string(std::string_view toml, const std::string& source_name,
                                    const config::CredentialSource& credentials) {
  return parse(toml, source_name, credentials);
}

AlertsLoadResult load_alerts_file(const std::filesystem::path& path,
                                  const config::CredentialSource& credentials) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    AlertsLoadResult r;
    r.errors.push_back({path.string(), 0, 0, "", "cannot open the configuration file"});
    return r;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), path.string(), credentials);
}

}  // namespace mamori::alerts
