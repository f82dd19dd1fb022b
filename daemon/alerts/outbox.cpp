#include "daemon/alerts/outbox.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>

#include "daemon/alerts/alerts_config.h"
#include "daemon/log/log.h"

namespace mamori::alerts {
namespace {

std::optional<AlertKind> kind_from_string(std::string_view s) {
  for (auto k : {AlertKind::trigger, AlertKind::escalate, AlertKind::update, AlertKind::acknowledge,
                 AlertKind::resolve}) {
    if (to_string(k) == s) return k;
  }
  return std::nullopt;
}

boost::json::object to_json(const AlertMessage& m) {
  return {{"alert_id", m.alert_id},
          {"idempotency_key", m.idempotency_key},
          {"kind", to_string(m.kind)},
          {"incident_id", m.incident_id},
          {"incident_type", m.incident_type},
          {"incident_type_label", m.incident_type_label},
          {"severity", m.severity},
          {"severity_label", m.severity_label},
          {"title", m.title},
          {"summary", m.summary},
          {"first_step", m.first_step},
          {"incident_url", m.incident_url},
          {"acknowledge_url", m.acknowledge_url},
          {"escalation_level", m.escalation_level},
          {"recipient_name", m.recipient_name},
          {"recipient_address", m.recipient_address},
          {"municipality", m.municipality},
          {"occurred_at", m.occurred_at}};
}

std::string str(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string().c_str()) : std::string();
}

AlertMessage from_json(const boost::json::object& o) {
  AlertMessage m;
  m.idempotency_key = str(o, "idempotency_key");
  m.kind = kind_from_string(str(o, "kind")).value_or(AlertKind::trigger);
  if (const auto* v = o.if_contains("incident_id"); v && v->is_int64())
    m.incident_id = v->as_int64();
  m.incident_type = str(o, "incident_type");
  m.incident_type_label = str(o, "incident_type_label");
  m.severity = str(o, "severity");
  m.severity_label = str(o, "severity_label");
  m.title = str(o, "title");
  m.summary = str(o, "summary");
  m.first_step = str(o, "first_step");
  m.incident_url = str(o, "incident_url");
  m.acknowledge_url = str(o, "acknowledge_url");
  if (const auto* v = o.if_contains("escalation_level"); v && v->is_int64()) {
    m.escalation_level = static_cast<int>(v->as_int64());
  }
  m.recipient_name = str(o, "recipient_name");
  m.recipient_address = str(o, "recipient_address");
  m.municipality = str(o, "municipality");
  m.occurred_at = str(o, "occurred_at");
  return m;
}

std::string_view type_label(std::string_view type) {
  if (type == "impersonation") return "成りすまし";
  if (type == "flameup") return "炎上";
  if (type == "misinformation") return "デマ・誤情報";
  if (type == "account_compromise") return "不正アクセス";
  if (type == "erroneous_post") return "誤投稿";
  if (type == "account_change") return "アカウントの変更・廃止";
  if (type == "threat") return "脅迫・詐欺";
  return "インシデント";
}

std::string_view severity_label(std::string_view severity) {
  if (severity == "low") return "低";
  if (severity == "medium") return "中";
  if (severity == "high") return "高";
  if (severity == "critical") return "緊急";
  return "";
}

std::string_view kind_label(AlertKind k) {
  switch (k) {
    case AlertKind::trigger:
      return "通知";
    case AlertKind::escalate:
      return "エスカレーション";
    case AlertKind::update:
      return "更新";
    case AlertKind::acknowledge:
      return "確認";
    case AlertKind::resolve:
      return "解決";
  }
  return "";
}

void timeline(pqxx::work& tx, long long incident, const std::string& message,
              const boost::json::object& detail) {
  tx.exec_params(
      "INSERT INTO incident_timeline (incident_id, actor, kind, message, detail) VALUES ($1, "
      "'system:alerts', 'alert', $2, $3::jsonb)",
      incident, message, boost::json::serialize(detail));
}

}  // namespace

