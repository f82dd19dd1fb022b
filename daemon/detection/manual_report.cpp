#include "daemon/detection/manual_report.h"

#include <boost/json.hpp>

#include "daemon/incidents/erroneous_posts.h"
#include "daemon/incidents/subject_ref.h"
#include "daemon/store/own_posts.h"
#include "model/text.h"
#include "playbooks/engine/incident_data.h"

namespace mamori::detection {
namespace {

bool valid_utf8_text(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80           ? 1
                    : (c >> 5) == 0x6  ? 2
                    : (c >> 4) == 0xE  ? 3
                    : (c >> 3) == 0x1E ? 4
                                       : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    if (n == 1 && c < 0x20 && c != '\n' && c != '\r' && c != '\t') return false;
    i += n;
  }
  return true;
}

std::string trimmed(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

// The first `bytes` bytes of `s`, cut on a character boundary.
std::string excerpt(const std::string& s, std::size_t bytes) {
  if (s.size() <= bytes) return s;
  std::size_t end = bytes;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end) + "…";
}

}  // namespace

std::optional<std::string> detected_subject_for(pqxx::connection& c, model::IncidentType type,
                                                const incidents::SubjectRef& ref) {
  if (ref.handle.empty() && ref.post_id.empty()) return std::nullopt;
  const std::string platform(model::to_string(ref.platform));
  pqxx::nontransaction tx(c);
  // The subjects detectors give: a post "<platform>:post:<id>"; an account "<platform>:<id>"
  // (impersonation), "<platform>:account:<id>" (an official account's flame-up), or
  // "<platform>:<handle>" before its id was known.
  const pqxx::result r = tx.exec_params(
      "WITH ids AS ("
      "  SELECT account_id FROM observed_profiles WHERE platform = $2 AND lower(handle) = lower($3)"
      "  UNION SELECT account_id FROM official_accounts WHERE platform = $2"
      "    AND lower(handle) = lower($3) AND account_id IS NOT NULL)"
      " SELECT subject FROM incidents WHERE type = $1 AND status NOT IN ('resolved', 'closed')"
      "  AND subject NOT LIKE 'manual:%' AND (CASE WHEN $4 <> '' THEN subject = $2 || ':post:' || "
      "$4"
      "   ELSE (subject = $2 || ':' || lower($3)"
      "     OR subject IN (SELECT $2 || ':' || account_id FROM ids)"
      "     OR subject IN (SELECT $2 || ':account:' || account_id FROM ids)) END)"
      " ORDER BY id DESC LIMIT 1",
      std::string(model::to_string(type)), platform, ref.handle, ref.post_id);
  if (r.empty()) return std::nullopt;
  return std::string(r[0][0].c_str());
}

std::optional<std::string> reported_subject_for(pqxx::connection& c, model::IncidentType type,
                                                model::Platform platform, std::string_view handle,
                                                std::string_view mastodon_instance) {
  if (handle.empty()) return std::nullopt;
  pqxx::nontransaction tx(c);
  const pqxx::result r = tx.exec_params(
      "SELECT subject, coalesce(platform, '') FROM incidents WHERE type = $1"
      " AND status NOT IN ('resolved', 'closed') AND subject LIKE 'manual:%' ORDER BY id DESC",
      std::string(model::to_string(type)));
  for (const auto& row : r) {
    const auto ref =
        incidents::resolve_manual_subject(row[0].c_str(), row[1].c_str(), mastodon_instance);
    if (ref && ref->platform == platform && ref->post_id.empty() &&
        model::iequals_ascii(ref->handle, handle)) {
      return std::string(row[0].c_str());
    }
  }
  return std::nullopt;
}

boost::json::array checks_json(const std::vector<ManualCheck>& checks) {
  boost::json::array out;
  for (const auto& k : checks) {
    out.push_back(boost::json::object{{"step_id", k.step_id},
                                      {"title", k.title},
                                      {"kind", k.kind},
                                      {"automatic", k.automatic},
                                      {"explanation", k.explanation}});
  }
  return out;
}

std::optional<model::Platform> platform_of_url(const std::string& subject) {
  if (subject.find("://") == std::string::npos) return std::nullopt;
  const auto ref = incidents::resolve_subject(subject, std::nullopt, "");
  if (!ref) return std::nullopt;
  return ref->platform;
}

