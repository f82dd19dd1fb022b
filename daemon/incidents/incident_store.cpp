#include "daemon/incidents/incident_store.h"

#include <sodium.h>

#include <array>
#include <cstdio>

namespace mamori::incidents {
namespace {

constexpr Status kAllStatuses[] = {Status::open,       Status::acknowledged, Status::mitigating,
                                   Status::monitoring, Status::resolved,     Status::closed};

std::string iso_time(model::TimePoint t) {
  const auto ms = t.time_since_epoch().count();
  return std::to_string(ms / 1000) + "." + std::to_string(1000 + ms % 1000).substr(1);
}

// A PostgreSQL array literal of text values, e.g. {"a","b \"c\""}; cast with ::text[].
std::string pg_text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char ch : items[i]) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    out += '"';
  }
  return out + "}";
}

std::string json_text(const boost::json::value& v) {
  return boost::json::serialize(v);
}

void timeline(pqxx::work& tx, long long id, const std::string& actor, std::string_view kind,
              const std::string& message, const boost::json::object& detail = {}) {
  tx.exec_params(
      "INSERT INTO incident_timeline (incident_id, actor, kind, message, detail)"
      " VALUES ($1, $2, $3, $4, $5::jsonb)",
      id, actor, std::string(kind), message, json_text(detail));
}

struct Current {
  Status status;
  model::Severity severity;
};

Current lock_incident(pqxx::work& tx, long long id) {
  const pqxx::result r =
      tx.exec_params("SELECT status, severity FROM incidents WHERE id = $1 FOR UPDATE", id);
  if (r.empty()) throw ActionError(404, "インシデント " + std::to_string(id) + " はありません");
  return {*status_from_string(r[0][0].c_str()), *model::severity_from_string(r[0][1].c_str())};
}

std::string_view status_label(Status s) {
  switch (s) {
    case Status::open:
      return "未対応";
    case Status::acknowledged:
      return "確認済み";
    case Status::mitigating:
      return "対応中";
    case Status::monitoring:
      return "経過観察";
    case Status::resolved:
      return "解決";
    case Status::closed:
      return "終了";
  }
  return "";
}

std::string_view severity_label_ja(model::Severity s) {
  switch (s) {
    case model::Severity::low:
      return "低";
    case model::Severity::medium:
      return "中";
    case model::Severity::high:
      return "高";
    case model::Severity::critical:
      return "緊急";
  }
  return "";
}

void insert_evidence(pqxx::work& tx, long long id, const EvidenceItem& e) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(e.content.data()),
                     e.content.size());
  tx.exec_params(
      "INSERT INTO evidence (incident_id, kind, description, source_url, content_type, content,"
      " sha256, captured_at) VALUES ($1, $2, $3, $4, $5, $6, $7, to_timestamp($8::double "
      "precision))",
      id, e.kind, e.description, e.source_url, e.content_type, pqxx::binarystring(e.content),
      pqxx::binarystring(digest.data(), digest.size()), iso_time(e.captured_at));
}

// The live (not resolved or closed) incident of `key`: its id and severity, or no row. Takes the
// key's lock first, so findings for one subject are recorded one at a time (concurrent identical
// findings queue here). Of `municipality` only when given: each town may have its own live
// incident about one subject (070_disposition_municipality.sql).
pqxx::result lock_live_incident(pqxx::work& tx, const std::string& key,
                                const std::string& municipality = {}) {
  tx.exec_params("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", key);
  return tx.exec_params(
      "SELECT id, severity FROM incidents WHERE dedup_key = $1 AND status NOT IN "
      "('resolved','closed') AND ($2 = '' OR municipality = $2) ORDER BY id LIMIT 1",
      key, municipality);
}

