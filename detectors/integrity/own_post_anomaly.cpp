#include "detectors/integrity/own_post_anomaly.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "detectors/integrity/baseline.h"
#include "detectors/integrity/url_scan.h"
#include "detectors/text/normalize.h"

namespace mamori::detectors::integrity {
namespace {

struct Phrase {
  std::string_view key;  // matched against the folded text (lower case, hiragana)
  std::string_view shown;
};

// Folded forms: NFKC + casefold + katakana→hiragana; spaces kept.
constexpr Phrase kGiveaway[] = {{"ぷれぜんときゃんぺーん", "プレゼントキャンペーン"},
                                {"当選しました", "当選しました"},
                                {"当選者", "当選者"},
                                {"抽選で", "抽選で"},
                                {"無料でもらえる", "無料でもらえる"},
                                {"ふぉろー&りつい", "フォロー&リツイート"},
                                {"ふぉろー&りぽすと", "フォロー&リポスト"},
                                {"ふぉろーとりつい", "フォローとリツイート"},
                                {"あまぎふ", "アマギフ"},
                                {"giveaway", "giveaway"},
                                {"free gift", "free gift"},
                                {"you have won", "you have won"},
                                {"claim your", "claim your"},
                                {"airdrop", "airdrop"}};
constexpr Phrase kCrypto[] = {{"暗号資産", "暗号資産"},
                              {"仮想通貨", "仮想通貨"},
                              {"びっとこいん", "ビットコイン"},
                              {"bitcoin", "bitcoin"},
                              {"btc", "BTC"},
                              {"eth", "ETH"},
                              {"usdt", "USDT"},
                              {"crypto", "crypto"},
                              {"nft", "NFT"},
                              {"wallet", "wallet"},
                              {"うぉれっと", "ウォレット"},
                              {"投資で稼", "投資で稼"},
                              {"必ず儲か", "必ず儲か"},
                              {"double your", "double your"}};
constexpr Phrase kDm[] = {{"dmください", "DMください"},
                          {"dm下さい", "DM下さい"},
                          {"dmで", "DMで"},
                          {"dmへ", "DMへ"},
                          {"dmを", "DMを"},
                          {"だいれくとめっせーじ", "ダイレクトメッセージ"},
                          {"dm me", "DM me"},
                          {"send a dm", "send a DM"},
                          {"message me", "message me"},
                          {"line追加", "LINE追加"},
                          {"lineで連絡", "LINEで連絡"}};

// Short Latin words match only as whole words ("eth" is not in "method").
bool contains_word(std::string_view hay, std::string_view needle) {
  const bool latin = std::all_of(needle.begin(), needle.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  std::size_t pos = hay.find(needle);
  while (pos != std::string_view::npos) {
    if (!latin) return true;
    const auto is_alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
    const bool left_ok = pos == 0 || !is_alnum(hay[pos - 1]) || !is_alnum(needle.front());
    const std::size_t end = pos + needle.size();
    const bool right_ok = end >= hay.size() || !is_alnum(hay[end]) || !is_alnum(needle.back());
    if (left_ok && right_ok) return true;
    pos = hay.find(needle, pos + 1);
  }
  return false;
}

template <std::size_t N>
std::vector<std::string_view> found(std::string_view folded, const Phrase (&phrases)[N]) {
  std::vector<std::string_view> out;
  for (const auto& p : phrases) {
    if (contains_word(folded, p.key)) out.push_back(p.shown);
  }
  return out;
}

std::string joined_quotes(const std::vector<std::string_view>& items, std::size_t max = 3) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < max; ++i)
    out += "「" + std::string(items[i]) + "」";
  return out;
}

}  // namespace

std::vector<PostSignal> scam_wording(std::string_view raw) {
  std::vector<PostSignal> out;
  const std::string folded = text::fold_kana(text::nfkc_casefold(raw));
  if (auto g = found(folded, kGiveaway); !g.empty()) {
    out.push_back(
        {"giveaway", 0.45, "プレゼント・当選をうたう文言" + joined_quotes(g) + "を含んでいます"});
  }
  if (auto c = found(folded, kCrypto); !c.empty()) {
    out.push_back(
        {"crypto", 0.45, "暗号資産・投資を勧める文言" + joined_quotes(c) + "を含んでいます"});
  }
  if (auto d = found(folded, kDm); !d.empty()) {
    out.push_back({"dm_solicitation", 0.45,
                   "ダイレクトメッセージ等への誘導" + joined_quotes(d) + "を含んでいます"});
  }
  return out;
}

OwnPostAnomalyScorer::OwnPostAnomalyScorer(OwnPostAnomalyOptions options)
    : options_(std::move(options)) {}

int OwnPostAnomalyScorer::local_hour(model::TimePoint t) const {
  const auto local = t + options_.utc_offset;
  const auto day = std::chrono::floor<std::chrono::days>(local);
  return static_cast<int>(std::chrono::duration_cast<std::chrono::hours>(local - day).count());
}

void OwnPostAnomalyScorer::add(const model::Post& post) {
  Entry e{post.created_at, post.client};
  const auto it =
      std::upper_bound(history_.begin(), history_.end(), e.created_at,
                       [](model::TimePoint t, const Entry& x) { return t < x.created_at; });
  history_.insert(it, e);
  ++hour_counts_[static_cast<std::size_t>(local_hour(e.created_at))];
  if (!e.client.empty()) {
    ++clients_[e.client];
    ++with_client_;
  }
  while (history_.size() > options_.history_kept) {
    const Entry& old = history_.front();
    --hour_counts_[static_cast<std::size_t>(local_hour(old.created_at))];
    if (!old.client.empty()) {
      if (--clients_[old.client] == 0) clients_.erase(old.client);
      --with_client_;
    }
    history_.pop_front();
  }
}

