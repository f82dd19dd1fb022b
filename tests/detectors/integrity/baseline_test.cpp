#include "detectors/integrity/baseline.h"

#include <gtest/gtest.h>

namespace mamori::detectors::integrity {
namespace {

using namespace std::chrono_literals;

model::ProfileSnapshot official() {
  model::ProfileSnapshot p;
  p.platform = model::Platform::x;
  p.account_id = "100";
  p.handle = "soma_city";
  p.display_name = "相馬市";
  p.description = "相馬市の公式アカウントです。運用: 秘書広報課";
  p.url = "https://www.city.soma.fukushima.jp/";
  p.avatar_url = "https://pbs.twimg.com/profile_images/1/a.png";
  return p;
}

model::TimePoint at(long long s) {
  return model::TimePoint(std::chrono::seconds(s));
}

TEST(Baseline, IdenticalProfileHasNoChanges) {
  const auto b = baseline_from(official());
  EXPECT_TRUE(diff(b, official()).empty());
  auto upper = official();
  upper.handle = "Soma_City";  // platforms treat handles case-insensitively
  EXPECT_TRUE(diff(b, upper).empty());
}

TEST(Baseline, EachVisibleFieldIsReportedWithBeforeAndAfter) {
  const auto b = baseline_from(official());
  auto o = official();
  o.display_name = "Free Crypto";
  o.url = "https://bit.ly/abc";
  o.verified = true;
  const auto changes = diff(b, o);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].field, ProfileField::display_name);
  EXPECT_EQ(changes[0].before, "相馬市");
  EXPECT_EQ(changes[0].after, "Free Crypto");
  EXPECT_EQ(changes[1].field, ProfileField::url);
  EXPECT_EQ(changes[2].field, ProfileField::verified);
  EXPECT_EQ(changes[2].after, "true");
  EXPECT_EQ(describe(changes[0]), "表示名が「相馬市」から「Free Crypto」に変わりました");
  EXPECT_EQ(describe(changes[2]), "認証バッジが付きました");
}

TEST(Baseline, AvatarComparedByHashWhenBothSidesHaveOne) {
  const auto b = baseline_from(official(), 0xF0F0F0F0F0F0F0F0ULL);
  auto o = official();
  o.avatar_url = "https://pbs.twimg.com/profile_images/2/a.png";  // re-uploaded
  EXPECT_TRUE(diff(b, o, 0xF0F0F0F0F0F0F0F1ULL).empty()) << "same picture, new URL";
  const auto changed = diff(b, o, 0x0F0F0F0F0F0F0F0FULL);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].field, ProfileField::avatar);
  // Without a hash, the URL decides.
  EXPECT_EQ(diff(baseline_from(official()), o).size(), 1u);
}

TEST(Baseline, RegistrationMatchesFieldValueAndTimeWindow) {
  FieldChange c{ProfileField::display_name, "相馬市", "相馬市（防災）"};
  std::vector<RegisteredChange> regs{
      {1, ProfileField::display_name, "相馬市（防災）", at(100), at(200)},
      {2, ProfileField::url, "", at(100), at(200)}};
  EXPECT_EQ(matching_registration(c, regs, at(150))->id, 1);
  EXPECT_EQ(matching_registration(c, regs, at(250)), nullptr) << "expired";
  EXPECT_EQ(matching_registration(c, regs, at(50)), nullptr) << "not yet valid";
  c.after = "相馬市公式";
  EXPECT_EQ(matching_registration(c, regs, at(150)), nullptr) << "another value";
  FieldChange u{ProfileField::url, "a", "b"};
  EXPECT_EQ(matching_registration(u, regs, at(150))->id, 2) << "empty value: any new value";
}

TEST(Baseline, ApplyMovesBaselineSoTheSameChangeIsNotReportedAgain) {
  auto b = baseline_from(official());
  auto o = official();
  o.handle = "soma_city_official";
  o.description = "新しい説明";
  for (const auto& c : diff(b, o)) apply(b, c);
  EXPECT_TRUE(diff(b, o).empty());
  EXPECT_EQ(b.handle, "soma_city_official");
}

TEST(Baseline, FindingSeverityFollowsWhatChanged) {
  const auto b = baseline_from(official());
  const auto now = at(1000);
  auto f = profile_change_finding(b, {{ProfileField::description, "a", "b"}}, "soma_city", now);
  EXPECT_EQ(f.type, model::IncidentType::account_compromise);
  EXPECT_EQ(f.subject, "x:official:soma_city");
  EXPECT_EQ(f.severity, model::Severity::medium);
  f = profile_change_finding(b, {{ProfileField::display_name, "相馬市", "x"}}, "Soma_City", now);
  EXPECT_EQ(f.severity, model::Severity::high);
  EXPECT_EQ(f.subject, "x:official:soma_city");
  f = profile_change_finding(
      b, {{ProfileField::url, "https://www.city.soma.fukushima.jp/", "https://bit.ly/x"}},
      "soma_city", now);
  EXPECT_EQ(f.severity, model::Severity::critical);
  ASSERT_GE(f.reasons.size(), 2u);
  EXPECT_NE(f.reasons[1].find("短縮URL"), std::string::npos);
  EXPECT_NE(f.evidence_json.find("\"field\":\"url\""), std::string::npos);
}

TEST(Baseline, LongTextIsCutInTheReason) {
  FieldChange c{ProfileField::description, "", std::string(300, 'a')};
  const auto s = describe(c);
  EXPECT_LT(s.size(), 150u);
  EXPECT_NE(s.find("（空欄）"), std::string::npos);
}

TEST(Baseline, FieldNamesRoundTrip) {
  for (auto f : {ProfileField::display_name, ProfileField::handle, ProfileField::description,
                 ProfileField::url, ProfileField::avatar, ProfileField::verified}) {
    EXPECT_EQ(profile_field_from_string(to_string(f)), f);
  }
  EXPECT_FALSE(profile_field_from_string("password").has_value());
}

}  // namespace
}  // namespace mamori::detectors::integrity
