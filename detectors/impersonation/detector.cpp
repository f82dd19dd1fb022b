#include "detectors/impersonation/detector.h"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>

#include "detectors/impersonation/official_family.h"
#include "detectors/text/normalize.h"
#include "model/text.h"

namespace mamori::detectors::impersonation {
namespace {

double clamp01(double v) {
  return std::clamp(v, 0.0, 1.0);
}

std::string_view strip_at(std::string_view handle) {
  while (!handle.empty() && handle.front() == '@') handle.remove_prefix(1);
  return handle;
}

// Untrusted text quoted in a reason: at most `limit` code points, controls and bidi overrides
// replaced, so a name cannot break the alert's layout.
std::string quote(std::string_view untrusted, std::size_t limit = 40) {
  std::u32string cps =
      text::to_u32(untrusted.substr(0, std::min<std::size_t>(untrusted.size(), 1024)));
  const bool cut = cps.size() > limit;
  if (cut) cps.resize(limit);
  for (char32_t& c : cps) {
    if (c < 0x20 || c == 0x7F || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)) {
      c = U' ';
    }
  }
  std::string out = text::to_utf8(cps);
  if (cut) out += "…";
  return out;
}

std::string format_double(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string with_commas(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return n < 0 ? "-" + out : out;
}

double handle_evidence(const HandleMatch& m) {
  switch (m.relation) {
    case HandleRelation::same_letters:
    case HandleRelation::confusable:
      return 1.0;
    case HandleRelation::affixed:
      return 0.85;
    case HandleRelation::edited:
      return clamp01((m.similarity - 0.70) / 0.22);
    case HandleRelation::contains:
      return 0.3;
    case HandleRelation::unrelated:
      return 0.0;
  }
  return 0.0;
}

double name_evidence(const NameMatch& m, bool claims_official) {
  double e = 0.0;
  switch (m.relation) {
    case NameRelation::equal:
      e = 1.0;
      break;
    case NameRelation::confusable:
      e = 0.95;
      break;
    case NameRelation::contains:
      e = 0.6 * m.similarity;
      break;
    case NameRelation::similar:
      e = 0.6;
      break;
    case NameRelation::unrelated:
      e = 0.0;
      break;
  }
  // 【公式】 next to the body's name is a claim to be the body (issue 4).
  if (claims_official && e > 0.0) e = std::min(1.0, e + 0.2);
  return e;
}

bool cropped_copy(const AvatarMatch& m, const DetectorSettings& s) {
  return m.crop_distance <= s.avatar_crop_distance &&
         m.crop_radial_correlation >= s.avatar_crop_radial;
}

// Matches on the hue-invariant V channel only: a copy recoloured by a hue shift.
bool recoloured_copy(const AvatarMatch& m, const DetectorSettings& s) {
  return m.value_phash_distance <= s.avatar_value_match_distance ||
         m.value_crop_distance <= s.avatar_value_crop_distance;
}

double avatar_evidence(const AvatarMatch& m, const DetectorSettings& s) {
  if (m.phash_distance <= s.avatar_match_distance || cropped_copy(m, s) || recoloured_copy(m, s)) {
    return 1.0;
  }
  if (m.phash_distance <= s.avatar_similar_distance) return 0.5;
  return 0.0;
}

double url_evidence(const UrlMatch& m) {
  double e = 0.0;
  if (m.website == UrlRelation::same_url) e = 1.0;
  if (m.website == UrlRelation::same_host) e = std::max(e, 0.6);
  if (m.description == UrlRelation::same_url) e = std::max(e, 0.6);
  if (m.description == UrlRelation::same_host) e = std::max(e, 0.4);
  return e;
}

double noisy_or(std::initializer_list<double> parts) {
  double keep = 1.0;
  for (double p : parts) keep *= 1.0 - clamp01(p);
  return 1.0 - keep;
}

struct Context {
  double factor = 1.0;
  std::vector<std::string> reasons;
};

Context context_of(const model::ProfileSnapshot& c, model::TimePoint now,
                   const DetectorSettings& s) {
  Context ctx;
  std::optional<std::int64_t> age_days;
  if (c.created_at && *c.created_at <= now) {
    age_days = std::chrono::duration_cast<std::chrono::hours>(now - *c.created_at).count() / 24;
  }
  if (age_days && *age_days < s.new_account_days) {
    ctx.factor *= 1.10;
    ctx.reasons.push_back("作成から " + std::to_string(*age_days) + " 日の新しいアカウント");
  }
  if (c.followers_count && *c.followers_count < s.few_followers) {
    ctx.factor *= 1.05;
    ctx.reasons.push_back("フォロワーが少ない (" + with_commas(*c.followers_count) + " 人)");
  }
  if (age_days && *age_days > 730 && c.followers_count &&
      *c.followers_count >= s.established_followers) {
    ctx.factor *= 0.75;
    ctx.reasons.push_back("作成から " + std::to_string(*age_days / 365) + " 年、フォロワー " +
                          with_commas(*c.followers_count) + " 人の定着したアカウント");
  }
  return ctx;
}

}  // namespace

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::benign:
      return "benign";
    case Verdict::suspicious:
      return "suspicious";
    case Verdict::impersonation:
      return "impersonation";
    case Verdict::related:
      return "related";
  }
  return "benign";
}