// The finding's own row (its reasons and detector evidence) under incident `id`.
void insert_finding(pqxx::work& tx, long long id, const model::Finding& f) {
  boost::json::array reasons;
  for (const auto& r : f.reasons) reasons.emplace_back(r);
  const boost::json::value evidence = f.evidence_json.empty()
                                          ? boost::json::value(boost::json::object())
                                          : boost::json::parse(f.evidence_json);
  tx.exec_params(
      "INSERT INTO incident_findings (incident_id, detected_at, score, severity, severity_label,"
      " reasons, evidence) VALUES ($1, to_timestamp($2::double precision), $3, $4, $5,"
      " ARRAY(SELECT jsonb_array_elements_text($6::jsonb)), $7::jsonb)",
      id, iso_time(f.detected_at), f.score, std::string(model::to_string(f.severity)),
      f.severity_label, json_text(reasons), json_text(evidence));
}

boost::json::value parse_json(const pqxx::field& f) {
  if (f.is_null()) return nullptr;
  return boost::json::parse(f.c_str());
}

}  // namespace

std::string_view to_string(Status s) {
  switch (s) {
    case Status::open:
      return "open";
    case Status::acknowledged:
      return "acknowledged";
    case Status::mitigating:
      return "mitigating";
    case Status::monitoring:
      return "monitoring";
    case Status::resolved:
      return "resolved";
    case Status::closed:
      return "closed";
  }
  return "open";
}

std::optional<Status> status_from_string(std::string_view s) {
  for (Status st : kAllStatuses) {
    if (to_string(st) == s) return st;
  }
  return std::nullopt;
}

bool transition_allowed(Status from, Status to) {
  if (from == to) return false;
  if (to == Status::open) return from == Status::resolved || from == Status::closed;  // reopen
  if (from == Status::closed) return false;  // only reopen leaves closed
  if (to == Status::closed) return from == Status::resolved;
  // Forward moves, skipping allowed; monitoring may go back to mitigating.
  if (from == Status::monitoring && to == Status::mitigating) return true;
  return static_cast<int>(to) > static_cast<int>(from);
}

std::string dedup_key(model::IncidentType type, std::string_view subject) {
  return std::string(model::to_string(type)) + ":" + std::string(subject);
}

bool append_finding_to_live(pqxx::connection& c, const model::Finding& f) {
  pqxx::work tx(c);
  const pqxx::result live = lock_live_incident(tx, dedup_key(f.type, f.subject));
  if (live.empty()) return false;
  const long long id = live[0][0].as<long long>();
  insert_finding(tx, id, f);
  tx.exec_params(
      "UPDATE incidents SET finding_count = finding_count + 1, updated_at = now() WHERE id = $1",
      id);
  tx.commit();
  return true;
}

void append_timeline(pqxx::work& tx, long long id, const std::string& actor, std::string_view kind,
                     const std::string& message, const boost::json::object& detail) {
  timeline(tx, id, actor, kind, message, detail);
  tx.exec_params("UPDATE incidents SET updated_at = now() WHERE id = $1", id);
}

EvidenceItem observation_evidence(std::string observation_json, model::TimePoint captured_at) {
  EvidenceItem item;
  item.kind = "observation";
  item.description = "検知時に取得したデータ";
  item.content_type = "application/json";
  item.content = std::move(observation_json);
  item.captured_at = captured_at;
  return item;
}

