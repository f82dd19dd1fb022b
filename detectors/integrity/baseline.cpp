#include "detectors/integrity/baseline.h"

#include <algorithm>
#include <bit>
#include <boost/json.hpp>
#include <cctype>

#include "detectors/integrity/url_scan.h"
#include "detectors/text/normalize.h"
#include "model/text.h"

namespace mamori::detectors::integrity {
namespace {

bool equal_ci(std::string_view a, std::string_view b) {
  return model::iequals_ascii(a, b);
}

// Staff read the values inside a sentence: long profile texts are cut (by code point).
std::string excerpt(std::string_view s, std::size_t max_chars = 60) {
  const std::u32string cps = text::to_u32(s);
  if (cps.size() <= max_chars) return std::string(s);
  return text::to_utf8(std::u32string_view(cps).substr(0, max_chars)) + "…";
}

std::string quoted(std::string_view s) {
  return s.empty() ? std::string("（空欄）") : "「" + excerpt(s) + "」";
}

}  // namespace

std::string_view to_string(ProfileField f) {
  switch (f) {
    case ProfileField::display_name:
      return "display_name";
    case ProfileField::handle:
      return "handle";
    case ProfileField::description:
      return "description";
    case ProfileField::url:
      return "url";
    case ProfileField::avatar:
      return "avatar";
    case ProfileField::verified:
      return "verified";
  }
  return "unknown";
}

std::optional<ProfileField> profile_field_from_string(std::string_view s) {
  for (auto f : {ProfileField::display_name, ProfileField::handle, ProfileField::description,
                 ProfileField::url, ProfileField::avatar, ProfileField::verified}) {
    if (s == to_string(f)) return f;
  }
  return std::nullopt;
}

std::string_view field_label(ProfileField f) {
  switch (f) {
    case ProfileField::display_name:
      return "表示名";
    case ProfileField::handle:
      return "ハンドル（ユーザー名）";
    case ProfileField::description:
      return "プロフィール文";
    case ProfileField::url:
      return "プロフィールのURL";
    case ProfileField::avatar:
      return "アイコン画像";
    case ProfileField::verified:
      return "認証バッジ";
  }
  return "";
}

AccountBaseline baseline_from(const model::ProfileSnapshot& p,
                              std::optional<std::uint64_t> avatar_phash) {
  AccountBaseline b;
  b.platform = p.platform;
  b.account_id = p.account_id;
  b.handle = p.handle;
  b.display_name = p.display_name;
  b.description = p.description;
  b.url = p.url;
  b.avatar_url = p.avatar_url;
  b.avatar_phash = avatar_phash;
  b.verified = p.verified;
  return b;
}

std::string field_value(const model::ProfileSnapshot& p, ProfileField field) {
  switch (field) {
    case ProfileField::display_name:
      return p.display_name;
    case ProfileField::handle:
      return p.handle;
    case ProfileField::description:
      return p.description;
    case ProfileField::url:
      return p.url;
    case ProfileField::avatar:
      return p.avatar_url;
    case ProfileField::verified:
      return p.verified ? "true" : "false";
  }
  return "";
}

std::vector<FieldChange> diff(const AccountBaseline& b, const model::ProfileSnapshot& o,
                              std::optional<std::uint64_t> observed_avatar_phash,
                              const DiffOptions& options) {
  std::vector<FieldChange> out;
  if (o.display_name != b.display_name)
    out.push_back({ProfileField::display_name, b.display_name, o.display_name});
  if (!equal_ci(o.handle, b.handle)) out.push_back({ProfileField::handle, b.handle, o.handle});
  if (o.description != b.description)
    out.push_back({ProfileField::description, b.description, o.description});
  if (o.url != b.url) out.push_back({ProfileField::url, b.url, o.url});
  bool avatar_changed = false;
  if (b.avatar_phash && observed_avatar_phash) {
    avatar_changed =
        std::popcount(*b.avatar_phash ^ *observed_avatar_phash) > options.avatar_max_distance;
  } else {
    avatar_changed = o.avatar_url != b.avatar_url;
  }
  if (avatar_changed) out.push_back({ProfileField::avatar, b.avatar_url, o.avatar_url});
  if (o.verified != b.verified) {
    out.push_back(
        {ProfileField::verified, b.verified ? "true" : "false", o.verified ? "true" : "false"});
  }
  return out;
}

const RegisteredChange* matching_registration(const FieldChange& change,
                                              const std::vector<RegisteredChange>& registered,
                                              model::TimePoint now) {
  for (const auto& r : registered) {
    if (r.field != change.field || now < r.valid_from || now > r.valid_until) continue;
    if (r.value.empty()) return &r;
    if (change.field == ProfileField::handle ? equal_ci(r.value, change.after)
                                             : r.value == change.after)
      return &r;
  }
  return nullptr;
}

void apply(AccountBaseline& b, const FieldChange& c) {
  switch (c.field) {
    case ProfileField::display_name:
      b.display_name = c.after;
      break;
    case ProfileField::handle:
      b.handle = c.after;
      break;
    case ProfileField::description:
      b.description = c.after;
      break;
    case ProfileField::url:
      b.url = c.after;
      break;
    case ProfileField::avatar:
      b.avatar_url = c.after;
      b.avatar_phash.reset();  // the next hashed observation sets it again
      break;
    case ProfileField::verified:
      b.verified = c.after == "true";
      break;
  }
}

std::string describe(const FieldChange& c) {
  const std::string label(field_label(c.field));
  switch (c.field) {
    case ProfileField::avatar:
      return "アイコン画像が変更されました";
    case ProfileField::verified:
      return c.after == "true" ? "認証バッジが付きました" : "認証バッジが外れました";
    case ProfileField::handle:
      return label + "が @" + c.before + " から @" + c.after + " に変わりました";
    default:
      return label + "が" + quoted(c.before) + "から" + quoted(c.after) + "に変わりました";
  }
}

std::string compromise_subject(model::Platform platform, std::string_view configured_handle) {
  return std::string(model::to_string(platform)) +
         ":official:" + model::ascii_lower(configured_handle);
}

model::Finding profile_change_finding(const AccountBaseline& baseline,
                                      const std::vector<FieldChange>& unexpected,
                                      std::string_view configured_handle, model::TimePoint now) {
  model::Finding f;
  f.type = model::IncidentType::account_compromise;
  f.subject = compromise_subject(baseline.platform, configured_handle);
  f.platform = baseline.platform;
  f.detected_at = now;
  bool identity = false;  // what citizens use to recognise the account
  bool shortener = false;
  boost::json::array changes;
  for (const auto& c : unexpected) {
    f.reasons.push_back(describe(c));
    identity = identity || c.field == ProfileField::display_name ||
               c.field == ProfileField::handle || c.field == ProfileField::url;
    if (c.field == ProfileField::url && is_shortener_host(url_host(c.after))) shortener = true;
    changes.push_back(boost::json::object{
        {"field", std::string(to_string(c.field))}, {"before", c.before}, {"after", c.after}});
  }
  if (shortener) f.reasons.push_back("新しいURLは短縮URLで、行き先が分かりません");
  f.reasons.push_back("事前に登録された変更ではありません");
  if (unexpected.size() >= 2 || shortener) {
    f.severity = model::Severity::critical;
    f.score = 0.95;
  } else if (identity) {
    f.severity = model::Severity::high;
    f.score = 0.8;
  } else {
    f.severity = model::Severity::medium;
    f.score = 0.6;
  }
  f.severity_label =
      f.severity == model::Severity::critical ? "不正アクセスの疑い（重大）" : "不正アクセスの疑い";
  f.evidence_json =
      boost::json::serialize(boost::json::object{{"kind", "profile_change"},
                                                 {"account_id", baseline.account_id},
                                                 {"handle", std::string(configured_handle)},
                                                 {"changes", std::move(changes)}});
  return f;
}

}  // namespace mamori::detectors::integrity
