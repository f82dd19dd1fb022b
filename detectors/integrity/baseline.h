// The approved state of one of the city's own accounts, and what differs from it in a later
// observation. An unexpected change of name, handle, profile text, link, icon or verification is
// a sign of unauthorised access (ube-city.txt 6, shiroi-city.txt 4(5), special-ward.txt 5(6));
// a change staff registered in advance (soma-city.txt 4(2): changes are announced a month
// ahead) only moves the baseline.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/finding.h"
#include "model/observation.h"

namespace mamori::detectors::integrity {

enum class ProfileField { display_name, handle, description, url, avatar, verified };

std::string_view to_string(ProfileField f);  // "display_name", "handle", ...
std::optional<ProfileField> profile_field_from_string(std::string_view s);
std::string_view field_label(ProfileField f);  // 表示名, ハンドル, プロフィール文, ...

struct AccountBaseline {
  model::Platform platform = model::Platform::x;
  std::string account_id;
  std::string handle;
  std::string display_name;
  std::string description;
  std::string url;
  std::string avatar_url;
  std::optional<std::uint64_t> avatar_phash;  // when the icon was hashed (64-bit pHash)
  bool verified = false;
};

AccountBaseline baseline_from(const model::ProfileSnapshot& p,
                              std::optional<std::uint64_t> avatar_phash = std::nullopt);

struct FieldChange {
  ProfileField field = ProfileField::display_name;
  std::string before;  // as stored (verified: "true"/"false")
  std::string after;
};

struct DiffOptions {
  // Icons are compared by pHash when both sides have one (a re-encoded upload of the same
  // picture changes the URL but not the picture); otherwise by URL.
  int avatar_max_distance = 10;
};

// The fields of `observed` that differ from `baseline`. Handles compare case-insensitively
// (platforms treat them so); text compares exactly (a changed character is a change).
std::vector<FieldChange> diff(const AccountBaseline& baseline,
                              const model::ProfileSnapshot& observed,
                              std::optional<std::uint64_t> observed_avatar_phash = std::nullopt,
                              const DiffOptions& options = {});

// The value of `field` in an observation, as FieldChange::after would hold it.
std::string field_value(const model::ProfileSnapshot& p, ProfileField field);

// A change announced in advance: `field` is expected to become `value` (empty value: any new
// value) at some time in [valid_from, valid_until].
struct RegisteredChange {
  long long id = 0;
  ProfileField field = ProfileField::display_name;
  std::string value;
  model::TimePoint valid_from{};
  model::TimePoint valid_until{};
};

// The registration that covers `change` at `now`, if any.
const RegisteredChange* matching_registration(const FieldChange& change,
                                              const std::vector<RegisteredChange>& registered,
                                              model::TimePoint now);

// Moves the baseline to the changed value.
void apply(AccountBaseline& baseline, const FieldChange& change);

// One Japanese sentence for staff: 表示名が「相馬市」から「Free Crypto」に変わりました.
std::string describe(const FieldChange& change);

// The finding for unexpected changes. Subject "<platform>:official:<handle>" (the account as
// configured), shared with the own-post anomalies so one incident gathers both. A changed
// handle, link or name is high; several fields at once, or a link to a shortener, critical.
model::Finding profile_change_finding(const AccountBaseline& baseline,
                                      const std::vector<FieldChange>& unexpected,
                                      std::string_view configured_handle, model::TimePoint now);

std::string compromise_subject(model::Platform platform, std::string_view configured_handle);

}  // namespace mamori::detectors::integrity