void OwnPostAnomalyScorer::learn(const model::Post& post) {
  add(post);
}

std::size_t OwnPostAnomalyScorer::posts_in_window_ending(model::TimePoint t) const {
  const auto from = t - options_.burst_window;
  std::size_t n = 0;
  for (const auto& e : history_) {
    if (e.created_at > from && e.created_at <= t) ++n;
  }
  return n;
}

std::size_t OwnPostAnomalyScorer::busiest_window_before(model::TimePoint t) const {
  // Two pointers over the sorted history: the most posts in any window of burst_window that
  // ended before the window now judged (else a burst would raise its own bar).
  std::size_t best = 0;
  std::size_t lo = 0;
  for (std::size_t hi = 0;
       hi < history_.size() && history_[hi].created_at <= t - options_.burst_window; ++hi) {
    while (history_[hi].created_at - history_[lo].created_at >= options_.burst_window) ++lo;
    best = std::max(best, hi - lo + 1);
  }
  return best;
}

PostAssessment OwnPostAnomalyScorer::observe(const model::Post& post, model::TimePoint now) {
  PostAssessment a;
  if (post.reposted_post_id || now - post.created_at > options_.assess_max_age) {
    add(post);
    return a;
  }
  // Hour of day against the account's own habits (or the quiet hours while it has few posts).
  const int hour = local_hour(post.created_at);
  bool unusual_hour = false;
  if (history_.size() >= options_.min_history_for_hours) {
    // The hour and its neighbours: an office that posts at 9 and 12 may well post at 10.
    std::size_t near = 0;
    for (int d = -1; d <= 1; ++d)
      near += hour_counts_[static_cast<std::size_t>((hour + d + 24) % 24)];
    // Not counting the posts of the window being judged: a night burst must not make night usual.
    std::size_t recent = 0;
    for (auto it = history_.rbegin();
         it != history_.rend() && it->created_at > post.created_at - options_.burst_window; ++it) {
      const int h = local_hour(it->created_at);
      if (it->created_at <= post.created_at && (h - hour + 25) % 24 <= 2) ++recent;
    }
    near -= std::min(near, recent);
    const double share = static_cast<double>(near) / static_cast<double>(history_.size());
    unusual_hour = share <= options_.rare_hour_share;
  } else {
    unusual_hour = hour >= options_.quiet_from_hour && hour < options_.quiet_to_hour;
  }
  const std::size_t busiest_before = busiest_window_before(post.created_at);
  const std::size_t in_window = posts_in_window_ending(post.created_at) + 1;
  const bool burst =
      in_window >= options_.burst_min_posts &&
      static_cast<double>(in_window) >=
          options_.burst_factor * static_cast<double>(std::max<std::size_t>(busiest_before, 1));
  if (burst) {
    a.signals.push_back({"burst", unusual_hour ? 0.5 : 0.3,
                         std::to_string(options_.burst_window.count()) + "分間に" +
                             std::to_string(in_window) + "件の投稿です（これまでの最多は" +
                             std::to_string(busiest_before) + "件）"});
  }
  if (unusual_hour) {
    a.signals.push_back({"unusual_hour", 0.2,
                         "普段投稿のない時間帯（" + std::to_string(hour) + "時台）の投稿です"});
  }
  if (!post.client.empty() && with_client_ >= options_.min_history_for_client &&
      clients_.count(post.client) == 0) {
    a.signals.push_back({"unusual_client", 0.35,
                         "これまで使われていない投稿アプリ「" + post.client + "」からの投稿です"});
  }
  if (auto s = shortened_urls(post.urls, post.text); !s.empty()) {
    a.signals.push_back(
        {"shortened_url", 0.35, "短縮URL（" + url_host(s.front()) + "）を含んでいます"});
  }
  for (auto& s : scam_wording(post.text)) a.signals.push_back(std::move(s));
  double keep = 1.0;
  for (const auto& s : a.signals) keep *= 1.0 - s.weight;
  a.score = 1.0 - keep;
  a.anomalous = a.score >= options_.finding_threshold;
  add(post);
  return a;
}

model::Finding own_post_finding(const model::Post& post, const PostAssessment& a,
                                std::string_view configured_handle, model::TimePoint now) {
  model::Finding f;
  f.type = model::IncidentType::account_compromise;
  f.subject = compromise_subject(post.platform, configured_handle);
  f.platform = post.platform;
  f.detected_at = now;
  f.score = std::clamp(a.score, 0.0, 1.0);
  f.severity = a.score >= 0.85 ? model::Severity::critical : model::Severity::high;
  f.severity_label =
      f.severity == model::Severity::critical ? "不正アクセスの疑い（重大）" : "不正アクセスの疑い";
  f.reasons.push_back("公式アカウントの投稿（ID " + post.post_id + "）が普段の投稿と異なります");
  boost::json::array signals;
  for (const auto& s : a.signals) {
    f.reasons.push_back(s.reason);
    signals.push_back(boost::json::object{{"id", s.id}, {"weight", s.weight}});
  }
  f.evidence_json = boost::json::serialize(boost::json::object{{"kind", "own_post_anomaly"},
                                                               {"post_id", post.post_id},
                                                               {"text", post.text},
                                                               {"client", post.client},
                                                               {"score", a.score},
                                                               {"signals", std::move(signals)}});
  return f;
}

}  // namespace mamori::detectors::integrity