RecordResult record_finding(pqxx::connection& c, const model::Finding& f,
                            const std::vector<EvidenceItem>& evidence, const NewIncident& fresh,
                            std::chrono::hours reopen_window,
                            const TransactionHook& in_transaction) {
  const std::string key = dedup_key(f.type, f.subject);
  const std::string severity(model::to_string(f.severity));
  // The time of the record: the caller's clock, else the database's (see NewIncident::at).
  const std::string at = fresh.at ? iso_time(*fresh.at) : std::string();
  RecordResult result;
  pqxx::work tx(c);
  pqxx::result live = lock_live_incident(tx, key, fresh.municipality);
  if (live.empty()) {
    const pqxx::result recent = tx.exec_params(
        "SELECT id, severity FROM incidents WHERE dedup_key = $1 AND status = 'resolved'"
        " AND resolved_at > coalesce(to_timestamp(NULLIF($3, '')::double precision), now())"
        " - make_interval(hours => $2) AND ($4 = '' OR municipality = $4)"
        " ORDER BY resolved_at DESC LIMIT 1",
        key, static_cast<int>(reopen_window.count()), at, fresh.municipality);
    if (!recent.empty()) {
      result.incident_id = recent[0][0].as<long long>();
      result.reopened = true;
      tx.exec_params(
          // Escalation restarts from the reopening (deploy/sql/009_escalation_restart.sql).
          "UPDATE incidents SET status = 'open', resolved_at = NULL, updated_at = now(),"
          " escalation_started_at = coalesce(to_timestamp(NULLIF($2, '')::double precision),"
          " now()), escalation_index = -1 WHERE id = $1",
          result.incident_id, at);
      timeline(tx, result.incident_id, "system:detector", "status",
               "解決後に同じ対象で再び検知されたため、インシデントを再開しました",
               {{"from", "resolved"}, {"to", "open"}});
      live = recent;
    }
  }

  if (live.empty()) {
    const pqxx::result inserted = tx.exec_params(
        // The official account the incident concerns, taking the first that applies:
        // fresh.official_handle; the subject of a finding about one account (flame-up
        // "<platform>:account:<id>", compromise "<platform>:official:<handle>"); the account an
        // impersonation imitates (its evidence's matched_official). The incident belongs to its
        // municipality (unless fresh.municipality says otherwise) and remembers its department,
        // which alert routes look at.
        "WITH account AS (SELECT o.municipality, o.department FROM official_accounts o"
        "  WHERE o.platform = $4 AND (lower(o.handle) = lower(NULLIF($12, ''))"
        "    OR $2 IN (o.platform || ':account:' || o.handle,"
        "              o.platform || ':account:' || o.account_id,"
        "              o.platform || ':official:' || lower(o.handle))"
        "    OR lower(o.handle) = lower(CASE WHEN $11 = '' THEN NULL"
        "                               ELSE ($11::jsonb ->> 'matched_official') END))"
        "  ORDER BY CASE WHEN lower(o.handle) = lower(NULLIF($12, '')) THEN 0"
        "    WHEN $2 IN (o.platform || ':account:' || o.handle,"
        "                o.platform || ':account:' || o.account_id,"
        "                o.platform || ':official:' || lower(o.handle)) THEN 1 ELSE 2 END LIMIT 1)"
        " , opened AS (SELECT coalesce(to_timestamp(NULLIF($13, '')::double precision), now())"
        "  AS at)"
        " INSERT INTO incidents (type, subject, dedup_key, platform, title, summary, severity,"
        " severity_label, score, municipality, department, opened_at, escalation_started_at)"
        " SELECT $1, $2, $3, NULLIF($4, ''), $5,"
        " $6, $7, $8, $9::double precision, coalesce(NULLIF($10, ''), (SELECT municipality FROM "
        "account), 'default'),"
        " coalesce((SELECT department FROM account), ''), opened.at, opened.at FROM opened"
        " RETURNING id, municipality, (extract(epoch FROM opened_at) * 1000)::bigint",
        std::string(model::to_string(f.type)), f.subject, key,
        f.platform ? std::string(model::to_string(*f.platform)) : std::string(), fresh.title,
        fresh.summary, severity, f.severity_label, f.score, fresh.municipality, f.evidence_json,
        fresh.official_handle, at);
    result.incident_id = inserted[0][0].as<long long>();
    result.created = true;
    // The checklist of its municipality's playbooks when they differ from the instance's.
    const auto own = fresh.steps_by_municipality.find(inserted[0][1].c_str());
    const std::vector<StepPlan>& steps =
        own == fresh.steps_by_municipality.end() ? fresh.steps : own->second;
    int position = 0;
    for (const StepPlan& s : steps) {
      tx.exec_params(
          "INSERT INTO incident_steps (incident_id, step_id, position, title, instructions, role,"
          " mandatory, depends_on, clauses, auto_check, due_at)"
          " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[], $9::text[], NULLIF($10, '')::jsonb,"
          " CASE WHEN $11 < 0 THEN NULL ELSE to_timestamp($12::double precision / 1000)"
          " + make_interval(mins => $11) END)",
          result.incident_id, s.id, position++, s.title, s.instructions, s.role, s.mandatory,
          pg_text_array(s.depends_on), pg_text_array(s.clauses), s.auto_check_json.value_or(""),
          s.due_after_open ? static_cast<int>(s.due_after_open->count()) : -1,
          inserted[0][2].as<long long>());
    }
    timeline(tx, result.incident_id, "system:detector", "status",
             "インシデントを登録しました: " + fresh.title,
             {{"severity", severity}, {"steps", steps.size()}});
  } else {
    result.incident_id = live[0][0].as<long long>();
    const auto current = *model::severity_from_string(live[0][1].c_str());
    if (static_cast<int>(f.severity) > static_cast<int>(current)) {
      result.severity_raised = true;
      // The title and summary follow the finding that raised it: a flame-up opened as 警戒 and
      // now rated 炎上 must not keep saying 警戒 in the list staff read.
      tx.exec_params(
          "UPDATE incidents SET severity = $2, severity_label = $3, title = $4, summary = $5,"
          " updated_at = now() WHERE id = $1",
          result.incident_id, severity, f.severity_label, fresh.title, fresh.summary);
      timeline(tx, result.incident_id, "system:detector", "severity",
               "新たな検知により重大度を「" + std::string(severity_label_ja(current)) + "」から「" +
                   std::string(severity_label_ja(f.severity)) + "」に引き上げました",
               {{"from", std::string(model::to_string(current))}, {"to", severity}});
    }
  }

  insert_finding(tx, result.incident_id, f);
  tx.exec_params(
      "UPDATE incidents SET finding_count = finding_count + 1, score = greatest(score, $2),"
      " updated_at = now() WHERE id = $1",
      result.incident_id, f.score);
  for (const EvidenceItem& e : evidence) insert_evidence(tx, result.incident_id, e);
  std::string message = "検知: ";
  for (std::size_t i = 0; i < f.reasons.size() && i < 3; ++i) {
    message += (i > 0 ? " / " : "") + f.reasons[i];
  }
  timeline(tx, result.incident_id, "system:detector", "finding", message,
           {{"score", f.score}, {"evidence_items", evidence.size()}});
  if (in_transaction) in_transaction(tx, result);
  tx.commit();
  return result;
}