std::string_view to_string(AlertKind kind) {
  switch (kind) {
    case AlertKind::trigger:
      return "trigger";
    case AlertKind::escalate:
      return "escalate";
    case AlertKind::update:
      return "update";
    case AlertKind::acknowledge:
      return "acknowledge";
    case AlertKind::resolve:
      return "resolve";
  }
  return "trigger";
}

long long reopen_count(pqxx::transaction_base& tx, long long incident_id) {
  return tx
      .exec_params1(
          "SELECT count(*) FROM incident_timeline WHERE incident_id = $1 AND kind = 'status'"
          " AND detail->>'to' = 'open'",
          incident_id)[0]
      .as<long long>();
}

bool enqueue(pqxx::work& tx, const std::string& channel, const AlertMessage& message) {
  const pqxx::result r = tx.exec_params(
      "INSERT INTO alert_outbox (incident_id, kind, channel, escalation_level, recipient, "
      "idempotency_key, message)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) ON CONFLICT (idempotency_key) DO NOTHING "
      "RETURNING id",
      message.incident_id, std::string(to_string(message.kind)), channel, message.escalation_level,
      message.recipient_name, message.idempotency_key, boost::json::serialize(to_json(message)));
  return !r.empty();
}

AlertMessage compose(pqxx::work& tx, long long incident_id, AlertKind kind, int escalation_level,
                     const std::string& recipient, const std::string& public_url,
                     const std::string& municipality, const AlertsConfig* config) {
  const pqxx::result r = tx.exec_params(
      "SELECT type, severity, severity_label, title, summary,"
      " to_char(opened_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+09:00\"'),"
      " (SELECT title FROM incident_steps s WHERE s.incident_id = i.id AND s.status = 'pending'"
      "  ORDER BY position LIMIT 1), municipality"
      " FROM incidents i WHERE id = $1",
      incident_id);
  if (r.empty()) throw std::runtime_error("incident " + std::to_string(incident_id) + " not found");
  AlertMessage m;
  m.kind = kind;
  m.incident_id = incident_id;
  m.incident_type = r[0][0].c_str();
  m.incident_type_label = std::string(type_label(m.incident_type));
  m.severity = r[0][1].c_str();
  m.severity_label = r[0][2].is_null() || std::string_view(r[0][2].c_str()).empty()
                         ? std::string(severity_label(m.severity))
                         : std::string(r[0][2].c_str());
  m.title = r[0][3].c_str();
  m.summary = r[0][4].c_str();
  m.occurred_at = r[0][5].c_str();
  m.first_step = r[0][6].is_null() ? std::string() : std::string(r[0][6].c_str());
  std::string base = public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  m.incident_url = base + "/incidents/" + std::to_string(incident_id);
  m.escalation_level = escalation_level;
  m.recipient_name = recipient;
  m.municipality = municipality;
  if (config != nullptr) {
    const auto town = config->municipalities.find(r[0][7].c_str());
    if (town != config->municipalities.end() && !town->second.name.empty())
      m.municipality = town->second.name;
  }
  return m;
}

std::vector<OutboxEntry> claim_due(pqxx::connection& c, int limit, std::chrono::seconds lease) {
  std::vector<OutboxEntry> out;
  pqxx::work tx(c);
  const pqxx::result r = tx.exec_params(
      "UPDATE alert_outbox SET state = 'sending', attempts = attempts + 1,"
      " lease_until = now() + make_interval(secs => $2)"
      " WHERE id IN (SELECT id FROM alert_outbox o WHERE next_attempt_at <= now()"
      "   AND (state = 'pending' OR (state = 'sending' AND lease_until < now()))"
      // An acknowledge or resolve waits for the alerts before it on the same channel: PagerDuty
      // must not see a resolve before the trigger it closes.
      "   AND (kind NOT IN ('acknowledge', 'resolve') OR NOT EXISTS (SELECT 1 FROM alert_outbox e"
      "        WHERE e.incident_id = o.incident_id AND e.channel = o.channel AND e.id < o.id"
      "          AND e.state IN ('pending', 'sending')))"
      "   ORDER BY next_attempt_at, id FOR UPDATE SKIP LOCKED LIMIT $1)"
      " RETURNING id, channel, message, attempts, extract(epoch FROM now() - created_at)::bigint,"
      " extract(epoch FROM clock_timestamp() - created_at)::float8,"
      " coalesce((SELECT i.municipality FROM incidents i WHERE i.id = alert_outbox.incident_id),"
      " 'default')",
      limit, static_cast<double>(lease.count()));
  tx.commit();
  for (const auto& row : r) {
    OutboxEntry e;
    e.id = row[0].as<long long>();
    e.channel = row[1].c_str();
    e.message = from_json(boost::json::parse(row[2].c_str()).as_object());
    e.message.alert_id = e.id;
    e.attempts = row[3].as<int>();
    e.age = std::chrono::seconds(row[4].as<long long>());
    e.age_at_claim = std::chrono::duration<double>(row[5].as<double>());
    e.municipality = row[6].c_str();
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(),
            [](const OutboxEntry& a, const OutboxEntry& b) { return a.id < b.id; });
  return out;
}

