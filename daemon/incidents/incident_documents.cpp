#include "daemon/incidents/incident_documents.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "daemon/incidents/incident_store.h"
#include "playbooks/engine/documents.h"

namespace mamori::incidents {
namespace {

namespace json = boost::json;

// Epoch milliseconds as SQL selects them (NULL -> nullopt).
std::optional<model::TimePoint> time_of(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return model::TimePoint(std::chrono::milliseconds(f.as<long long>()));
}

const json::value* member(const json::value& v, std::string_view key) {
  if (!v.is_object()) return nullptr;
  return v.as_object().if_contains(key);
}

std::string string_at(const json::value& v, std::string_view key) {
  const json::value* m = member(v, key);
  return m != nullptr && m->is_string() ? std::string(m->as_string()) : std::string();
}

double number_at(const json::value& v, std::string_view key, double fallback) {
  const json::value* m = member(v, key);
  if (m == nullptr) return fallback;
  if (m->is_double()) return m->as_double();
  if (m->is_int64()) return static_cast<double>(m->as_int64());
  if (m->is_uint64()) return static_cast<double>(m->as_uint64());
  return fallback;
}

json::value parse_or_null(const pqxx::field& f) {
  if (f.is_null()) return nullptr;
  boost::system::error_code ec;
  json::value v = json::parse(f.c_str(), ec);
  return ec ? json::value(nullptr) : v;
}

// Handles come from platforms (untrusted): only the characters real handles use may go into a
// URL, so a crafted handle cannot turn the link into something else.
bool plain_handle(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  return std::all_of(h.begin(), h.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return std::isalnum(c) != 0 || c == '_' || c == '.' || c == '-' || c == ':';
  });
}

bool all_digits(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

// What staff do about a render error caused by the configuration.
std::string with_hint(const std::string& error) {
  if (error.rfind("department:", 0) == 0 || error.rfind("municipality:", 0) == 0 ||
      error.rfind("homepage_url:", 0) == 0) {
    return error + "（設定ファイルの [municipality] を確認してください）";
  }
  return error;
}

std::string strip_at(std::string_view h) {
  while (!h.empty() && h.front() == '@') h.remove_prefix(1);
  return std::string(h);
}

std::string trim_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// A post's public URL where the platform's scheme is known.
std::string post_url(model::Platform platform, const std::string& handle,
                     const std::string& post_id, std::string_view mastodon_instance) {
  if (post_id.empty()) return {};
  switch (platform) {
    case model::Platform::x:
      if (!plain_handle(handle) || !all_digits(post_id)) return {};
      return "https://x.com/" + handle + "/status/" + post_id;
    case model::Platform::bluesky: {
      // at://did:plc:…/app.bsky.feed.post/<rkey>
      constexpr std::string_view kPrefix = "at://";
      constexpr std::string_view kCollection = "/app.bsky.feed.post/";
      if (post_id.rfind(kPrefix, 0) != 0) return {};
      const auto slash = post_id.find(kCollection);
      if (slash == std::string::npos) return {};
      const std::string did = post_id.substr(kPrefix.size(), slash - kPrefix.size());
      const std::string rkey = post_id.substr(slash + kCollection.size());
      if (!plain_handle(did) || !plain_handle(rkey)) return {};
      return "https://bsky.app/profile/" + did + "/post/" + rkey;
    }
    case model::Platform::mastodon: {
      const std::string profile = profile_url(platform, handle, mastodon_instance);
      if (profile.empty() || !all_digits(post_id)) return {};
      return profile + "/" + post_id;
    }
    case model::Platform::facebook:
    case model::Platform::instagram:
    case model::Platform::youtube:
      return {};  // their post ids do not spell the public URL (permalinks come with the post)
  }
  return {};
}

// What of the real account the impersonator copies, in the words a platform's form uses,
// read from the detector's components (detectors/impersonation/detector.cpp to_finding).
std::vector<std::string> copied_elements(const json::value& evidence) {
  std::vector<std::string> out;
  const json::value* comp = member(evidence, "components");
  if (comp == nullptr) return out;
  const std::string name = string_at(*comp, "name_relation");
  if (!name.empty() && name != "unrelated") out.emplace_back("表示名（自治体名）");
  const std::string handle = string_at(*comp, "handle_relation");
  if (!handle.empty() && handle != "unrelated")
    out.emplace_back("ユーザー名（公式アカウントに似せた文字列）");
  // Luma pHash (whole icon or a crop), or the hue-invariant one for a recoloured copy.
  if (number_at(*comp, "avatar_phash_distance", 64) <= 12 ||
      number_at(*comp, "avatar_crop_distance", 64) <= 12 ||
      number_at(*comp, "avatar_value_phash_distance", 64) <= 8 ||
      number_at(*comp, "avatar_value_crop_distance", 64) <= 6) {
    out.emplace_back("プロフィール画像（公式アカウントのアイコン）");
  }
  if (number_at(*comp, "description_similarity", 0) >= 0.5) out.emplace_back("自己紹介文");
  if (number_at(*comp, "url_evidence", 0) > 0)
    out.emplace_back("ウェブサイト欄の公式ホームページのURL");
  return out;
}

struct OfficialRow {
  std::string handle;
  std::string department;
};

// The official account an incident concerns: named by the finding (impersonation's
// matched_official) or by the subject (flame-up's "<platform>:account:<id>").
std::optional<OfficialRow> find_official(pqxx::work& tx, const std::string& platform,
                                         const std::string& ref) {
  if (platform.empty() || ref.empty()) return std::nullopt;
  const pqxx::result r = tx.exec_params(
      "SELECT handle, department FROM official_accounts WHERE platform = $1"
      " AND (account_id = $2 OR lower(handle) = lower($2)) ORDER BY active DESC LIMIT 1",
      platform, strip_at(ref));
  if (r.empty()) return std::nullopt;
  return OfficialRow{r[0][0].c_str(), r[0][1].c_str()};
}

}  // namespace

std::string profile_url(model::Platform platform, std::string_view handle_in,
                        std::string_view mastodon_instance) {
  const std::string handle = strip_at(handle_in);
  const auto at = handle.find('@');
  if (at != std::string::npos) {
    // user@other.instance (Mastodon only) lives on its own server.
    if (platform != model::Platform::mastodon || !plain_handle(handle.substr(0, at)) ||
        !plain_handle(handle.substr(at + 1))) {
      return {};
    }
    return "https://" + handle.substr(at + 1) + "/@" + handle.substr(0, at);
  }
  if (!plain_handle(handle)) return {};
  switch (platform) {
    case model::Platform::x:
      return "https://x.com/" + handle;
    case model::Platform::bluesky:
      return "https://bsky.app/profile/" + handle;
    case model::Platform::mastodon: {
      const std::string base = trim_slash(std::string(mastodon_instance));
      if (base.rfind("https://", 0) != 0 && base.rfind("http://", 0) != 0) return {};
      return base + "/@" + handle;
    }
    case model::Platform::facebook:
      return "https://www.facebook.com/" + handle;
    case model::Platform::instagram:
      return "https://www.instagram.com/" + handle;
    case model::Platform::youtube:
      return "https://www.youtube.com/@" + handle;
  }
  return {};
}

void fill_from_config(playbooks::IncidentData& d, const config::Config& config,
                      std::string_view municipality) {
  const auto& m = config.tenant(municipality);
  d.municipality = m.name;
  d.municipality_romaji = m.name_romaji;
  d.homepage_url = m.homepage_url;
  d.official_account_list_url = m.official_account_list_url;
  d.notice_url = m.notice_url;
  d.department = m.department;
  d.contact_phone = m.contact_phone;
  d.contact_email = m.contact_email;
  d.police_station = m.police_station;
  d.date_style =
      m.date_style == "western" ? playbooks::DateStyle::western : playbooks::DateStyle::reiwa;
}

std::optional<playbooks::IncidentData> load_incident_data(pqxx::connection& c, long long id,
                                                          const config::Config& config,
                                                          model::TimePoint now) {
  pqxx::work tx(c);
  const pqxx::result inc = tx.exec_params(
      "SELECT type, subject, coalesce(platform, ''), summary, severity, severity_label,"
      " (extract(epoch FROM opened_at) * 1000)::bigint,"
      " (SELECT (extract(epoch FROM min(detected_at)) * 1000)::bigint FROM incident_findings WHERE "
      "incident_id = $1),"
      " (SELECT evidence FROM incident_findings WHERE incident_id = $1 ORDER BY id DESC LIMIT 1),"
      " municipality FROM incidents WHERE id = $1",
      id);
  if (inc.empty()) return std::nullopt;
  const auto row = inc[0];
  playbooks::IncidentData d;
  const std::string municipality = row[9].c_str();
  fill_from_config(d, config, municipality);
  const std::string subject = row[1].c_str();
  const std::string platform_name = row[2].c_str();
  d.type =
      model::incident_type_from_string(row[0].c_str()).value_or(model::IncidentType::impersonation);
  d.platform = model::platform_from_string(platform_name).value_or(model::Platform::x);
  d.summary = row[3].c_str();
  d.severity = model::severity_from_string(row[4].c_str()).value_or(model::Severity::medium);
  d.severity_label = row[5].c_str();
  d.opened_at = time_of(row[6]);
  d.detected_at = time_of(row[7]).value_or(d.opened_at.value_or(now));
  d.document_date = now;
  d.incident_id = std::to_string(id);
  d.incident_url = trim_slash(config.server.public_url) + "/incidents/" + d.incident_id;
  const std::string mastodon = config.platforms.mastodon.instance;
  const json::value evidence = parse_or_null(row[8]);

  // The official account concerned: the finding names it, else the subject, else the first
  // configured account on the incident's platform.
  std::optional<OfficialRow> official;
  if (d.type == model::IncidentType::impersonation) {
    official = find_official(tx, platform_name, string_at(evidence, "matched_official"));
  } else if (const auto pos = subject.find(":account:"); pos != std::string::npos) {
    official = find_official(tx, platform_name, subject.substr(pos + 9));
  }
  if (!official) {
    for (const auto& a : config.accounts) {
      if (a.platform == d.platform && a.municipality == config.tenant(municipality).id) {
        official = OfficialRow{a.handle, a.department};
        break;
      }
    }
  }
  if (official) {
    d.official_handle = strip_at(official->handle);
    d.official_url = profile_url(d.platform, d.official_handle, mastodon);
    if (d.department.empty()) d.department = official->department;
  }
  if (d.department.empty()) {
    for (const auto& a : config.accounts) {
      if (!a.department.empty()) {
        d.department = a.department;
        break;
      }
    }
  }

  switch (d.type) {
    case model::IncidentType::impersonation:
      d.impersonator_handle = strip_at(string_at(evidence, "handle"));
      d.impersonator_display_name = string_at(evidence, "display_name");
      d.impersonator_url = profile_url(d.platform, d.impersonator_handle, mastodon);
      d.copied_elements = copied_elements(evidence);
      break;
    case model::IncidentType::misinformation: {
      if (const json::value* rumour = member(evidence, "rumour"))
        d.correction_text = string_at(*rumour, "correction");
      if (d.correction_text.empty()) {
        if (const json::value* fact = member(evidence, "fact"))
          d.correction_text = string_at(*fact, "text");
      }
      const json::value* samples = member(evidence, "samples");
      if (samples != nullptr && samples->is_array() && !samples->as_array().empty()) {
        const json::value& first = samples->as_array().front();
        d.post_text = string_at(first, "text");
      }
      break;
    }
    default: {
      // Flame-up: the post that drew the replies, as observed.
      const json::value* top = member(evidence, "top_posts");
      if (top != nullptr && top->is_array() && !top->as_array().empty()) {
        const std::string post_id = string_at(top->as_array().front(), "post_id");
        const pqxx::result p = tx.exec_params(
            "SELECT text, author_handle, (extract(epoch FROM created_at) * 1000)::bigint FROM "
            "observed_posts"
            " WHERE platform = $1 AND post_id = $2",
            platform_name, post_id);
        if (!p.empty()) {
          d.post_text = p[0][0].c_str();
          d.posted_at = time_of(p[0][2]);
          d.post_url = post_url(d.platform, strip_at(p[0][1].c_str()), post_id, mastodon);
        }
      }
      break;
    }
  }

  for (const auto& e : tx.exec_params(
           "SELECT description, kind, source_url, (extract(epoch FROM captured_at) * 1000)::bigint,"
           " encode(sha256, 'hex') FROM evidence WHERE incident_id = $1 ORDER BY id",
           id)) {
    playbooks::EvidenceItem item;
    item.label =
        e[0].is_null() || std::string_view(e[0].c_str()).empty() ? e[1].c_str() : e[0].c_str();
    const std::string url = e[2].c_str();
    if (url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0) item.url = url;
    item.captured_at = time_of(e[3]);
    item.sha256 = e[4].c_str();
    d.evidence.push_back(std::move(item));
  }
  for (const auto& s : tx.exec_params("SELECT (extract(epoch FROM completed_at) * 1000)::bigint, "
                                      "title, completed_by FROM incident_steps"
                                      " WHERE incident_id = $1 AND status = 'done' AND "
                                      "completed_at IS NOT NULL ORDER BY completed_at, position",
                                      id)) {
    playbooks::ActionTaken a;
    a.at = time_of(s[0]).value_or(now);
    a.text = s[1].c_str();
    if (std::string_view(s[2].c_str()) == "system:check") a.text += "（自動確認）";
    d.actions_taken.push_back(std::move(a));
  }
  tx.commit();
  return d;
}

json::object render_incident_documents(const playbooks::PlaybookSet& set,
                                       const playbooks::IncidentData& d) {
  json::array documents;
  const playbooks::Playbook* playbook = set.find(d.type);
  if (playbook != nullptr) {
    // Template ids in the order steps offer them, with the steps that offer each.
    std::vector<std::string> order;
    std::map<std::string, json::array> steps_of;
    for (const auto& step : playbook->steps) {
      for (const auto& doc : step.documents) {
        if (steps_of.find(doc) == steps_of.end()) order.push_back(doc);
        steps_of[doc].emplace_back(step.id);
      }
    }
    for (const auto& id : order) {
      const playbooks::DocumentTemplate* tpl = set.find_template(id);
      json::object o;
      o["id"] = id;
      o["title"] = tpl != nullptr ? tpl->title : id;
      o["audience"] = tpl != nullptr ? tpl->audience : std::string();
      o["format"] =
          tpl != nullptr && tpl->format == playbooks::DocumentFormat::html ? "html" : "text";
      o["steps"] = steps_of[id];
      const auto rendered = playbooks::render_document(set, id, d);
      if (rendered.document) {
        o["body"] = rendered.document->text;
        if (rendered.document->length) {
          const auto& len = *rendered.document->length;
          o["length"] = json::object{{"limit", std::string(playbooks::to_string(len.limit))},
                                     {"count", len.count},
                                     {"max", len.max},
                                     {"fits", len.fits()}};
        }
      } else {
        o["body"] = "";
        o["error"] = with_hint(rendered.error);
      }
      documents.push_back(std::move(o));
    }
  }
  return json::object{{"documents", std::move(documents)}};
}

}  // namespace mamori::incidents