void change_status(pqxx::connection& c, long long id, Status to, const std::string& actor,
                   const std::string& note, const std::string& closure_reason,
                   const StatusHook& in_transaction) {
  pqxx::work tx(c);
  const Current cur = lock_incident(tx, id);
  if (!transition_allowed(cur.status, to)) {
    throw ActionError(409, "状態を「" + std::string(status_label(cur.status)) + "」から「" +
                               std::string(status_label(to)) + "」には変更できません");
  }
  if (to == Status::closed && closure_reason.empty()) {
    throw ActionError(400, "終了するには終了理由が必要です");
  }
  if (to == Status::resolved) {
    const pqxx::result open_steps = tx.exec_params(
        "SELECT count(*) FROM incident_steps WHERE incident_id = $1 AND mandatory AND status = "
        "'pending'",
        id);
    const long long pending = open_steps[0][0].as<long long>();
    if (pending > 0 && note.empty()) {
      throw ActionError(409, "必須の手順が " + std::to_string(pending) +
                                 " 件残っています。解決とする理由をメモに書いてください");
    }
  }
  tx.exec_params(
      "UPDATE incidents SET status = $2, updated_at = now(),"
      " acknowledged_at = CASE WHEN $2 <> 'open' THEN coalesce(acknowledged_at, now()) ELSE "
      "acknowledged_at END,"
      " resolved_at = CASE WHEN $2 IN ('resolved', 'closed') THEN coalesce(resolved_at, now())"
      "                    WHEN $2 = 'open' THEN NULL ELSE resolved_at END,"
      " closed_at = CASE WHEN $2 = 'closed' THEN now() WHEN $2 = 'open' THEN NULL ELSE closed_at "
      "END,"
      " closure_reason = CASE WHEN $2 = 'closed' THEN $3 WHEN $2 = 'open' THEN NULL ELSE "
      "closure_reason END"
      // A reopening restarts escalation from now (deploy/sql/009_escalation_restart.sql).
      ", escalation_started_at = CASE WHEN $2 = 'open' THEN now() ELSE escalation_started_at END,"
      " escalation_index = CASE WHEN $2 = 'open' THEN -1 ELSE escalation_index END"
      " WHERE id = $1",
      id, std::string(to_string(to)), closure_reason);
  std::string message = "状態を「" + std::string(status_label(cur.status)) + "」から「" +
                        std::string(status_label(to)) + "」に変更";
  if (!closure_reason.empty()) message += "（終了理由: " + closure_reason + "）";
  if (!note.empty()) message += "（メモ: " + note + "）";
  timeline(tx, id, actor, "status", message,
           {{"from", std::string(to_string(cur.status))}, {"to", std::string(to_string(to))}});
  if (in_transaction) in_transaction(tx, id, cur.status, to, actor);
  tx.commit();
}

