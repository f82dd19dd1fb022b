// The subject staff type when they open an incident by hand (a URL, "@handle", anything) is
// read as a platform account or post (daemon/incidents/subject_ref.h). Any bytes, with each
// platform chosen or none: no crash, and what resolves is well formed (a handle without
// spaces, a post only with an account, a platform that agrees with the one chosen).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "daemon/incidents/subject_ref.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string subject(reinterpret_cast<const char*>(data), size);
  using mamori::model::Platform;
  for (const std::optional<Platform> chosen :
       {std::optional<Platform>(), std::optional<Platform>(Platform::x),
        std::optional<Platform>(Platform::bluesky), std::optional<Platform>(Platform::mastodon)}) {
    const auto ref =
        mamori::incidents::resolve_subject(subject, chosen, "https://mastodon.example/");
    if (!ref) continue;
    if (chosen && ref->platform != *chosen) std::abort();
    if (ref->handle.find_first_of(" \t\r\n/") != std::string::npos) std::abort();
    if (!ref->post_id.empty() && ref->handle.empty()) std::abort();
    (void)mamori::incidents::describe(*ref);
  }
  (void)mamori::incidents::resolve_manual_subject("manual:" + subject, "mastodon", "");
  return 0;
}