ImpersonationDetector::ImpersonationDetector(MunicipalityNames names,
                                             std::vector<OfficialAccount> officials,
                                             std::vector<AllowedAccount> allow,
                                             DetectorSettings settings)
    : names_(std::move(names)),
      officials_(std::move(officials)),
      allow_(std::move(allow)),
      settings_(settings),
      directory_(LocalGovernmentDirectory::japan()) {
  homepage_ = normalize_url(names_.homepage_url);
  official_features_.reserve(officials_.size());
  for (const auto& o : officials_) {
    official_features_.push_back(prepare(o.profile));
    official_entries_.push_back({o.profile.platform, o.profile.handle, o.profile.account_id});
  }
  for (const auto& f : official_features_) families_.push_back(family_of(f));
  for (const std::string* n : {&names_.name, &names_.name_kana, &names_.name_romaji}) {
    if (!n->empty()) municipality_names_.push_back(make_name_key(*n, skeletons_));
  }
  for (const auto& v : names_.variants) municipality_names_.push_back(make_name_key(v, skeletons_));
  std::erase_if(municipality_names_, [](const NameKey& k) { return k.key.size() < 2; });
  if (!names_.name_romaji.empty()) {
    HandleKey k = skeletons_.key(model::Platform::x, names_.name_romaji);
    if (k.folded.size() >= 4) municipality_handle_keys_.push_back(std::move(k));
  }
  for (const auto& n : names_.neighbours) {
    NameKey key = make_name_key(n, skeletons_);
    bool inside_own = false;
    for (const auto& m : municipality_names_) inside_own |= key_contains(m.key, key.key);
    for (const auto& f : official_features_) inside_own |= key_contains(f.name.key, key.key);
    if (key.key.size() >= 2 && !inside_own) neighbour_names_.emplace_back(n, std::move(key));
    const bool ascii = std::all_of(n.begin(), n.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (ascii) {
      HandleKey hk = skeletons_.key(model::Platform::x, n);
      // A neighbour key inside the body's own handle (okaya in okayama_city) cannot tell the
      // two apart, so it is not used.
      bool inside_own_handle = false;
      for (const auto& f : official_features_) {
        inside_own_handle |= key_contains(f.handle_key.folded, hk.folded);
      }
      for (const auto& k : municipality_handle_keys_) {
        inside_own_handle |= key_contains(k.folded, hk.folded);
      }
      if (hk.folded.size() >= 4 && !inside_own_handle)
        neighbour_handle_keys_.push_back(std::move(hk.folded));
    }
  }
}

ImpersonationDetector::OfficialFamily ImpersonationDetector::family_of(
    const ProfileFeatures& official) const {
  OfficialFamily fam;
  // The official's body: the homepage it links, else the body its name names (a municipality or
  // ward before a prefecture: 松山市（愛媛県）is 松山市), else the configured municipality's.
  if (official.url_body) fam.own.push_back(*official.url_body);
  if (fam.own.empty() && !homepage_.empty()) {
    if (auto b = directory_.homepage_body(homepage_)) fam.own.push_back(*b);
  }
  if (fam.own.empty()) {
    const auto pick = [&](bool prefectures) {
      for (const auto& m : official.bodies) {
        for (auto b : m.bodies) {
          const bool pref = directory_.bodies()[b].kind == LocalGovernment::Kind::prefecture;
          if (pref == prefectures) fam.own.push_back(b);
        }
        if (!fam.own.empty()) return;
      }
    };
    pick(false);
    if (fam.own.empty()) pick(true);
  }
  if (fam.own.empty() && !names_.name.empty()) {
    if (const auto* named = directory_.named(text::to_u32(text::match_key(names_.name)))) {
      fam.own = *named;
    }
  }
  fam.members = fam.own;
  const auto& all = directory_.bodies();
  for (auto b : fam.own) {
    const auto city = directory_.city_of(b);
    fam.members.push_back(city);
    for (std::uint32_t w = 0; w < all.size(); ++w) {
      if (w != city && directory_.city_of(w) == city) fam.members.push_back(w);
    }
    const auto& g = all[b];
    std::u32string stem =
        text::to_u32(text::match_key(g.kind == LocalGovernment::Kind::ward ? g.city : g.name));
    if (stem.size() >= 3 && (stem.back() == U'市' || stem.back() == U'町' || stem.back() == U'村' ||
                             stem.back() == U'区')) {
      stem.pop_back();
      fam.stems.push_back(std::move(stem));
    }
  }
  std::sort(fam.members.begin(), fam.members.end());
  fam.members.erase(std::unique(fam.members.begin(), fam.members.end()), fam.members.end());
  return fam;
}

namespace {

// Whether a handle spells the reading of a ward (its name without 区: 港北区 こうほくく -> kohoku)
// in Latin letters.
bool handle_spells_reading(std::string_view handle, const LocalGovernment& ward) {
  std::string_view kana = ward.kana;
  if (const auto space = kana.rfind(' '); space != std::string_view::npos) {
    kana.remove_prefix(space + 1);
  }
  constexpr std::string_view kKu = "く";
  if (kana.size() > kKu.size() && kana.substr(kana.size() - kKu.size()) == kKu) {
    kana.remove_suffix(kKu.size());
  }
  std::string letters;
  for (const char ch : handle) {
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) {
      letters.push_back(static_cast<char>(ch | 0x20));
    }
  }
  for (const auto& form : romaji_forms(kana)) {
    if (form.size() >= 3 && letters.find(form) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

// Sets comp.other_body (the candidate presents itself as another real local government) and
// comp.family (it names itself as one of the official body's departments, affiliated bodies or
// wards), against official `i`.
void ImpersonationDetector::judge_family(const ProfileFeatures& c, std::size_t i,
                                         Components& comp) const {
  const OfficialFamily& fam = families_[i];
  const auto& all = directory_.bodies();
  auto member = [&](std::uint32_t b) {
    return std::binary_search(fam.members.begin(), fam.members.end(), b);
  };
  bool names_family = false;  // a mention of the body itself, its city or one of its wards
  const BodyMention* ward = nullptr;
  const BodyMention* other = nullptr;
  const BodyMention* ambiguous_own = nullptr;  // 伊達市: ours, and a same-name body elsewhere
  for (const auto& m : c.bodies) {
    const bool any_member = std::any_of(m.bodies.begin(), m.bodies.end(), member);
    const bool all_members = std::all_of(m.bodies.begin(), m.bodies.end(), member);
    if (any_member) {
      names_family = true;
      if (!all_members) ambiguous_own = &m;
      if (all_members && std::any_of(m.bodies.begin(), m.bodies.end(), [&](std::uint32_t b) {
            return all[b].kind == LocalGovernment::Kind::ward &&
                   std::find(fam.own.begin(), fam.own.end(), b) == fam.own.end();
          })) {
        ward = &m;
      }
    } else if (other == nullptr) {
      other = &m;
    }
  }
  // Without knowing the official's own body, no name can be said to be another body's.
  const bool known = !fam.own.empty();
  const bool url_other = known && c.url_body && !member(*c.url_body);
  if (known && other != nullptr && !names_family) {
    comp.other_body = all[other->bodies.front()].display();
    comp.other_body_corroborated =
        c.url_body &&
        std::find(other->bodies.begin(), other->bodies.end(), *c.url_body) != other->bodies.end();
  } else if (url_other && (c.bodies.empty() ||
                           (ambiguous_own != nullptr &&
                            std::find(ambiguous_own->bodies.begin(), ambiguous_own->bodies.end(),
                                      *c.url_body) != ambiguous_own->bodies.end()))) {
    comp.other_body = all[*c.url_body].display();
  }
  if (!comp.other_body.empty()) return;

  // The family: the rest of the name once the body's own name is out must say what part of the
  // city the account is (or the name is one of the city's wards).
  const std::u32string_view key = c.name.key;
  std::u32string rest;
  bool own_named = false;
  std::size_t pos = 0;
  for (const auto& m : c.bodies) {
    if (!std::any_of(m.bodies.begin(), m.bodies.end(), member)) continue;
    rest.append(key.substr(pos, m.begin - pos));
    pos = m.begin + m.length;
    own_named = true;
  }
  rest.append(key.substr(std::min(pos, key.size())));
  const std::u32string& official_key = official_features_[i].name.key;
  if (!own_named && official_key.size() >= 3) {
    if (const auto at = key.find(official_key); at != std::u32string_view::npos) {
      rest =
          std::u32string(key.substr(0, at)) + std::u32string(key.substr(at + official_key.size()));
      own_named = true;
    }
  }
  if (own_named) {
    comp.family = family_word(rest);
    if (comp.family.empty() && ward != nullptr) {
      comp.family = all[ward->bodies.front()].display();
    }
    if (ward != nullptr)
      comp.handle_names_ward = handle_spells_reading(c.handle, all[ward->bodies.front()]);
    return;
  }
  for (const auto& stem : fam.stems) {
    if (const auto at = key.find(stem); at != std::u32string_view::npos) {
      comp.family = family_word(key.substr(at + stem.size()), true);
      if (!comp.family.empty()) return;
    }
  }
}

namespace {

// How accounts call themselves official, in every official's profile (match_key form is taken
// when used).
constexpr std::string_view kStockPhrases[] = {"公式アカウント", "公式ツイッター", "公式twitter",
                                              "official account"};

const std::vector<std::u32string>& stock_phrase_keys() {
  static const std::vector<std::u32string> keys = [] {
    std::vector<std::u32string> out;
    for (auto p : kStockPhrases) out.push_back(text::to_u32(text::match_key(p)));
    return out;
  }();
  return keys;
}

}  // namespace

// The description's grams without what every official's profile says (issue 18): the names of
// local governments and the stock words by which an account calls itself official. 秋田県美郷町's
// 「秋田県美郷町の公式アカウントです。」 then shares nothing with 宮崎県美郷町's profile, while a
// copy still shares its own sentences.
TextGrams ImpersonationDetector::distinctive_grams(std::string_view description) const {
  std::u32string key = description_key(description);
  for (const auto& m : directory_.mentions(key, key.size())) {
    std::fill_n(key.begin() + static_cast<std::ptrdiff_t>(m.begin), m.length, U'\0');
  }
  for (const auto& phrase : stock_phrase_keys()) {
    for (auto at = key.find(phrase); at != std::u32string::npos; at = key.find(phrase, at)) {
      std::fill_n(key.begin() + static_cast<std::ptrdiff_t>(at), phrase.size(), U'\0');
    }
  }
  return make_key_grams(key);
}

bool ImpersonationDetector::set_official_avatar(model::Platform platform, std::string_view handle,
                                                const std::optional<OfficialAvatarHash>& avatar) {
  bool found = false;
  for (auto& o : officials_) {
    if (o.profile.platform != platform || !model::iequals_ascii(o.profile.handle, handle)) continue;
    o.avatar = avatar;
    found = true;
  }
  return found;
}

ProfileFeatures ImpersonationDetector::prepare(const model::ProfileSnapshot& p) const {
  ProfileFeatures f;
  f.platform = p.platform;
  f.handle = p.handle.substr(0, std::min(p.handle.size(), kMaxHandleBytes));
  f.handle_key = skeletons_.key(p.platform, p.handle);
  f.name = make_name_key(p.display_name, skeletons_);
  f.description = distinctive_grams(p.description);
  f.url = normalize_url(p.url);
  f.description_disclaims = text_disclaims_official(p.description);
  f.bodies = directory_.mentions(f.name.key);
  directory_.narrow(f.bodies);
  if (!f.url.empty()) f.url_body = directory_.homepage_body(f.url);
  return f;
}

const AllowedAccount* ImpersonationDetector::allowed_entry(const model::ProfileSnapshot& c) const {
  const std::string_view handle = strip_at(c.handle);
  auto same = [&](const AllowedAccount& a) {
    if (a.platform != c.platform) return false;
    if (!a.account_id.empty() && !c.account_id.empty()) return a.account_id == c.account_id;
    return !a.handle.empty() && model::iequals_ascii(strip_at(a.handle), handle);
  };
  for (const auto& o : official_entries_) {
    if (same(o)) return &o;
  }
  for (const auto& a : allow_) {
    if (same(a)) return &a;
  }
  return nullptr;
}

bool ImpersonationDetector::is_allowed(const model::ProfileSnapshot& c) const {
  return allowed_entry(c) != nullptr;
}

std::optional<Assessment> ImpersonationDetector::allow_listed(
    const model::ProfileSnapshot& candidate) const {
  const AllowedAccount* entry = allowed_entry(candidate);
  if (entry == nullptr) return std::nullopt;
  Assessment a;
  a.allow_listed = true;
  a.listed = entry->listed;
  a.reasons.push_back(entry->listed ? "市の公式アカウント一覧ページに掲載された正規アカウント"
                                    : "公式アカウントまたは許可リストに登録された正規アカウント");
  return a;
}

Assessment ImpersonationDetector::assess(const model::ProfileSnapshot& candidate,
                                         const AvatarHash* avatar, model::TimePoint now) const {
  if (auto allowed = allow_listed(candidate)) return std::move(*allowed);
  return score_prepared(prepare(candidate), candidate, avatar, now);
}

Assessment ImpersonationDetector::assess_prepared(const ProfileFeatures& c,
                                                  const model::ProfileSnapshot& profile,
                                                  const AvatarHash* avatar,
                                                  model::TimePoint now) const {
  if (auto allowed = allow_listed(profile)) return std::move(*allowed);
  return score_prepared(c, profile, avatar, now);
}

Assessment ImpersonationDetector::score_prepared(const ProfileFeatures& c,
                                                 const model::ProfileSnapshot& profile,
                                                 const AvatarHash* avatar,
                                                 model::TimePoint now) const {
  Assessment best;
  const auto& s = settings_;
  // Name and handle against the municipality's own names count for every official account.
  NameMatch municipality_name;
  for (const auto& n : municipality_names_) {
    const NameMatch m = compare_names(c.name, n);
    if (m.similarity > municipality_name.similarity) municipality_name = m;
  }
  HandleMatch municipality_handle;
  for (const auto& k : municipality_handle_keys_) {
    const HandleMatch m = compare_handles(c.handle_key, k);
    if (handle_evidence(m) > handle_evidence(municipality_handle)) municipality_handle = m;
  }
  double best_raw = -1.0;
  for (std::size_t i = 0; i < official_features_.size(); ++i) {
    const ProfileFeatures& o = official_features_[i];
    Components comp;
    comp.handle = compare_handles(c.handle_key, o.handle_key);
    if (handle_evidence(municipality_handle) > handle_evidence(comp.handle)) {
      comp.handle = municipality_handle;
    }
    comp.name = compare_names(c.name, o.name);
    if (municipality_name.similarity > comp.name.similarity) comp.name = municipality_name;
    if (avatar != nullptr && officials_[i].avatar) {
      comp.avatar = compare_avatars(*avatar, *officials_[i].avatar);
    }
    comp.description = gram_similarity(c.description, o.description);
    const std::string_view official_url = o.url.empty() ? std::string_view(homepage_) : o.url;
    comp.url = compare_urls(c.url, profile.description, official_url);
    if (!homepage_.empty() && official_url != homepage_) {
      const UrlMatch home = compare_urls(c.url, profile.description, homepage_);
      if (url_evidence(home) > url_evidence(comp.url)) comp.url = home;
    }
    comp.handle_evidence = handle_evidence(comp.handle);
    comp.name_evidence = name_evidence(comp.name, c.name.claims_official);
    comp.avatar_evidence = comp.avatar ? avatar_evidence(*comp.avatar, s) : 0.0;
    comp.description_evidence = clamp01((comp.description - 0.30) / 0.40);
    comp.url_evidence = url_evidence(comp.url);
    const double raw = noisy_or(
        {s.weight_handle * comp.handle_evidence, s.weight_name * comp.name_evidence,
         s.weight_avatar * comp.avatar_evidence, s.weight_description * comp.description_evidence,
         s.weight_url * comp.url_evidence});
    if (raw > best_raw) {
      best_raw = raw;
      best.components = comp;
      best.matched_official = i;
      best.matched_handle = officials_[i].profile.handle;
    }
  }
  if (!best.matched_official) {
    best.reasons.push_back("比較する公式アカウントが設定されていません");
    return best;
  }
  Components& comp = best.components;
  const std::string& official_handle = best.matched_handle;
  const auto& official = officials_[*best.matched_official].profile;

  // Reasons, strongest evidence first.
  std::vector<std::string>& r = best.reasons;
  if (comp.name_evidence > 0.0) {
    switch (comp.name.relation) {
      case NameRelation::equal:
        r.push_back("表示名が公式と一致 (" + quote(profile.display_name) + ")");
        break;
      case NameRelation::confusable:
        r.push_back("表示名が紛らわしい文字で公式と同形 (" + quote(profile.display_name) + " ≈ " +
                    quote(official.display_name) + ")");
        break;
      case NameRelation::contains:
        r.push_back("表示名に公式の名称を含む (" + quote(profile.display_name) + ")");
        break;
      case NameRelation::similar:
        r.push_back("表示名が公式に類似 (" + quote(profile.display_name) + " ≈ " +
                    quote(official.display_name) + ")");
        break;
      case NameRelation::unrelated:
        break;
    }
    if (c.name.claims_official) r.push_back("表示名に「公式」などの語を付けている");
  }
  if (comp.handle_evidence > 0.0) {
    const std::string pair = quote(c.handle) + " ≈ " + quote(official_handle);
    switch (comp.handle.relation) {
      case HandleRelation::same_letters:
        r.push_back("ハンドルが公式と同じ綴り (" + pair + ")");
        break;
      case HandleRelation::confusable:
        r.push_back("ハンドルが紛らわしい文字で公式と同形 (" + pair + ")");
        break;
      case HandleRelation::affixed:
        r.push_back("ハンドルが公式に語を付け足した形 (" + pair + ")");
        break;
      case HandleRelation::edited:
        r.push_back("ハンドルが類似 (" + pair + ")");
        break;
      case HandleRelation::contains:
        r.push_back("ハンドルに公式のハンドルを含む (" + pair + ")");
        break;
      case HandleRelation::unrelated:
        break;
    }
  }
  if (comp.avatar && comp.avatar_evidence > 0.0) {
    const AvatarMatch& m = *comp.avatar;
    if (m.phash_distance <= s.avatar_match_distance) {
      r.push_back("アイコンが一致 (pHash 距離 " + std::to_string(m.phash_distance) + ")");
    } else if (cropped_copy(m, s)) {
      r.push_back("アイコンが公式アイコンの切り抜きと一致 (pHash 距離 " +
                  std::to_string(m.crop_distance) + "、RadialVariance 相関 " +
                  format_double(m.crop_radial_correlation) + ")");
    } else if (recoloured_copy(m, s)) {
      const bool whole = m.value_phash_distance <= s.avatar_value_match_distance;
      r.push_back(std::string(whole ? "アイコンが公式アイコンの色違いと一致"
                                    : "アイコンが公式アイコンの色違いの切り抜きと一致") +
                  " (明度チャンネルの pHash 距離 " +
                  std::to_string(whole ? m.value_phash_distance : m.value_crop_distance) + ")");
    } else {
      r.push_back("アイコンが類似 (pHash 距離 " + std::to_string(m.phash_distance) + ")");
    }
  }
  if (comp.description_evidence > 0.0) {
    r.push_back(std::string(comp.description >= 0.7 ? "プロフィール文が公式とほぼ同じ"
                                                    : "プロフィール文が公式に類似") +
                " (類似度 " + format_double(comp.description) + ")");
  }
  if (comp.url.website == UrlRelation::same_url) {
    r.push_back("公式ホームページの URL をそのまま掲載 (" + quote(c.url, 60) + ")");
  } else if (comp.url_evidence > 0.0) {
    r.push_back("公式ホームページと同じサイトへのリンクを掲載");
  }

  double score = best_raw;
  Context ctx = context_of(profile, now, s);
  comp.context_factor = ctx.factor;
  score *= ctx.factor;
  comp.disclaims = c.name.disclaims || c.description_disclaims;
  if (comp.disclaims) {
    score *= 0.6;
    r.push_back("「非公式」「ファン」など公式ではないことを示す語がある");
  }
  // A neighbouring body's own name (南相馬市 next to 相馬市) marks a different entity: never
  // flagged (issue 4 "Allow-list").
  for (const auto& [text_name, key] : neighbour_names_) {
    if (key_contains(c.name.key, key.key)) comp.neighbour = text_name;
  }
  for (std::size_t k = 0; k < neighbour_handle_keys_.size() && comp.neighbour.empty(); ++k) {
    if (key_contains(c.handle_key.folded, neighbour_handle_keys_[k])) {
      comp.neighbour = text::to_utf8(neighbour_handle_keys_[k]);
    }
  }
  if (!comp.neighbour.empty()) {
    score = std::min(score, s.suspicious_threshold * 0.9);
    r.push_back("近隣の別団体「" + quote(comp.neighbour) + "」の名称 (成りすましの対象外)");
  }
  judge_family(c, *best.matched_official, comp);
  // Copying the official's icon, profile text or homepage is what an impersonator does; another
  // real body or one of the city's departments does not (issue 18).
  // Another body corroborated by its own homepage counts as copying the icon only on a whole-icon
  // match: the looser comparisons (a cropped or recoloured copy, made to find an impersonator's
  // edited copy) also match two different emblems often enough (a round mark on a plain ground)
  // to turn a prefecture's or another city's own account into a suspect.
  const bool copies_icon =
      comp.other_body_corroborated
          ? comp.avatar && comp.avatar->phash_distance <= s.avatar_match_distance
          : comp.avatar_evidence >= s.signal_evidence;
  const bool copies = copies_icon || comp.description_evidence >= s.signal_evidence ||
                      comp.url.website == UrlRelation::same_url;
  if (!comp.other_body.empty() && comp.neighbour.empty() && !copies) {
    score = std::min(score, s.suspicious_threshold * 0.9);
    r.push_back("別の地方公共団体「" + quote(comp.other_body) +
                "」として名乗っている (成りすましの対象外)");
  }
  // A ward's handle that extends the city's by the ward's own name (yokohama_koho ->
  // yokohama_kohoku) is an edit by letter count only.
  const bool lookalike_handle = comp.handle.relation == HandleRelation::same_letters ||
                                comp.handle.relation == HandleRelation::confusable ||
                                ((comp.handle.relation == HandleRelation::affixed ||
                                  comp.handle.relation == HandleRelation::edited) &&
                                 !comp.handle_names_ward);
  const bool related = !comp.family.empty() && comp.other_body.empty() && !lookalike_handle &&
                       !comp.disclaims && comp.avatar_evidence < s.signal_evidence &&
                       comp.description_evidence < s.signal_evidence;
  best.score = clamp01(score);
  for (double e : {comp.handle_evidence, comp.name_evidence, comp.avatar_evidence,
                   comp.description_evidence, comp.url_evidence}) {
    if (e >= s.signal_evidence) ++comp.signals;
  }
  if (related) {
    best.verdict = Verdict::related;
    r.push_back("市の部署・関係団体「" + quote(comp.family) +
                "」として名乗り、アイコンとプロフィール文は公式と異なる (関連アカウント)");
  } else if (best.score >= s.impersonation_threshold && comp.signals >= s.impersonation_signals) {
    best.verdict = Verdict::impersonation;
  } else if (best.score >= s.suspicious_threshold) {
    best.verdict = Verdict::suspicious;
  }
  if (best.verdict != Verdict::benign) {
    for (auto& reason : ctx.reasons) r.push_back(std::move(reason));
  }
  if (r.empty()) r.push_back("公式アカウントとの類似点なし");
  return best;
}

bool avatar_could_matter(const Assessment& a) {
  if (a.allow_listed || !a.matched_official || !a.components.neighbour.empty()) return false;
  // Another body's or a department's verdict turns on whether the icon is the official's.
  const Components& c = a.components;
  return c.handle_evidence > 0.0 || c.name_evidence > 0.0 || c.description_evidence > 0.0 ||
         c.url_evidence > 0.0;
}

model::Finding to_finding(const Assessment& a, const model::ProfileSnapshot& c,
                          model::TimePoint now) {
  model::Finding f;
  f.type = model::IncidentType::impersonation;
  f.subject = std::string(model::to_string(c.platform)) + ":" +
              (c.account_id.empty() ? std::string(strip_at(c.handle)) : c.account_id);
  f.platform = c.platform;
  f.score = a.score;
  switch (a.verdict) {
    case Verdict::impersonation:
      f.severity = model::Severity::high;
      f.severity_label = "成りすまし";
      break;
    case Verdict::suspicious:
      f.severity = model::Severity::medium;
      f.severity_label = "成りすましの疑い";
      break;
    case Verdict::benign:
      f.severity = model::Severity::low;
      f.severity_label = "該当なし";
      break;
    case Verdict::related:
      f.severity = model::Severity::low;
      f.severity_label = "関連アカウント";
      break;
  }
  f.reasons = a.reasons;
  f.detected_at = now;
  boost::json::object e;
  e["handle"] = c.handle;
  e["display_name"] = c.display_name;
  e["account_id"] = c.account_id;
  e["matched_official"] = a.matched_handle;
  e["verdict"] = to_string(a.verdict);
  e["score"] = a.score;
  const Components& comp = a.components;
  boost::json::object parts;
  parts["handle_relation"] = to_string(comp.handle.relation);
  parts["handle_distance"] = comp.handle.distance;
  parts["handle_similarity"] = comp.handle.similarity;
  parts["name_relation"] = to_string(comp.name.relation);
  parts["name_similarity"] = comp.name.similarity;
  if (comp.avatar) {
    parts["avatar_phash_distance"] = comp.avatar->phash_distance;
    parts["avatar_radial_correlation"] = comp.avatar->radial_correlation;
    parts["avatar_crop_distance"] = comp.avatar->crop_distance;
    parts["avatar_crop_radial_correlation"] = comp.avatar->crop_radial_correlation;
    parts["avatar_value_phash_distance"] = comp.avatar->value_phash_distance;
    parts["avatar_value_crop_distance"] = comp.avatar->value_crop_distance;
  }
  parts["description_similarity"] = comp.description;
  parts["url_evidence"] = comp.url_evidence;
  parts["context_factor"] = comp.context_factor;
  parts["signals"] = comp.signals;
  parts["disclaims"] = comp.disclaims;
  if (!comp.neighbour.empty()) parts["neighbour"] = comp.neighbour;
  if (!comp.other_body.empty()) parts["other_body"] = comp.other_body;
  if (!comp.family.empty()) parts["family"] = comp.family;
  e["components"] = std::move(parts);
  f.evidence_json = boost::json::serialize(e);
  return f;
}

std::size_t memory_bytes(const TrackedCandidate& t) {
  auto heap = [](const std::string& s) {
    // libstdc++ keeps up to 15 characters inside the object.
    return s.capacity() > 15 ? s.capacity() + 1 : 0;
  };
  return sizeof(TrackedCandidate) + heap(t.account_id) + heap(t.handle);
}

}  // namespace mamori::detectors::impersonation