void assign(pqxx::connection& c, long long id, const std::string& assignee,
            const std::string& actor) {
  pqxx::work tx(c);
  lock_incident(tx, id);
  tx.exec_params("UPDATE incidents SET assignee = NULLIF($2, ''), updated_at = now() WHERE id = $1",
                 id, assignee);
  timeline(
      tx, id, actor, "assign",
      assignee.empty() ? "担当者の割り当てを外しました" : "担当者を " + assignee + " にしました",
      {{"assignee", assignee}});
  tx.commit();
}

void change_severity(pqxx::connection& c, long long id, model::Severity severity,
                     const std::string& actor, const std::string& reason) {
  pqxx::work tx(c);
  const Current cur = lock_incident(tx, id);
  if (cur.severity == severity) throw ActionError(409, "重大度はすでにその値です");
  tx.exec_params("UPDATE incidents SET severity = $2, updated_at = now() WHERE id = $1", id,
                 std::string(model::to_string(severity)));
  timeline(tx, id, actor, "severity",
           "重大度を「" + std::string(severity_label_ja(cur.severity)) + "」から「" +
               std::string(severity_label_ja(severity)) + "」に変更" +
               (reason.empty() ? "" : "（理由: " + reason + "）"),
           {{"from", std::string(model::to_string(cur.severity))},
            {"to", std::string(model::to_string(severity))}});
  tx.commit();
}

void add_note(pqxx::connection& c, long long id, const std::string& actor,
              const std::string& text) {
  if (text.empty()) throw ActionError(400, "メモが空です");
  pqxx::work tx(c);
  lock_incident(tx, id);
  timeline(tx, id, actor, "note", text);
  tx.exec_params("UPDATE incidents SET updated_at = now() WHERE id = $1", id);
  tx.commit();
}

void complete_step(pqxx::connection& c, long long id, const std::string& step_id, bool skipped,
                   const std::string& actor, const std::string& note) {
  pqxx::work tx(c);
  const Current cur = lock_incident(tx, id);
  if (cur.status == Status::closed)
    throw ActionError(409, "終了したインシデントの手順は変更できません");
  const pqxx::result step = tx.exec_params(
      "SELECT title, status, mandatory, depends_on FROM incident_steps"
      " WHERE incident_id = $1 AND step_id = $2 FOR UPDATE",
      id, step_id);
  if (step.empty()) throw ActionError(404, "手順 " + step_id + " はありません");
  if (std::string_view(step[0][1].c_str()) != "pending") {
    throw ActionError(409, "手順「" + std::string(step[0][0].c_str()) + "」は完了済みです");
  }
  if (skipped && note.empty()) throw ActionError(400, "手順を省略する理由をメモに書いてください");
  const pqxx::result blockers = tx.exec_params(
      "SELECT string_agg(title, '、' ORDER BY position) FROM incident_steps"
      " WHERE incident_id = $1 AND status = 'pending'"
      " AND step_id = ANY ((SELECT depends_on FROM incident_steps WHERE incident_id = $1 AND "
      "step_id = $2)::text[])",
      id, step_id);
  if (!blockers[0][0].is_null()) {
    throw ActionError(409,
                      "先に次の手順を済ませてください: " + std::string(blockers[0][0].c_str()));
  }
  tx.exec_params(
      "UPDATE incident_steps SET status = $3, note = $4, completed_by = $5, completed_at = now()"
      " WHERE incident_id = $1 AND step_id = $2",
      id, step_id, skipped ? "skipped" : "done", note, actor);
  // The first staff action on an open incident acknowledges it.
  if (cur.status == Status::open && actor.rfind("system:", 0) != 0) {
    tx.exec_params(
        "UPDATE incidents SET status = 'acknowledged', acknowledged_at = coalesce(acknowledged_at, "
        "now())"
        " WHERE id = $1",
        id);
    timeline(tx, id, actor, "status", "手順の実施によりインシデントを確認済みにしました",
             {{"from", "open"}, {"to", "acknowledged"}});
  }
  tx.exec_params("UPDATE incidents SET updated_at = now() WHERE id = $1", id);
  timeline(tx, id, actor, "step",
           std::string(skipped ? "手順を省略: " : "手順を完了: ") + step[0][0].c_str() +
               (note.empty() ? "" : "（メモ: " + note + "）"),
           {{"step_id", step_id}, {"result", skipped ? "skipped" : "done"}});
  tx.commit();
}

