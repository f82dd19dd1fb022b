#include "daemon/detection/detection_hub.h"

#include <algorithm>
#include <boost/asio/post.hpp>

#include "daemon/alerts/record_finding.h"
#include "daemon/detection/manual_report.h"
#include "daemon/incidents/calm_checks.h"
#include "daemon/incidents/incident_store.h"
#include "daemon/incidents/playbook_steps.h"
#include "daemon/log/log.h"
#include "daemon/metrics/event_loop_meter.h"
#include "daemon/store/observation_store.h"
#include "detectors/impersonation/lookalike_handles.h"
#include "detectors/text/normalized_text.h"
#include "detectors/threat/detector.h"
#include "model/observation_json.h"
#include "model/text.h"

namespace mamori::detection {

namespace asio = boost::asio;
namespace imp = detectors::impersonation;
namespace flame = detectors::flameup;
namespace misinfo = detectors::misinfo;

DetectionHub::DetectionHub(alerts::FindingServices services, const config::Config& config,
                           std::shared_ptr<const playbooks::PlaybookSet> playbooks,
                           HubOptions options)
    : io_(services.io),
      database_(services.database),
      clock_(services.clock),
      municipality_(config.municipality),
      allowlist_(config.allowlist),
      playbooks_(std::move(playbooks)),
      alert_context_(std::move(services.alert_context)),
      dispatcher_(services.dispatcher),
      options_(std::move(options)),
      timer_(services.io) {
  mastodon_instance_ = config.platforms.mastodon.instance;
  towns_ = config.municipalities.empty() ? std::vector{config.municipality} : config.municipalities;
  for (const auto& a : config.accounts) officials_.push_back({a, std::nullopt});
  rebuild_impersonation();
  rebuild_facts();
  if (services.registry != nullptr)
    flameup_metrics_ = std::make_unique<FlameupMetrics>(*services.registry);
  publish_flameup_metrics();
  if (!options_.leased) warm_start_flameup();
}

void DetectionHub::update_configuration(const config::Config& config) {
  std::vector<Official> next;
  std::vector<std::pair<model::Platform, std::string>> added;
  for (const auto& a : config.accounts) {
    const Official* known = official_by_handle(a.platform, a.handle);
    next.push_back({a, known ? known->profile : std::nullopt});
    if (known == nullptr) added.emplace_back(a.platform, a.handle);
  }
  officials_ = std::move(next);
  // A removed account's reply-rate detector goes; an added one (perhaps monitored before, so
  // with stored replies) starts from its history like at startup.
  std::erase_if(rates_, [&](const auto& entry) {
    return std::none_of(officials_.begin(), officials_.end(), [&](const Official& o) {
      return rate_key(o.account.platform, o.account.handle) == entry.first;
    });
  });
  if (!added.empty() && !options_.leased) warm_start_flameup(std::move(added));  // else on lease
  municipality_ = config.municipality;
  towns_ = config.municipalities.empty() ? std::vector{config.municipality} : config.municipalities;
  allowlist_ = config.allowlist;
  mastodon_instance_ = config.platforms.mastodon.instance;
  impersonation_stale_ = true;
  rebuild_facts();
}

DetectionHub::~DetectionHub() {
  *alive_ = false;
  stop();
}

void DetectionHub::start() {
  if (stopped_) reload_tracked();
  stopped_ = false;
  timer_.expires_after(options_.tick);
  timer_.async_wait(
      [this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
        if (ec || alive.expired() || stopped_) return;
        const metrics::EventLoopMeter::Scope metered("detection.tick");
        tick();
        start();
      });
}

void DetectionHub::stop() {
  stopped_ = true;
  timer_.cancel();
  if (avatars_) avatars_->stop();
}

void DetectionHub::set_rumours(std::vector<misinfo::Rumour> rumours) {
  rumours_ = std::move(rumours);
  misinfo_->set_rumours(std::make_shared<const misinfo::RumourRegistry>(rumours_));
}

const DetectionHub::Official* DetectionHub::official_by_handle(model::Platform p,
                                                               std::string_view handle) const {
  for (const auto& o : officials_) {
    if (o.account.platform == p && model::iequals_ascii(o.account.handle, handle)) return &o;
  }
  return nullptr;
}

const DetectionHub::Official* DetectionHub::official_by_id(model::Platform p,
                                                           std::string_view id) const {
  if (id.empty()) return nullptr;
  for (const auto& o : officials_) {
    if (o.account.platform == p && o.profile && o.profile->account_id == id) return &o;
  }
  return nullptr;
}

namespace {

imp::MunicipalityNames names_of(const config::Municipality& town) {
  imp::MunicipalityNames names;
  names.name = town.name;
  names.name_kana = town.name_kana;
  names.name_romaji = town.name_romaji;
  names.homepage_url = town.homepage_url;
  names.variants = town.name_variants;
  names.neighbours = town.neighbours;
  return names;
}

int gravity(imp::Verdict v) {
  switch (v) {
    case imp::Verdict::impersonation:
      return 3;
    case imp::Verdict::suspicious:
      return 2;
    case imp::Verdict::related:
      return 1;
    case imp::Verdict::benign:
      return 0;
  }
  return 0;
}

}  // namespace

// Official profiles and icons arrive one by one (thousands at start-up): each only marks the
// detectors stale, and they are rebuilt once, when a candidate is next assessed.
const std::vector<DetectionHub::TownDetector>& DetectionHub::impersonation() {
  if (impersonation_stale_) rebuild_impersonation();
  return impersonation_;
}

// One detector per town, against that town's own accounts and under its names (issue 20: a
// look-alike of 相馬市 is judged against 相馬市's accounts, where 南相馬市's are another real
// body's). Each knows its own accounts and the allow-list; the other towns' accounts are known
// official through assess_candidate(), which never passes any town's account on (one list for
// all, not one copy per town).
void DetectionHub::rebuild_impersonation() {
  impersonation_stale_ = false;
  ++impersonation_rebuilds_;
  std::vector<TownDetector> next;
  for (const auto& town : towns_) {
    std::vector<imp::OfficialAccount> officials;
    std::vector<imp::AllowedAccount> allow;
    for (const auto& o : officials_) {
      if (o.account.municipality != town.id) continue;
      imp::OfficialAccount oa;
      if (o.profile) {
        oa.profile = *o.profile;
      } else {
        oa.profile.platform = o.account.platform;
        oa.profile.handle = o.account.handle;
        oa.profile.display_name =
            o.account.display_name.empty() ? town.name : o.account.display_name;
        oa.profile.url = town.homepage_url;
      }
      if (avatars_) avatars_->attach(oa);
      officials.push_back(std::move(oa));
      allow.push_back(
          {o.account.platform, o.account.handle, o.profile ? o.profile->account_id : ""});
    }
    if (officials.empty() && towns_.size() > 1) continue;  // nothing of this town to imitate
    for (const auto& a : allowlist_) allow.push_back({a.platform, a.handle, ""});
    next.push_back({town.id, std::make_unique<imp::ImpersonationDetector>(
                                 names_of(town), std::move(officials), std::move(allow))});
  }
  impersonation_ = std::move(next);
}

// Each town's detector judges the candidate against its own accounts; the gravest verdict (then
// the highest score) is the town it resembles. An impersonation is every town's that finds one:
// an account calling itself by a name two towns share imitates both, and each town's staff must
// hear of it (the one loop over the towns as before; only the verdicts are kept).
std::vector<DetectionHub::TownAssessment> DetectionHub::assess_in_towns(
    const model::ProfileSnapshot& profile, const imp::AvatarHash* avatar, model::TimePoint now) {
  std::vector<TownAssessment> impersonated;
  TownAssessment best;
  const auto& towns = impersonation();
  if (towns.empty()) return {};
  // Prepared once (ICU work): the features do not depend on the town.
  const auto features = towns.front().detector->prepare(profile);
  for (const auto& t : towns) {
    // This town's staff judged the account related or benign, and it is still as they saw it:
    // that town has nothing to record, another it imitates may have (candidate_dispositions.h).
    if (dispositions_.settled(t.town, profile) != nullptr) continue;
    auto a = t.detector->assess_prepared(features, profile, avatar, now);
    if (a.verdict == imp::Verdict::impersonation) {
      impersonated.push_back({std::move(a), &t});
      continue;
    }
    if (!impersonated.empty()) continue;  // nothing below an impersonation is recorded now
    if (best.town == nullptr || gravity(a.verdict) > gravity(best.assessment.verdict) ||
        (gravity(a.verdict) == gravity(best.assessment.verdict) &&
         a.score > best.assessment.score)) {
      best = {std::move(a), &t};
    }
  }
  if (impersonated.empty()) {
    if (best.town == nullptr) return {};
    return {std::move(best)};
  }
  std::stable_sort(impersonated.begin(), impersonated.end(),
                   [](const TownAssessment& a, const TownAssessment& b) {
                     return a.assessment.score > b.assessment.score;
                   });
  return impersonated;
}

void DetectionHub::rebuild_facts() {
  misinfo::FactIndexOptions fo;
  if (!municipality_.homepage_url.empty()) fo.official_hosts.push_back(municipality_.homepage_url);
  // The city's genuine accounts: a reply giving another handle as official is a fake contact.
  for (const auto& o : officials_) fo.contacts.handles.push_back(o.account.handle);
  for (const auto& a : allowlist_) fo.contacts.handles.push_back(a.handle);
  auto facts = std::make_shared<const misinfo::FactIndex>(
      std::vector<std::shared_ptr<const misinfo::Fact>>(official_posts_.begin(),
                                                        official_posts_.end()),
      std::move(fo));
  if (!misinfo_) {
    misinfo_ = std::make_unique<misinfo::MisinformationDetector>(
        facts, std::make_shared<const misinfo::RumourRegistry>(rumours_));
  } else {
    misinfo_->set_facts(facts);
  }
}

std::string DetectionHub::rate_key(model::Platform platform, std::string_view handle) {
  return std::string(model::to_string(platform)) + ":" + std::string(handle);
}

flame::ReplyRateDetector& DetectionHub::rate_detector(const Official& o) {
  auto& slot = rates_[rate_key(o.account.platform, o.account.handle)];
  if (!slot) {
    const std::string id = o.profile ? o.profile->account_id : o.account.handle;
    slot = std::make_unique<flame::ReplyRateDetector>(o.account.platform, id,
                                                      rate_settings(o.account.platform));
  }
  return *slot;
}

flame::Settings DetectionHub::rate_settings(model::Platform platform) const {
  flame::Settings s;
  const auto counted = counts_intervals_.find(platform);
  if (counted != counts_intervals_.end() && counted->second.count() > 0) {
    // A count arrives up to one interval after its minute (and X counts up to 30 s ago).
    s.lateness = std::max(s.lateness, counted->second + std::chrono::seconds(90));
    s.max_gap =
        std::max(s.max_gap,
                 std::chrono::ceil<std::chrono::minutes>(2 * s.lateness + std::chrono::minutes(5)));
  }
  return s;
}

void DetectionHub::set_counted_series(std::map<model::Platform, std::chrono::seconds> intervals) {
  counts_intervals_ = std::move(intervals);
}

bool DetectionHub::on_reply_counts(model::Platform platform, const std::string& account,
                                   const std::vector<collectors::CountBucket>& counts) {
  const Official* o = official_by_handle(platform, account);
  if (o == nullptr || counts.empty()) return false;
  const auto now = clock_.now();
  auto& detector = rate_detector(*o);
  double total = 0;
  for (const auto& c : counts) {
    detector.observe_count(c.start, c.count, now);
    total += static_cast<double>(c.count);
  }
  const bool risen = detector.above_baseline(counts.front().start, counts.back().end, total);
  judge(now, {o});  // judged in the cycle that brought the counts
  return risen || detector.episode_open();
}

void DetectionHub::on_stored(model::Platform platform, const std::string& account,
                             const store::StoredBatch& batch) {
  const auto now = clock_.now();
  // Official profiles first: the impersonation detector compares against what they look like now.
  bool officials_changed = false;
  for (const auto* list : {&batch.changed_profiles, &batch.unchanged_profiles}) {
    for (const auto& p : *list) {
      if (avatars_ && official_by_handle(p.platform, p.handle) != nullptr)
        avatars_->official_seen(p);
    }
  }
  for (const auto* list : {&batch.changed_profiles, &batch.unchanged_profiles}) {
    for (const auto& p : *list) {
      for (auto& o : officials_) {
        if (o.account.platform == p.platform && model::iequals_ascii(o.account.handle, p.handle) &&
            (!o.profile || o.profile->account_id != p.account_id ||
             o.profile->display_name != p.display_name || o.profile->description != p.description ||
             o.profile->url != p.url)) {
          o.profile = p;
          officials_changed = true;
        }
      }
    }
  }
  if (officials_changed) impersonation_stale_ = true;
  for (const auto* list : {&batch.changed_profiles, &batch.unchanged_profiles}) {
    for (const auto& p : *list) {
      if (official_by_handle(p.platform, p.handle) == nullptr) queue_candidate(p, now);
    }
  }
  for (const auto& g : batch.newly_gone) handle_gone(g);

  bool facts_changed = false;
  std::vector<const Official*> replied_to;
  const Official* fetched_for = account.empty() ? nullptr : official_by_handle(platform, account);
  for (const auto& post : batch.new_posts) {
    const Official* author = official_by_id(post.platform, post.author_id);
    if (author == nullptr && !post.author_handle.empty())
      author = official_by_handle(post.platform, post.author_handle);
    if (author != nullptr) {
      if (post.reposted_post_id) continue;
      official_posts_.push_back(misinfo::FactIndex::prepare(misinfo::FactIndex::from_post(post)));
      official_post_ids_.insert(post.post_id);
      while (official_posts_.size() > options_.official_posts_kept) official_posts_.pop_front();
      facts_changed = true;
      continue;
    }
    // A reply or mention to an official account: the account it answers, else the one whose
    // replies job fetched it.
    const Official* to = official_by_id(post.platform, post.in_reply_to_account_id.value_or(""));
    if (to == nullptr) to = fetched_for;
    if (to == nullptr) continue;
    handle_reply(*to, post, now, batch.rejudged);
    if (std::find(replied_to.begin(), replied_to.end(), to) == replied_to.end())
      replied_to.push_back(to);
    // Reply authors whose names resemble the city are impersonation candidates too.
    if (!post.author_id.empty() && !post.author_display_name.empty()) {
      model::ProfileSnapshot author_profile;
      author_profile.platform = post.platform;
      author_profile.account_id = post.author_id;
      author_profile.handle = post.author_handle;
      author_profile.display_name = post.author_display_name;
      author_profile.created_at = post.author_created_at;
      author_profile.followers_count = post.author_followers_count;
      author_profile.observed_at = post.observed_at;
      queue_candidate(std::move(author_profile), now);
    }
  }
  if (facts_changed) rebuild_facts();
  judge_candidates();
  // A flood is judged in the polling cycle that brought it, not at the next tick: the accounts
  // this batch replied to (the others wait for the tick: with 2,000 accounts, judging all of them
  // for each batch was most of the loop's work, issue 20).
  if (!batch.new_posts.empty()) judge(now, replied_to);
}

void DetectionHub::handle_reply(const Official& to, const model::Post& reply, model::TimePoint now,
                                bool rejudged) {
  // A re-judged reply (store::StoredBatch::rejudged) is in the stored history the account's
  // detector was warm-started from: counted once already.
  if (!rejudged) rate_detector(to).observe(reply, now);
  misinfo::ReplyContext context;
  context.author_flagged_impersonator =
      tracked_.count(std::string(model::to_string(reply.platform)) + ":" + reply.author_id) > 0;
  // Both text detectors start from the reply normalized and analysed by MeCab: do it once.
  const detectors::text::NormalizedText normalized(reply.text);
  misinfo_->observe(reply, normalized, context, now);
  // Threats and fraud (白井市 4(5)) open their own incident per post at once, with the post kept
  // as evidence (its text, author, link and time; the store hashes it).
  if (const auto threat = detectors::threat::assess(normalized); threat.threat) {
    model::Finding f = detectors::threat::make_finding(reply, threat, now);
    const std::string who = "@" + to.account.handle + "（" +
                            std::string(model::display_name(to.account.platform)) + "）";
    std::string title = "脅迫・犯罪予告の疑い: " + who + "への書き込み（" + f.severity_label + "）";
    std::string summary = f.reasons.empty() ? title : f.reasons.front();
    // The incident is the town's whose account was addressed, with that account's department
    // (alert routes look at both), not `default`'s.
    record(std::move(f), {model::to_json_line(model::Observation(reply))}, std::move(title),
           std::move(summary), {}, to.account.municipality, {}, to.account.handle,
           JudgedPost{reply.post_id, rejudged});
  }
}

void DetectionHub::enable_avatars(std::vector<collectors::PlatformCollector*> collectors,
                                  prometheus::Registry* registry) {
  auto fetcher =
      std::make_shared<AvatarFetcher>(io_, std::move(collectors), AvatarFetcherOptions{}, registry);
  // An arriving icon goes into the detectors as it is (thousands arrive at start-up: building
  // the detectors again for each grew with accounts², issue 20).
  avatars_ = std::make_unique<ImpersonationAvatars>(
      std::move(fetcher),
      [this](model::Platform platform, const std::string& handle, const AvatarPtr& icon) {
        if (impersonation_stale_) return;  // the rebuild attaches every cached icon
        std::optional<imp::OfficialAvatarHash> hash;
        if (icon && icon->official_hash) hash = *icon->official_hash;
        for (auto& t : impersonation_) t.detector->set_official_avatar(platform, handle, hash);
      });
}

std::shared_ptr<AvatarFetcher> DetectionHub::avatar_fetcher() const {
  return avatars_ ? avatars_->shared_fetcher() : nullptr;
}

void DetectionHub::set_official_list_page(const std::string& html,
                                          const std::string& municipality) {
  auto digest = detectors::integrity::digest_html(html);
  // Links to profiles only: the page's text may name an impersonator to warn about it.
  digest.text.clear();
  log::info("detection.official_list_page",
            {{"municipality", municipality}, {"links", digest.links.size()}});
  list_pages_[municipality] = std::move(digest);
}

// When the text already resembles an official account, the decision waits for the icon
// (fetched and hashed off the loop); otherwise it is made on the text alone.
void DetectionHub::assess_candidate(const model::ProfileSnapshot& profile, model::TimePoint now) {
  // Any town's own account (by handle, or by id after a handle change) is official to all.
  if (official_by_handle(profile.platform, profile.handle) != nullptr ||
      official_by_id(profile.platform, profile.account_id) != nullptr)
    return;
  // Known official: a town's own list page links to it.
  for (const auto& [town, page] : list_pages_) {
    if (detectors::integrity::page_names_account(page, profile.platform, profile.handle,
                                                 mastodon_instance_))
      return;
  }
  if (avatars_ && !profile.avatar_url.empty()) {
    bool could_matter = false;
    double priority = 0.0;
    const auto& towns = impersonation();
    const auto features =
        towns.empty() ? imp::ProfileFeatures{} : towns.front().detector->prepare(profile);
    for (const auto& t : towns) {
      const auto text_only = t.detector->assess_prepared(features, profile, nullptr, now);
      if (!imp::avatar_could_matter(text_only)) continue;
      could_matter = true;
      priority = std::max(priority, text_only.score);
    }
    if (could_matter) {
      avatars_->candidate_avatar(profile, priority, [this, profile, now](AvatarPtr icon) {
        conclude_candidate(profile, now, icon);
      });
      return;
    }
  }
  conclude_candidate(profile, now, nullptr);
}

void DetectionHub::queue_candidate(model::ProfileSnapshot profile, model::TimePoint now) {
  candidates_.push_back({std::move(profile), now});
}

void DetectionHub::judge_candidates() {
  constexpr auto kSlice = std::chrono::milliseconds(20);
  const auto until = std::chrono::steady_clock::now() + kSlice;
  while (!candidates_.empty()) {
    const PendingCandidate c = std::move(candidates_.front());
    candidates_.pop_front();
    assess_candidate(c.profile, c.now);
    if (std::chrono::steady_clock::now() >= until) break;
  }
  if (candidates_.empty() || candidates_posted_) return;
  candidates_posted_ = true;
  asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_)] {
    if (alive.expired()) return;
    const metrics::EventLoopMeter::Scope metered("detection.candidates");
    candidates_posted_ = false;
    judge_candidates();
  });
}