void mark_delivered(pqxx::connection& c, const OutboxEntry& e, const DeliveryResult& result) {
  pqxx::work tx(c);
  const pqxx::result r = tx.exec_params(
      "UPDATE alert_outbox SET state = 'delivered', delivered_at = now(), lease_until = NULL, "
      "last_error = ''"
      " WHERE id = $1 AND state <> 'delivered' RETURNING id",
      e.id);
  if (!r.empty()) {
    timeline(tx, e.message.incident_id,
             std::string(kind_label(e.message.kind)) + "を送信しました（" + e.channel +
                 (e.message.recipient_name.empty() ? "" : "、" + e.message.recipient_name) +
                 (e.message.kind == AlertKind::escalate
                      ? "、レベル " + std::to_string(e.message.escalation_level)
                      : "") +
                 "）",
             {{"channel", e.channel},
              {"alert_id", e.id},
              {"attempts", e.attempts},
              {"status", result.status}});
  }
  tx.commit();
}

std::chrono::milliseconds backoff_for(int attempts, double jitter01, std::chrono::milliseconds base,
                                      std::chrono::milliseconds max) {
  const double raw =
      static_cast<double>(base.count()) * std::pow(2.0, std::min(std::max(attempts - 1, 0), 16));
  const double capped = std::min(raw, static_cast<double>(max.count()));
  return std::chrono::milliseconds(static_cast<long long>(capped * (0.75 + 0.5 * jitter01)));
}

void mark_failed(pqxx::connection& c, const OutboxEntry& e, const DeliveryResult& result,
                 std::chrono::seconds give_up_after, double jitter01,
                 std::chrono::milliseconds backoff_base, std::chrono::milliseconds backoff_max) {
  pqxx::work tx(c);
  const bool give_up = !result.retryable || e.age >= give_up_after;
  if (give_up) {
    const pqxx::result r = tx.exec_params(
        "UPDATE alert_outbox SET state = 'failed', lease_until = NULL, last_error = $2 WHERE id = "
        "$1 AND state = 'sending' RETURNING id",
        e.id, result.detail);
    if (!r.empty()) {
      timeline(tx, e.message.incident_id,
               std::string(kind_label(e.message.kind)) + "の送信に失敗しました（" + e.channel +
                   "、" + std::to_string(e.attempts) + " 回試行）: " + result.detail,
               {{"channel", e.channel},
                {"alert_id", e.id},
                {"attempts", e.attempts},
                {"status", result.status},
                {"gave_up", true}});
    }
  } else {
    const auto wait = backoff_for(e.attempts, jitter01, backoff_base, backoff_max);
    tx.exec_params(
        "UPDATE alert_outbox SET state = 'pending', lease_until = NULL, last_error = $2,"
        " next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1 AND state = 'sending'",
        e.id, result.detail, static_cast<double>(wait.count()) / 1000.0);
  }
  tx.commit();
}

void release_leases(pqxx::connection& c) {
  pqxx::work tx(c);
  tx.exec("UPDATE alert_outbox SET state = 'pending', lease_until = NULL WHERE state = 'sending'");
  tx.commit();
}

}  // namespace mamori::alerts