int complete_automatic_checks(pqxx::connection& c, model::IncidentType type,
                              const std::string& subject, const std::string& check_kind,
                              const std::string& message) {
  pqxx::work tx(c);
  // Every town's live incident about the subject (each may have one): the fact checked is the
  // same for all.
  const pqxx::result inc = tx.exec_params(
      "SELECT id FROM incidents WHERE dedup_key = $1 AND status NOT IN ('resolved', 'closed')"
      " ORDER BY id FOR UPDATE",
      dedup_key(type, subject));
  int completed = 0;
  for (const auto& live : inc) {
    const long long id = live[0].as<long long>();
    const pqxx::result steps = tx.exec_params(
        "UPDATE incident_steps SET status = 'done', completed_by = 'system:check', completed_at = "
        "now(), note = $3"
        " WHERE incident_id = $1 AND status = 'pending' AND auto_check->>'kind' = $2 RETURNING "
        "title",
        id, check_kind, message);
    for (const auto& row : steps) {
      timeline(tx, id, "system:check", "check",
               "自動確認により手順を完了: " + std::string(row[0].c_str()) + "（" + message + "）",
               {{"check", check_kind}});
    }
    if (steps.empty()) timeline(tx, id, "system:check", "check", message, {{"check", check_kind}});
    tx.exec_params("UPDATE incidents SET updated_at = now() WHERE id = $1", id);
    completed += static_cast<int>(steps.size());
  }
  tx.commit();
  return completed;
}

boost::json::array list_incidents(pqxx::connection& c, const IncidentFilter& f) {
  pqxx::work tx(c);
  const pqxx::result r = tx.exec_params(
      "SELECT coalesce(json_agg(x ORDER BY x.opened_at DESC, x.id DESC), '[]') FROM ("
      " SELECT i.id, i.municipality, i.type, i.subject, i.platform, i.title, i.summary,"
      " i.severity, i.severity_label,"
      "  i.score, i.status, i.assignee, i.finding_count, i.opened_at, i.acknowledged_at,"
      "  i.resolved_at, i.closed_at, i.updated_at,"
      "  (SELECT count(*) FROM incident_steps s WHERE s.incident_id = i.id AND s.status = 'pending'"
      "    AND s.due_at < now()) AS overdue_steps,"
      "  (SELECT count(*) FROM incident_steps s WHERE s.incident_id = i.id AND s.status = "
      "'pending')"
      "    AS pending_steps"
      " FROM incidents i"
      " WHERE ($1 = '' OR i.type = $1) AND ($2 = '' OR i.status = $2)"
      "  AND ($3 = 0 OR CASE i.severity WHEN 'low' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3 "
      "ELSE 4 END >= $3)"
      "  AND (NOT $4 OR i.status NOT IN ('resolved', 'closed')) AND mamori_in_scope(i.municipality)"
      " ORDER BY i.opened_at DESC, i.id DESC LIMIT $5 OFFSET $6) x",
      f.type ? std::string(model::to_string(*f.type)) : std::string(),
      f.status ? std::string(to_string(*f.status)) : std::string(),
      f.min_severity ? static_cast<int>(*f.min_severity) : 0, f.live_only, f.limit, f.offset);
  return boost::json::parse(r[0][0].c_str()).as_array();
}