void DetectionHub::conclude_candidate(const model::ProfileSnapshot& profile, model::TimePoint now,
                                      const AvatarPtr& icon) {
  const auto judged = assess_in_towns(profile, icon && icon->hash ? &*icon->hash : nullptr, now);
  if (judged.empty()) return;
  const imp::Assessment& a = judged.front().assessment;
  // A department, affiliated body or ward of the city (issue 18) is shown to staff, not an
  // incident.
  if (a.verdict == imp::Verdict::related) return note_related(profile, a);
  if (a.verdict == imp::Verdict::benign) return;
  for (const auto& in_town : judged) conclude_in_town(profile, now, icon, in_town);
}

void DetectionHub::conclude_in_town(const model::ProfileSnapshot& profile, model::TimePoint now,
                                    const AvatarPtr& icon, const TownAssessment& judged) {
  const imp::Assessment& a = judged.assessment;
  // This town's staff judged this account related or benign (assess_in_towns left the town out
  // while its profile is as they saw it): a material change (name, handle, link, icon) re-opens
  // the question (candidate_dispositions.h).
  const std::string& town = judged.town->town;
  bool reopened = false;
  if (const auto* d = dispositions_.decided(town, profile)) {
    if (same_material_profile(*d, profile)) return;
    reopened = true;
    const auto platform = d->platform;
    const std::string ref = d->account_ref;
    dispositions_.forget(town, platform, ref);
    database_.submit("detection.disposition_reopened", [town, platform, ref](pqxx::connection& c) {
      mark_reopened(c, town, platform, ref);
    });
    log::info("detection.disposition_reopened",
              {{"municipality", town}, {"platform", model::to_string(platform)}, {"account", ref}});
  }
  model::Finding f = imp::to_finding(a, profile, now);
  if (reopened)
    f.reasons.push_back(
        "関連アカウント・問題なしと判断された後に、表示名・ハンドル・リンク・アイコンのいずれかが変"
        "わりました");
  auto& t = tracked_[f.subject];
  const auto recorded = t.towns.find(town);
  const bool worse = reopened || recorded == t.towns.end() ||
                     static_cast<int>(a.verdict) > static_cast<int>(recorded->second);
  t.verdict = std::max(t.verdict, a.verdict);
  t.towns[town] = std::max(recorded == t.towns.end() ? a.verdict : recorded->second, a.verdict);
  t.handle = profile.handle;
  t.subject = f.subject;
  if (!worse) return;  // already recorded at this verdict: the re-check keeps it tracked
  std::vector<std::string> evidence{model::to_json_line(model::Observation(profile))};
  const std::string title =
      std::string(a.verdict == imp::Verdict::impersonation ? "成りすましの疑い"
                                                           : "成りすましの可能性") +
      ": @" + profile.handle + "（" + std::string(model::display_name(profile.platform)) + "）";
  std::string summary = "公式アカウント @" + a.matched_handle + " に似たアカウントを検知しました。";
  for (std::size_t i = 0; i < a.reasons.size() && i < 2; ++i) summary += a.reasons[i] + "。";
  auto icons = avatars_
                   ? avatars_->evidence(profile, icon, a, judged.town->detector->officials(), now)
                   : std::vector<incidents::EvidenceItem>{};
  record(std::move(f), std::move(evidence), title, summary, std::move(icons), town, profile.handle);
}

