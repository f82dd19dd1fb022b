#include "daemon/detection/manual_report.h"

#include <boost/json.hpp>

#include "collectors/http/host_allow_list.h"
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

std::optional<model::Platform> platform_of_url(const std::string& subject) {
  const auto url = collectors::parse_http_url(subject);
  if (!url) return std::nullopt;
  std::string host = model::ascii_lower(url->host);
  if (host.rfind("www.", 0) == 0) host.erase(0, 4);
  if (host == "x.com" || host == "twitter.com" || host == "mobile.twitter.com")
    return model::Platform::x;
  if (host == "bsky.app") return model::Platform::bluesky;
  return std::nullopt;
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
                                             const std::string& actor, model::TimePoint now) {
  const std::string label(playbooks::incident_type_label(r.type));
  model::Finding f;
  f.type = r.type;
  // One live incident per reported subject and type: the same URL reported twice adds to it.
  f.subject = "manual:" + r.subject;
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