std::vector<ManualCheck> manual_checks(const ManualReport& r,
                                       const std::vector<incidents::StepPlan>& steps,
                                       bool own_post_tracked) {
  const auto ref = incidents::resolve_subject(r.subject, r.platform, "");
  std::vector<ManualCheck> out;
  for (const auto& s : steps) {
    if (!s.auto_check_json) continue;
    std::string kind;
    try {
      const auto v = boost::json::parse(*s.auto_check_json);
      if (const auto* k = v.as_object().if_contains("kind"); k && k->is_string())
        kind = std::string(k->as_string());
    } catch (const std::exception&) {
      continue;
    }
    ManualCheck c;
    c.step_id = s.id;
    c.title = s.title;
    c.kind = kind;
    if (kind == "subject_gone") {
      if (r.type == model::IncidentType::erroneous_post) {
        c.automatic = own_post_tracked;
        c.explanation =
            own_post_tracked
                ? "公式アカウントの投稿 " + ref->post_id + "（" +
                      std::string(model::display_name(ref->platform)) +
                      "）を追跡し、削除されたら自動で完了します"
                : "対象を mamori が取得済みの公式アカウントの投稿として特定できないため、"
                  "自動では確認しません。削除を確かめたら手順を完了にしてください";
      } else if (ref && !ref->handle.empty()) {
        c.automatic = true;
        c.explanation = "アカウント @" + ref->handle + "（" +
                        std::string(model::display_name(ref->platform)) +
                        "）を定期的に照会し、削除・凍結されたら自動で完了します";
      } else {
        c.explanation =
            "対象をプラットフォームのアカウントとして特定できないため、自動では確認しません"
            "（URL かプラットフォームと @ハンドルで登録すると自動確認になります）。"
            "削除・凍結を確かめたら手順を完了にしてください";
      }
    } else if (kind == "rate_back_to_baseline") {
      if (r.type == model::IncidentType::flameup && ref && !ref->handle.empty()) {
        c.automatic = true;
        c.explanation = "公式アカウント @" + ref->handle +
                        " への返信の件数を監視し、平常に戻ったら自動で完了します"
                        "（監視している公式アカウントの場合）";
      } else {
        c.explanation =
            "手動で登録したインシデントは検知器の監視対象と結び付かないため、自動では確認しませ"
            "ん。落ち着いたことを確かめたら手順を完了にしてください";
      }
    } else {
      continue;  // official_post_since_open, homepage_contains, elapsed: as for any incident
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::optional<std::string> check_report(ManualReport& r) {
  r.subject = trimmed(r.subject);
  r.summary = trimmed(r.summary);
  if (r.subject.empty()) return "subject（対象: URL・アカウント名など）を入力してください";
  if (r.subject.size() > kMaxSubjectBytes || !valid_utf8_text(r.subject) ||
      r.subject.find('\n') != std::string::npos)
    return "subject（対象）は 1 行、" + std::to_string(kMaxSubjectBytes) +
           " バイト以内の文字列にしてください";
  if (r.summary.empty()) return "summary（概要: 何が起きたか）を入力してください";
  if (r.summary.size() > kMaxSummaryBytes || !valid_utf8_text(r.summary))
    return "summary（概要）は " + std::to_string(kMaxSummaryBytes) + " バイト以内にしてください";
  if (r.type == model::IncidentType::account_change)
    return "アカウントの変更・廃止は「アカウントの変更・廃止を予定する」から登録してください";
  if (r.evidence) {
    if (r.evidence->content.empty()) return "証拠のファイルが空です";
    if (r.evidence->content.size() > kMaxEvidenceBytes)
      return "証拠のファイルは " + std::to_string(kMaxEvidenceBytes / 1024) +
             " KB 以内にしてください";
    r.evidence->filename = trimmed(r.evidence->filename);
    if (r.evidence->filename.size() > 255 || !valid_utf8_text(r.evidence->filename) ||
        r.evidence->filename.find('\n') != std::string::npos)
      return "証拠のファイル名が正しくありません";
    if (r.evidence->content_type.empty() || r.evidence->content_type.size() > 100 ||
        !valid_utf8_text(r.evidence->content_type))
      r.evidence->content_type = "application/octet-stream";
  }
  if (!r.platform) r.platform = platform_of_url(r.subject);
  return std::nullopt;
}

incidents::RecordResult record_manual_report(pqxx::connection& c, const ManualReport& r,
                                             const std::vector<incidents::StepPlan>& steps,
                                             const alerts::AlertContext& context,
                                             const std::string& actor, model::TimePoint now,
                                             std::vector<ManualCheck>* checks_out) {
  const std::string label(playbooks::incident_type_label(r.type));
  model::Finding f;
  f.type = r.type;
  // One live incident per reported subject and type: the same URL reported twice adds to it.
  f.subject = "manual:" + r.subject;
  // An own post mamori stored: the same incident as flagging it on 「誤った投稿を登録する」
  // (POST /api/v1/posts/erroneous), so the integrity monitor follows its deletion and spread.
  std::optional<store::OwnPost> own;
  const auto ref = incidents::resolve_subject(r.subject, r.platform, "");
  if (r.type == model::IncidentType::erroneous_post && ref && !ref->post_id.empty()) {
    own = store::find_own_post(c, ref->platform, ref->post_id);
    if (own) f.subject = std::string(model::to_string(ref->platform)) + ":post:" + ref->post_id;
  } else if (ref) {
    // The account or post a detector already opened an incident of this type about: the report
    // is added to it (who and what, on its timeline) rather than opened beside it.
    if (auto detected = detected_subject_for(c, r.type, *ref)) {
      f.subject = std::move(*detected);
    } else if (ref->post_id.empty()) {
      // Reported by hand before, written differently (a URL then, @Handle now): the same one.
      if (auto reported = reported_subject_for(c, r.type, ref->platform, ref->handle, ""))
        f.subject = std::move(*reported);
    }
  }
  const auto checks = manual_checks(r, steps, own.has_value());
  if (checks_out != nullptr) *checks_out = checks;
  f.platform = r.platform;
  f.score = 1.0;
  f.severity = r.severity;
  f.severity_label = std::string(playbooks::severity_display_label(r.severity));
  f.detected_at = now;
  f.reasons.push_back(actor + " さんが手動で登録しました（" + label +
                      "）: " + excerpt(r.summary, 600));
  f.reasons.push_back("対象: " + r.subject);
  boost::json::object detail{
      {"kind", "manual"}, {"reported_by", actor}, {"subject", r.subject}, {"summary", r.summary}};
  if (r.evidence) detail["evidence_filename"] = r.evidence->filename;
  f.evidence_json = boost::json::serialize(detail);

  incidents::NewIncident fresh;
  fresh.title = label + "（手動登録）: " + excerpt(r.subject, 120);
  fresh.summary = excerpt(r.summary, 300);
  fresh.steps = steps;
  fresh.municipality = r.municipality;

  std::vector<incidents::EvidenceItem> evidence;
  if (r.evidence) {
    incidents::EvidenceItem e;
    e.kind = "upload";
    e.description = "登録時に添付されたファイル「" + r.evidence->filename + "」（" + actor + "）";
    e.source_url = platform_of_url(r.subject) || r.subject.rfind("http", 0) == 0 ? r.subject : "";
    e.content_type = r.evidence->content_type;
    e.content = r.evidence->content;
    e.captured_at = now;
    evidence.push_back(std::move(e));
  }
  return alerts::record_finding(
      c, f, evidence, fresh, context, [&](pqxx::work& tx, const incidents::RecordResult& res) {
        if (own) {
          incidents::track_erroneous_post(tx, res.incident_id, *own, excerpt(r.summary, 600),
                                          actor);
        }
        if (res.created && !checks.empty()) {
          std::string message = "自動確認について:";
          for (const auto& k : checks) message += "\n・「" + k.title + "」: " + k.explanation;
          tx.exec_params(
              "INSERT INTO incident_timeline (incident_id, actor, kind, message, detail)"
              " VALUES ($1, 'system:check', 'note', $2, $3::jsonb)",
              res.incident_id, message,
              boost::json::serialize(boost::json::object{{"manual_checks", checks_json(checks)}}));
        }
        tx.exec_params(
            "INSERT INTO incident_timeline (incident_id, actor, kind, message, detail)"
            " VALUES ($1, $2, 'note', $3, $4::jsonb)",
            res.incident_id, actor,
            std::string(res.created ? "手動でインシデントを登録しました"
                                    : "手動で登録された報告を追加しました") +
                "（対象: " + excerpt(r.subject, 200) + "）",
            boost::json::serialize(boost::json::object{{"manual", true}}));
      });
}

}  // namespace mamori::detection