// Stores a related account once per name and handle seen (related_accounts.h).
void DetectionHub::note_related(const model::ProfileSnapshot& profile, const imp::Assessment& a) {
  RelatedSighting s;
  s.platform = profile.platform;
  s.account_ref = profile.account_id.empty() ? profile.handle : profile.account_id;
  s.handle = profile.handle;
  s.display_name = profile.display_name;
  s.family = a.components.family;
  s.matched_official = a.matched_handle;
  const std::string key = std::string(model::to_string(s.platform)) + ":" + s.account_ref + "|" +
                          s.handle + "|" + s.display_name;
  if (related_seen_.size() > 10000) related_seen_.clear();  // bounded; a repeat only re-stores
  if (!related_seen_.insert(key).second) return;
  if (!database_.submit("detection.related", [s](pqxx::connection& c) { record_related(c, s); })) {
    related_seen_.erase(key);
  }
}

void DetectionHub::handle_gone(const model::AccountGone& gone) {
  for (auto it = tracked_.begin(); it != tracked_.end(); ++it) {
    const std::string prefix = std::string(model::to_string(gone.platform)) + ":";
    if (it->first.rfind(prefix, 0) != 0) continue;
    if (it->first != prefix + gone.account_ref &&
        !model::iequals_ascii(it->second.handle, gone.account_ref))
      continue;
    const std::string subject = it->first;
    const std::string reason = gone.reason == "suspended" ? "凍結" : "削除";
    log::info("detection.subject_gone", {{"subject", subject}, {"reason", gone.reason}});
    database_.submit("detection.subject_gone", [subject, reason](pqxx::connection& c) {
      incidents::complete_automatic_checks(
          c, model::IncidentType::impersonation, subject, "subject_gone",
          "対象アカウントが" + reason + "されたことを確認しました");
    });
    tracked_.erase(it);
    return;
  }
}

