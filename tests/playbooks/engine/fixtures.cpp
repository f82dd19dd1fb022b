#include "tests/playbooks/engine/fixtures.h"

#include <algorithm>

#include "model/finding.h"

namespace mamori::playbooks::testing {

TimePoint sample_time() {
  // 2025-11-25T05:05:00Z = 14:05 JST.
  using namespace std::chrono;
  return time_point_cast<milliseconds>(sys_days(year(2025) / 11 / 25) + hours(5) + minutes(5));
}

IncidentData sample_incident(IncidentType type, Platform platform) {
  using namespace std::chrono;
  IncidentData d;
  d.type = type;
  d.platform = platform;
  d.severity = Severity::high;
  d.incident_id = "42";
  d.incident_url = "http://127.0.0.1:8473/incidents/42";
  d.municipality = "相馬市";
  d.municipality_romaji = "Soma City";
  d.homepage_url = "https://www.city.soma.fukushima.jp/";
  d.official_account_list_url = "https://www.city.soma.fukushima.jp/sns/accounts.html";
  d.department = "秘書広報課";
  d.contact_phone = "0244-37-2111";
  d.contact_email = "koho@city.soma.example.jp";
  d.reporter_name = "相馬 太郎";
  d.reporter_title = "主査";
  switch (platform) {
    case Platform::x:
      d.official_handle = "soma_city";
      d.official_url = "https://x.com/soma_city";
      d.impersonator_handle = "soma__city";
      d.impersonator_url = "https://x.com/soma__city";
      break;
    case Platform::bluesky:
      d.official_handle = "city.soma.fukushima.jp";
      d.official_url = "https://bsky.app/profile/city.soma.fukushima.jp";
      d.impersonator_handle = "soma-city-official.bsky.social";
      d.impersonator_url = "https://bsky.app/profile/soma-city-official.bsky.social";
      break;
    case Platform::mastodon:
      d.official_handle = "soma_city@mastodon.example.jp";
      d.official_url = "https://mastodon.example.jp/@soma_city";
      d.impersonator_handle = "soma_city_jp@mstdn.example.net";
      d.impersonator_url = "https://mstdn.example.net/@soma_city_jp";
      break;
    case Platform::facebook:
      d.official_handle = "soma_city";
      d.official_url = "https://www.facebook.com/soma_city";
      d.impersonator_handle = "soma__city";
      d.impersonator_url = "https://www.facebook.com/soma__city";
      break;
    case Platform::instagram:
      d.official_handle = "soma_city";
      d.official_url = "https://www.instagram.com/soma_city";
      d.impersonator_handle = "soma__city";
      d.impersonator_url = "https://www.instagram.com/soma__city";
      break;
    case Platform::youtube:
      d.official_handle = "soma_city";
      d.official_url = "https://www.youtube.com/@soma_city";
      d.impersonator_handle = "soma__city";
      d.impersonator_url = "https://www.youtube.com/@soma__city";
      break;
  }
  d.impersonator_display_name = "相馬市【公式】";
  d.copied_elements = {"表示名（相馬市【公式】）", "プロフィール画像（市章）", "自己紹介文"};
  d.detected_at = sample_time();
  d.opened_at = sample_time();
  d.document_date = sample_time() + hours(24);
  d.posted_at = sample_time() - hours(3);
  d.post_url = d.official_url + "/status/1";
  d.post_text = "11月30日（日）の市民健康まつりは中止します。";
  d.evidence = {{"成りすましアカウントのプロフィール", d.impersonator_url, sample_time(),
                 "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}};
  d.actions_taken = {{sample_time() + minutes(20), "運営会社へ報告を送信"}};
  switch (type) {
    case IncidentType::impersonation:
      d.summary =
          "公式アカウントと同じ表示名と市章の画像を使ったアカウントが、給付金の案内を装ったリンクを"
          "投稿しています。";
      break;
    case IncidentType::flameup:
      d.summary = "11月22日の投稿の表現について、批判の返信が急増しています。";
      d.correction_text = "健康まつりは予定どおり開催します。";
      d.next_update = "本日17時頃";
      break;
    case IncidentType::misinformation:
      d.summary = "給付金の申請に手数料が必要とする誤った情報が返信で広がっています。";
      d.correction_text = "給付金の申請に手数料はかかりません。";
      break;
    case IncidentType::account_compromise:
      d.summary = "公式アカウントから、市が作成していない投稿が3件発信されました。";
      break;
    case IncidentType::erroneous_post:
      d.summary = "健康まつりの開催日を誤って投稿しました。";
      d.correction_text = "健康まつりは11月30日（日）に予定どおり開催します。";
      break;
    case IncidentType::threat:
      d.summary = "市役所への危害を予告する返信がありました。";
      d.post_text = "明日、市役所に行って職員に危害を加える。";
      d.police_station = "相馬警察署 生活安全課";
      break;
    case IncidentType::account_change:
      d.summary = "X の公式アカウント @soma_city を2026年4月1日に廃止します。";
      break;
  }
  return d;
}

namespace {

std::string one_step(const std::string& type) {
  return "type = \"" + type +
         "\"\n"
         "title = \"テスト\"\n"
         "[[steps]]\n"
         "id = \"first\"\n"
         "title = \"最初の手順\"\n"
         "role = \"当番\"\n"
         "due = \"open+30m\"\n"
         "clauses = [\"soma-city.txt 第7-2\"]\n"
         "instructions = \"やること\"\n";
}

void put(std::vector<SourceFile>& files, const std::string& name, const std::string& text) {
  const auto it =
      std::find_if(files.begin(), files.end(), [&](const SourceFile& f) { return f.name == name; });
  if (it != files.end()) {
    it->text = text;
  } else {
    files.push_back({name, text});
  }
}

}  // namespace

PlaybookSources minimal_sources() {
  PlaybookSources s;
  s.directory = "pb";
  for (const model::IncidentType t : model::kIncidentTypes) {
    const std::string type(model::to_string(t));
    s.playbooks.push_back({"pb/" + type + ".toml", one_step(type)});
  }
  s.templates.push_back({"pb/templates/notice.toml",
                         "title = \"お知らせ\"\nbody = \"{{municipality}}からのお知らせ\"\n"});
  return s;
}

void put_playbook(PlaybookSources& sources, const std::string& name, const std::string& text) {
  put(sources.playbooks, name, text);
}

void put_template(PlaybookSources& sources, const std::string& name, const std::string& text) {
  put(sources.templates, name, text);
}

const Diagnostic* find_code(const LoadResult& r, DiagnosticCode code) {
  for (const auto& d : r.diagnostics) {
    if (d.code == code) return &d;
  }
  return nullptr;
}

}  // namespace mamori::playbooks::testing
