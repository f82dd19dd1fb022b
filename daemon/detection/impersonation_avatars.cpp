#include "daemon/detection/impersonation_avatars.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cctype>

#include "daemon/metrics/event_loop_meter.h"
#include "model/text.h"

namespace mamori::detection {

namespace imp = detectors::impersonation;

namespace {

std::string with_commas(std::size_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::string avatar_evidence_description(const std::string& whose, const FetchedAvatar& a) {
  std::string d = whose + " のアイコン（mamori が PNG に再エンコード " +
                  std::to_string(a.png_width) + "×" + std::to_string(a.png_height) + "。元画像 ";
  if (!a.original_format.empty()) {
    d += a.original_format + " " + std::to_string(a.original_width) + "×" +
         std::to_string(a.original_height) + "、";
  }
  d += with_commas(a.original_bytes) + " バイト、SHA-256 " + a.original_sha256 + "）";
  return d;
}

ImpersonationAvatars::ImpersonationAvatars(std::shared_ptr<AvatarFetcher> fetcher,
                                           OfficialIconChanged official_icon)
    : fetcher_(std::move(fetcher)), official_icon_(std::move(official_icon)) {}

ImpersonationAvatars::Key ImpersonationAvatars::key_of(model::Platform platform,
                                                       const std::string& handle) {
  return {platform, model::ascii_lower(handle)};
}

void ImpersonationAvatars::official_seen(const model::ProfileSnapshot& official) {
  OfficialIcon& icon = officials_[key_of(official.platform, official.handle)];
  if (icon.url == official.avatar_url) return;  // cached: same URL, same icon
  const bool had_hash = icon.avatar && icon.avatar->ok();
  icon.url = official.avatar_url;
  icon.avatar = nullptr;
  if (official.avatar_url.empty()) {
    if (had_hash && official_icon_) official_icon_(official.platform, official.handle, nullptr);
    return;
  }
  ++officials_fetching_;
  const Key key = key_of(official.platform, official.handle);
  const std::string url = official.avatar_url;
  fetcher_->fetch(official.platform, url, AvatarRole::official,
                  [this, key, url, handle = official.handle,
                   alive = std::weak_ptr<bool>(alive_)](AvatarPtr result) {
                    if (alive.expired()) return;
                    --officials_fetching_;
                    auto it = officials_.find(key);
                    if (it != officials_.end() && it->second.url == url) {
                      it->second.avatar = result;
                      if (official_icon_) official_icon_(key.first, handle, result);
                    }
                    flush_if_ready();
                  });
}

AvatarPtr ImpersonationAvatars::official_avatar(model::Platform platform,
                                                const std::string& handle) const {
  const auto it = officials_.find(key_of(platform, handle));
  return it == officials_.end() ? nullptr : it->second.avatar;
}

void ImpersonationAvatars::attach(imp::OfficialAccount& official) const {
  const AvatarPtr a = official_avatar(official.profile.platform, official.profile.handle);
  if (a && a->official_hash) official.avatar = *a->official_hash;
}

void ImpersonationAvatars::candidate_avatar(const model::ProfileSnapshot& candidate,
                                            double priority, std::function<void(AvatarPtr)> then) {
  if (candidate.avatar_url.empty()) {
    then(nullptr);
    return;
  }
  auto shared_then = std::make_shared<std::function<void(AvatarPtr)>>(std::move(then));
  fetcher_->fetch(
      candidate.platform, candidate.avatar_url, AvatarRole::candidate,
      [this, shared_then, alive = std::weak_ptr<bool>(alive_)](AvatarPtr result) {
        if (alive.expired()) return;
        if (officials_fetching_ == 0) {
          (*shared_then)(result);
          return;
        }
        held_.push_back([shared_then, result] { (*shared_then)(result); });
      },
      priority);
}

void ImpersonationAvatars::flush_if_ready() {
  if (officials_fetching_ != 0) return;
  auto held = std::move(held_);
  held_.clear();
  // Each candidate held back is its own handler (hundreds may wait at start-up, each judged
  // against every official icon: one handler for all was a stall of seconds, issue 20).
  for (auto& f : held) {
    boost::asio::post(fetcher_->io(), [f = std::move(f), alive = std::weak_ptr<bool>(alive_)] {
      if (alive.expired()) return;
      const metrics::EventLoopMeter::Scope metered("avatar.held_candidate");
      f();
    });
  }
}

std::vector<incidents::EvidenceItem> ImpersonationAvatars::evidence(
    const model::ProfileSnapshot& candidate, const AvatarPtr& icon,
    const imp::Assessment& assessment, const std::vector<imp::OfficialAccount>& officials,
    model::TimePoint now) const {
  std::vector<incidents::EvidenceItem> out;
  if (!icon || icon->png.empty()) return out;
  incidents::EvidenceItem mine;
  mine.kind = "avatar";
  mine.description = avatar_evidence_description("候補アカウント @" + candidate.handle, *icon);
  mine.source_url = icon->url;
  mine.content_type = "image/png";
  mine.content = icon->png;
  mine.captured_at = now;
  out.push_back(std::move(mine));
  if (!assessment.matched_official || *assessment.matched_official >= officials.size()) return out;
  const auto& official = officials[*assessment.matched_official].profile;
  const AvatarPtr theirs = official_avatar(official.platform, official.handle);
  if (!theirs || theirs->png.empty()) return out;
  incidents::EvidenceItem item;
  item.kind = "avatar";
  item.description =
      avatar_evidence_description("比較した公式アカウント @" + official.handle, *theirs);
  item.source_url = theirs->url;
  item.content_type = "image/png";
  item.content = theirs->png;
  item.captured_at = now;
  out.push_back(std::move(item));
  return out;
}

void ImpersonationAvatars::stop() {
  held_.clear();
  fetcher_->stop();
}

}  // namespace mamori::detection