void DetectionHub::tick() {
  const auto now = clock_.now();
  for (auto& [key, detector] : rates_) judge_rate(key, *detector, now);
  publish_flameup_metrics();
  judge_rest(now);
}

void DetectionHub::judge(model::TimePoint now, const std::vector<const Official*>& accounts) {
  for (const Official* o : accounts) {
    const std::string key = rate_key(o->account.platform, o->account.handle);
    const auto it = rates_.find(key);
    if (it == rates_.end() || !it->second) continue;
    judge_rate(key, *it->second, now);
    if (flameup_metrics_)
      flameup_metrics_->update(o->account.platform, o->account.handle, *it->second);
  }
  judge_rest(now);
}

void DetectionHub::judge_rate(const std::string& key, flame::ReplyRateDetector& detector,
                              model::TimePoint now) {
  for (auto& f : detector.advance(now)) {
    if (f.phase == model::FindingPhase::end) {
      // The detector's end ends the console's episode band (the rate came back, or its new
      // level became the normal); the calm-down step completes on its own max_ratio and
      // sustain (run_calm_checks).
      database_.submit("detection.flameup_end",
                       [f](pqxx::connection& c) { incidents::append_finding_to_live(c, f); });
      continue;
    }
    const Official* o = nullptr;
    for (const auto& off : officials_) {
      if (rate_key(off.account.platform, off.account.handle) == key) o = &off;
    }
    const std::string who = o ? "@" + o->account.handle + "（" +
                                    std::string(model::display_name(o->account.platform)) + "）"
                              : key;
    const std::string title = "炎上の兆候: " + who + "への返信が急増（" + f.severity_label + "）";
    const std::string summary = f.reasons.empty() ? title : f.reasons.front();
    record(std::move(f), {}, title, summary);
  }
}