std::optional<boost::json::object> get_incident(pqxx::connection& c, long long id) {
  pqxx::work tx(c);
  const pqxx::result r = tx.exec_params(
      "SELECT row_to_json(i), steps.j, tl.j, ev.j, fi.j FROM (SELECT id, municipality, type, "
      "subject,"
      " platform, title, summary, severity,"
      " severity_label, score, status, assignee, finding_count, opened_at, acknowledged_at,"
      " resolved_at, closed_at, closure_reason, updated_at FROM incidents WHERE id = $1) i,"
      " (SELECT coalesce(json_agg(s ORDER BY s.position), '[]') AS j FROM (SELECT step_id AS id, "
      "title,"
      "   instructions, role, mandatory, depends_on, clauses, auto_check, due_at, status, note,"
      "   completed_by, completed_at, (status = 'pending' AND due_at < now()) AS overdue, position"
      "   FROM incident_steps WHERE incident_id = $1) s) steps,"
      " (SELECT coalesce(json_agg(t ORDER BY t.id), '[]') AS j FROM (SELECT id, at, actor, kind, "
      "message, detail"
      "   FROM incident_timeline WHERE incident_id = $1) t) tl,"
      " (SELECT coalesce(json_agg(e ORDER BY e.id), '[]') AS j FROM (SELECT id, kind, description, "
      "source_url,"
      "   content_type, length(content) AS bytes, encode(sha256, 'hex') AS sha256, captured_at"
      "   FROM evidence WHERE incident_id = $1) e) ev,"
      " (SELECT coalesce(json_agg(f ORDER BY f.id), '[]') AS j FROM (SELECT id, detected_at, "
      "score, severity,"
      "   severity_label, reasons, evidence FROM incident_findings WHERE incident_id = $1) f) fi",
      id);
  if (r.empty()) return std::nullopt;
  boost::json::object o = boost::json::parse(r[0][0].c_str()).as_object();
  o["steps"] = parse_json(r[0][1]);
  o["timeline"] = parse_json(r[0][2]);
  o["evidence"] = parse_json(r[0][3]);
  o["findings"] = parse_json(r[0][4]);
  return o;
}

std::optional<boost::json::object> evidence_bundle(pqxx::connection& c, long long id) {
  auto incident = get_incident(c, id);
  if (!incident) return std::nullopt;
  pqxx::work tx(c);
  const pqxx::result r = tx.exec_params(
      "SELECT coalesce(json_agg(e ORDER BY e.id), '[]') FROM (SELECT id, kind, description, "
      "source_url,"
      " content_type, encode(content, 'base64') AS content_base64, encode(sha256, 'hex') AS sha256,"
      " captured_at FROM evidence WHERE incident_id = $1) e",
      id);
  boost::json::array items = boost::json::parse(r[0][0].c_str()).as_array();
  // encode(…, 'base64') wraps lines at 76 characters; a bundle carries it unwrapped.
  for (auto& item : items) {
    auto& obj = item.as_object();
    std::string b64(obj["content_base64"].as_string().c_str());
    std::erase(b64, '\n');
    obj["content_base64"] = b64;
  }
  boost::json::object bundle;
  bundle["format"] = "mamori-evidence-bundle/1";
  bundle["generated_at"] =
      tx.exec1("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")[0]
          .c_str();
  (*incident)["evidence"] = std::move(items);
  bundle["incident"] = std::move(*incident);
  return bundle;
}

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size());
  std::string out;
  char buf[3];
  for (unsigned char b : digest) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    out += buf;
  }
  return out;
}

}  // namespace mamori::incidents
