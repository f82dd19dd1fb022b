// What an incident opened by hand is about, when mamori can tell: the subject staff typed (a
// profile or post URL, or "@handle" with the platform chosen) read as a platform account or post,
// so the detector checks keyed on accounts and posts (subject_gone, rate_back_to_baseline) can run
// for it as for a detected incident. The one reader of such subjects in the daemon: the manual
// report's platform guess (detection/manual_report.h) goes through it too.
//
//   x.com/<handle>, x.com/<handle>/status/<id>      (twitter.com, mobile.twitter.com)
//   bsky.app/profile/<handle or DID>[/post/<rkey>]
//   https://<mastodon instance>/@<user>[@<domain>][/<id>]   the configured instance, or any
//                                                   host when the platform given is Mastodon
//   @handle, handle, @user@domain                   with the platform given
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/platform.h"

namespace mamori::incidents {

struct SubjectRef {
  model::Platform platform = model::Platform::x;
  // The account as the platform's lookup takes it: X screen name, Bluesky handle or DID, Mastodon
  // acct ("user" on the configured instance, "user@domain" elsewhere). Empty when the subject
  // names only the platform (a URL of its home page, a search page...).
  std::string handle;
  std::string post_id;  // when the subject names a post (X status id, Bluesky rkey, Mastodon id)
};

// `subject` without the "manual:" prefix. `platform` is the one staff chose, if any: a URL on
// another platform's host does not resolve. `mastodon_instance` is [platforms.mastodon] instance.
std::optional<SubjectRef> resolve_subject(std::string_view subject,
                                          std::optional<model::Platform> platform,
                                          std::string_view mastodon_instance);

// The same for an incident's stored subject: "manual:<subject>" (opened by hand) resolves as
// above; a detector's subject is not read here (its checks already know it).
std::optional<SubjectRef> resolve_manual_subject(std::string_view incident_subject,
                                                 std::string_view incident_platform,
                                                 std::string_view mastodon_instance);

// "@soma__city（X）", "投稿 123（X）": how staff see a resolved subject in messages.
std::string describe(const SubjectRef& ref);

}  // namespace mamori::incidents