void DetectionHub::judge_rest(model::TimePoint now) {
  run_calm_checks(now);
  for (auto& f : misinfo_->advance(now)) {
    const std::string title =
        "デマ・誤情報の拡散の疑い" + (f.reasons.empty() ? std::string() : ": " + f.reasons.front());
    const std::string summary = f.reasons.size() > 1 ? f.reasons[1] : title;
    record(std::move(f), {}, title.size() > 300 ? title.substr(0, title.rfind(' ', 300)) : title,
           summary);
  }
}

// rate_back_to_baseline steps on the detectors' current numbers, at most once a minute.
void DetectionHub::run_calm_checks(model::TimePoint now) {
  if (now - last_calm_check_ < std::chrono::minutes(1)) return;
  last_calm_check_ = now;
  incidents::CalmInputs in;
  in.bucket =
      std::chrono::duration_cast<std::chrono::seconds>(detectors::flameup::Settings{}.bucket);
  for (const auto& [key, detector] : rates_) {
    const auto& b = detector->recent_buckets();
    in.flameup[detector->subject()] = {b.begin(), b.end()};
  }
  in.misinformation = misinfo_->reported_activity();
  database_.submit("detection.calm_checks", [in = std::move(in), now](pqxx::connection& c) {
    incidents::run_calm_checks(c, in, now);
  });
}

