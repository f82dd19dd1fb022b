// The detection hub's side of avatars (issue 4): keeps each official account's icon hashed
// (fetched again only when its URL changes), fetches a candidate's icon when its text already
// resembles an official account, holds candidates back while official icons are still being
// fetched (so a copied icon is compared, not missed at start-up), and turns icons into evidence.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "daemon/detection/avatar_fetcher.h"
#include "daemon/incidents/incident_store.h"
#include "detectors/impersonation/detector.h"
#include "model/observation.h"

namespace mamori::detection {

class ImpersonationAvatars {
 public:
  // `official_icon` runs (on the loop) when an official account's icon hash arrived (or went
  // away: null or without a hash); the hub sets it into its detectors then.
  // The fetcher may be shared (the integrity monitor judges official icons through it too).
  using OfficialIconChanged = std::function<void(model::Platform platform,
                                                 const std::string& handle, const AvatarPtr& icon)>;
  ImpersonationAvatars(std::shared_ptr<AvatarFetcher> fetcher, OfficialIconChanged official_icon);

  // An official account's profile as just observed.
  void official_seen(const model::ProfileSnapshot& official);
  // Its icon's hash and evidence, when fetched and decoded.
  AvatarPtr official_avatar(model::Platform platform, const std::string& handle) const;
  // Sets `official.avatar` from the cache (for ImpersonationDetector's officials).
  void attach(detectors::impersonation::OfficialAccount& official) const;

  // Calls `then` on the loop with the candidate's icon (null when it has none), after any
  // official icon being fetched has arrived. A refused or unreachable icon comes back with its
  // outcome (no hash): the assessment goes on without it.
  // `priority`: the text-only score (see AvatarFetcher::fetch).
  void candidate_avatar(const model::ProfileSnapshot& candidate, double priority,
                        std::function<void(AvatarPtr)> then);

  // Evidence for a flagged candidate: its icon and, when known, the matched official's, as
  // mamori's PNGs (kind "avatar"), descriptions naming the original's SHA-256.
  std::vector<incidents::EvidenceItem> evidence(
      const model::ProfileSnapshot& candidate, const AvatarPtr& icon,
      const detectors::impersonation::Assessment& assessment,
      const std::vector<detectors::impersonation::OfficialAccount>& officials,
      model::TimePoint now) const;

  void stop();
  AvatarFetcher& fetcher() { return *fetcher_; }
  const std::shared_ptr<AvatarFetcher>& shared_fetcher() const { return fetcher_; }

 private:
  using Key = std::pair<model::Platform, std::string>;  // platform, lower-case handle
  struct OfficialIcon {
    std::string url;   // last URL asked for
    AvatarPtr avatar;  // result for `url` (null while fetching)
  };
  static Key key_of(model::Platform platform, const std::string& handle);
  void flush_if_ready();

  std::shared_ptr<AvatarFetcher> fetcher_;
  OfficialIconChanged official_icon_;
  std::map<Key, OfficialIcon> officials_;
  std::size_t officials_fetching_ = 0;
  std::vector<std::function<void()>> held_;  // candidates waiting for official icons
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// Text for an avatar evidence item, e.g.
// 「候補アカウント @soma__city のアイコン（mamori が PNG に再エンコード 128×128。元画像 PNG
// 128×128、
//  2,345 バイト、SHA-256 …）」
std::string avatar_evidence_description(const std::string& whose, const FetchedAvatar& avatar);

}  // namespace mamori::detection