void DetectionHub::plan_steps(incidents::NewIncident& fresh, const model::Finding& f) const {
  incidents::plan_playbook_steps(fresh, playbooks_.get(), f.type, f.severity,
                                 f.platform.value_or(model::Platform::x), clock_.now());
}

void DetectionHub::record(model::Finding finding, std::vector<std::string> evidence_json,
                          std::string title, std::string summary,
                          std::vector<incidents::EvidenceItem> more_evidence,
                          std::string municipality, std::string candidate_handle,
                          std::string official_handle, JudgedPost judged) {
  incidents::NewIncident fresh;
  fresh.municipality = std::move(municipality);
  fresh.official_handle = std::move(official_handle);
  fresh.title = std::move(title);
  fresh.summary = std::move(summary);
  plan_steps(fresh, finding);
  std::vector<incidents::EvidenceItem> evidence;
  for (auto& e : evidence_json)
    evidence.push_back(incidents::observation_evidence(std::move(e), finding.detected_at));
  for (auto& e : more_evidence) evidence.push_back(std::move(e));
  const alerts::AlertContext context = alert_context_;
  std::weak_ptr<bool> alive = alive_;
  const bool queued = database_.submit(
      "detection.record",
      [this, alive, finding, evidence, fresh, context, handle = std::move(candidate_handle),
       instance = mastodon_instance_, judged = std::move(judged)](pqxx::connection& c) {
        // Judged again after a crash (store::StoredBatch::rejudged): recorded only while the
        // post is still unjudged — its first judgement's incident dropped the mark.
        if (judged.again && finding.platform &&
            !store::still_unjudged(c, *finding.platform, judged.post_id))
          return;
        model::Finding described = finding;
        // Staff already reported this account by hand: the detection joins that incident.
        if (described.platform && !handle.empty()) {
          if (auto reported =
                  reported_subject_for(c, described.type, *described.platform, handle, instance))
            described.subject = std::move(*reported);
        }
        if (described.type == model::IncidentType::flameup) {
          describe_top_posts(c, described);
          describe_quote_share(c, described);
        }
        const auto r =
            alerts::record_finding(c, described, evidence, fresh, context,
                                   [&](pqxx::work& tx, const incidents::RecordResult&) {
                                     // The post's mark goes with the incident it opened, in one
                                     // transaction.
                                     if (!judged.post_id.empty() && described.platform)
                                       store::mark_judged(tx, *described.platform, judged.post_id);
                                   });
        asio::post(io_, [this, alive, r, subject = finding.subject, type = finding.type] {
          if (alive.expired()) return;
          ++findings_recorded_;
          log::info("detection.finding_recorded", {{"type", model::to_string(type)},
                                                   {"subject", subject},
                                                   {"incident_id", r.incident_id},
                                                   {"created", r.created}});
          if (alerts::wakes_dispatcher(r) && dispatcher_ != nullptr) dispatcher_->wake();
        });
      });
  if (!queued)
    log::error("detection.finding_dropped",
               {{"subject", finding.subject}, {"reason", "store queue full"}});
}

// Each town's names and variants, with its own handles on the platform (issue 20).
std::vector<std::string> DetectionHub::search_queries(model::Platform platform) {
  reload_tracked();  // flagged on other instances too: looked up from the next round on
  std::vector<std::string> out;
  for (const auto& town : towns_) {
    std::vector<std::string> handles;
    for (const auto& o : officials_) {
      if (o.account.platform == platform && o.account.municipality == town.id)
        handles.push_back(o.account.handle);
    }
    if (handles.empty()) continue;
    // Towns may share a query (a neighbour's name): the poller runs each once (unique_handles).
    for (auto& q : imp::search_queries(names_of(town), handles, 8)) out.push_back(std::move(q));
  }
  return out;
}

// Flagged candidates first, then the officials' look-alikes in turn, as many as the platform's
// quota allows this round (the poller sizes it: daemon/polling/lookup_budget.h).
polling::LookupRound DetectionHub::handles_to_check(model::Platform platform,
                                                    std::size_t max_handles) {
  const std::string prefix = std::string(model::to_string(platform)) + ":";
  std::vector<std::string> tracked;
  for (const auto& [subject, t] : tracked_) {
    if (subject.rfind(prefix, 0) == 0 && !t.handle.empty()) tracked.push_back(t.handle);
  }
  // Each official's look-alikes are generated once (they depend on the handle alone).
  std::map<std::string, std::vector<std::string>> kept;
  for (const auto& o : officials_) {
    if (o.account.platform != platform) continue;
    std::string key = prefix + o.account.handle;
    if (kept.count(key) > 0) continue;
    auto cached = lookalikes_.find(key);
    if (cached != lookalikes_.end()) {
      kept.emplace(std::move(key), std::move(cached->second));
      continue;
    }
    std::vector<std::string> handles;
    for (auto& l : imp::generate_lookalike_handles(platform, o.account.handle,
                                                   options_.lookalikes_per_account))
      handles.push_back(std::move(l.handle));
    kept.emplace(std::move(key), std::move(handles));
  }
  // Other platforms' entries stay; this platform's are what its officials are now.
  for (auto it = lookalikes_.begin(); it != lookalikes_.end();) {
    it = it->first.rfind(prefix, 0) == 0 ? lookalikes_.erase(it) : std::next(it);
  }
  std::vector<AccountLookalikes> accounts;
  accounts.reserve(kept.size());
  for (auto& [key, handles] : kept) {
    auto [it, inserted] = lookalikes_.emplace(key, std::move(handles));
    accounts.push_back({it->first, &it->second});
  }
  return rotations_[platform].next_round(tracked, accounts, max_handles, clock_.now());
}

}  // namespace mamori::detection
