// Start-up with many official accounts (issue 20): official profiles and icons arrive one by
// one, and each must not rebuild the impersonation detector (work growing with accounts²,
// event-loop stalls of seconds with 2,000 accounts). The hub runs in-process on a real
// PostgreSQL; icons are fetched from the fake platform through the real X collector and hashed.
#include <gtest/gtest.h>

#include "collectors/http/curl_multi_client.h"
#include "collectors/ratelimit/governed_http_client.h"
#include "collectors/x/x_collector.h"
#include "daemon/detection/detection_hub.h"
#include "tests/support/fake_platform.h"
#include "tests/support/in_process.h"

namespace mamori::detection {
namespace {

using namespace std::chrono_literals;

constexpr int kOfficials = 12;

std::string config_text() {
  std::string t =
      "[municipality]\nname = \"相馬市\"\nhomepage = \"https://www.city.soma.fukushima.jp/\"\n"
      "[platforms.x]\nenabled = true\nbearer_token = \"env:MAMORI_T_X\"\n";
  for (int i = 0; i < kOfficials; ++i)
    t += "[[accounts]]\nplatform = \"x\"\nhandle = \"soma_dept" + std::to_string(i) + "\"\n";
  return t;
}

TEST(DetectionStartUp, OfficialProfilesAndIconsArrivingOneByOneRebuildTheDetectorOnce) {
  testing::InProcess env;
  testing::TempDir dir;
  testing::FakePlatform fake(testing::source_dir() / "tests/fakeplatform/scenarios/small.toml",
                             dir);
  collectors::CurlClientOptions o;
  o.allowed_hosts.add("127.0.0.1");
  collectors::CurlMultiClient curl(env.io, o);
  collectors::SystemClock wall;
  collectors::GovernedHttpClient governed(env.io, curl, nullptr, wall);
  collectors::x::XCollectorOptions xo;
  xo.api_base = fake.base_url();
  xo.bearer_token = "x-test-bearer";
  collectors::x::XCollector x(governed, xo);

  const auto config = env.configure(config_text());
  auto hub = std::make_unique<DetectionHub>(env.services(), config, env.playbooks, HubOptions{});
  hub->enable_avatars({&x}, &env.registry);
  const std::size_t built_at_start = hub->impersonation_rebuilds();

  // Each official's first profile comes in its own batch, as each account's poll brings it,
  // with its own icon URL (the fake serves the city's icon for each).
  std::vector<std::string> icons;
  for (int i = 0; i < kOfficials; ++i) {
    model::ProfileSnapshot p;
    p.platform = model::Platform::x;
    p.account_id = "90" + std::to_string(i);
    p.handle = "soma_dept" + std::to_string(i);
    p.display_name = "相馬市 部署" + std::to_string(i);
    p.description = "福島県相馬市の公式アカウントです。";
    p.url = "https://www.city.soma.fukushima.jp/";
    p.avatar_url = fake.base_url() + "/media/x/1402345678901234567.png?v=" + std::to_string(i);
    p.observed_at = env.clock.now();
    icons.push_back(p.avatar_url);
    hub->on_stored(model::Platform::x, p.handle, env.store({p}));
  }
  // Every icon fetched and hashed (each one's arrival marks the detector stale).
  ASSERT_TRUE(env.run_until(
      [&] {
        return std::all_of(icons.begin(), icons.end(), [&](const std::string& url) {
          auto a = hub->avatar_fetcher()->cached(url, AvatarRole::official);
          return a && a->official_hash;
        });
      },
      30s));
  env.settle();
  EXPECT_EQ(hub->impersonation_rebuilds(), built_at_start);

  // The first candidate judged builds it once, with every official and icon; later ones reuse it.
  model::ProfileSnapshot fake_city;
  fake_city.platform = model::Platform::x;
  fake_city.account_id = "777";
  fake_city.handle = "soma_dept0_";
  fake_city.display_name = "相馬市 部署0";
  fake_city.description = "福島県相馬市の公式アカウントです。";
  fake_city.created_at = env.clock.now() - 24h;
  fake_city.observed_at = env.clock.now();
  hub->on_stored(model::Platform::x, "", env.store({fake_city}));
  ASSERT_TRUE(env.run_until([&] { return hub->findings_recorded() > 0; }, 30s));
  EXPECT_EQ(hub->impersonation_rebuilds(), built_at_start + 1);
  fake_city.account_id = "778";
  fake_city.handle = "soma_dept1_";
  fake_city.display_name = "相馬市 部署1";
  hub->on_stored(model::Platform::x, "", env.store({fake_city}));
  ASSERT_TRUE(env.run_until([&] { return hub->findings_recorded() > 1; }, 30s));
  EXPECT_EQ(hub->impersonation_rebuilds(), built_at_start + 1);

  hub->stop();
  governed.shutdown();
  curl.shutdown();
  env.settle();
  hub.reset();
}

// An official icon that arrives after the detector was built (a changed icon, or one fetched
// late) goes into the built detector as it is: no rebuild, and a candidate copying that icon is
// judged with it.
TEST(DetectionStartUp, AnOfficialIconArrivingLaterIsSetIntoTheBuiltDetector) {
  testing::InProcess env;
  testing::TempDir dir;
  testing::FakePlatform fake(testing::source_dir() / "tests/fakeplatform/scenarios/small.toml",
                             dir);
  collectors::CurlClientOptions o;
  o.allowed_hosts.add("127.0.0.1");
  collectors::CurlMultiClient curl(env.io, o);
  collectors::SystemClock wall;
  collectors::GovernedHttpClient governed(env.io, curl, nullptr, wall);
  collectors::x::XCollectorOptions xo;
  xo.api_base = fake.base_url();
  xo.bearer_token = "x-test-bearer";
  collectors::x::XCollector x(governed, xo);

  const auto config = env.configure(config_text());
  auto hub = std::make_unique<DetectionHub>(env.services(), config, env.playbooks, HubOptions{});
  hub->enable_avatars({&x}, &env.registry);

  auto official = [&](int i) {
    model::ProfileSnapshot p;
    p.platform = model::Platform::x;
    p.account_id = "90" + std::to_string(i);
    p.handle = "soma_dept" + std::to_string(i);
    p.display_name = "相馬市 部署" + std::to_string(i);
    p.description = "福島県相馬市の公式アカウントです。";
    p.url = "https://www.city.soma.fukushima.jp/";
    p.observed_at = env.clock.now();
    return p;
  };
  // The officials first seen without icons; a first candidate (no icon) builds the detector.
  for (int i = 0; i < kOfficials; ++i)
    hub->on_stored(model::Platform::x, "soma_dept" + std::to_string(i), env.store({official(i)}));
  model::ProfileSnapshot first;
  first.platform = model::Platform::x;
  first.account_id = "777";
  first.handle = "soma_dept0_";
  first.display_name = "相馬市 部署0";
  first.description = "福島県相馬市の公式アカウントです。";
  first.created_at = env.clock.now() - 24h;
  first.observed_at = env.clock.now();
  hub->on_stored(model::Platform::x, "", env.store({first}));
  ASSERT_TRUE(env.run_until([&] { return hub->findings_recorded() > 0; }, 30s));
  const std::size_t built = hub->impersonation_rebuilds();

  // soma_dept5's icon appears (its profile text unchanged).
  const std::string icon_url = fake.base_url() + "/media/x/1402345678901234567.png?v=late";
  auto with_icon = official(5);
  with_icon.avatar_url = icon_url;
  hub->on_stored(model::Platform::x, with_icon.handle, env.store({with_icon}));
  ASSERT_TRUE(env.run_until(
      [&] {
        auto a = hub->avatar_fetcher()->cached(icon_url, AvatarRole::official);
        return a && a->official_hash;
      },
      30s));
  env.settle();
  EXPECT_EQ(hub->impersonation_rebuilds(), built);

  // A look-alike of soma_dept5 with a copy of that icon: the icon is part of the judgement.
  model::ProfileSnapshot copy;
  copy.platform = model::Platform::x;
  copy.account_id = "779";
  copy.handle = "soma_dept5_";
  copy.display_name = "相馬市 部署5";
  copy.description = "福島県相馬市の公式アカウントです。";
  copy.avatar_url = fake.base_url() + "/media/x/1402345678901234567.png?v=copy";
  copy.created_at = env.clock.now() - 24h;
  copy.observed_at = env.clock.now();
  hub->on_stored(model::Platform::x, "", env.store({copy}));
  ASSERT_TRUE(env.run_until([&] { return hub->findings_recorded() > 1; }, 30s));
  EXPECT_EQ(hub->impersonation_rebuilds(), built);
  EXPECT_EQ(env.sql("SELECT count(*) FROM incident_findings f JOIN incidents i ON i.id = "
                    "f.incident_id WHERE i.subject = 'x:779' AND "
                    "array_to_string(f.reasons, ' ') LIKE '%アイコンが一致%'"),
            "1")
      << env.sql("SELECT array_to_string(reasons, ' | ') FROM incident_findings ORDER BY id DESC");

  hub->stop();
  governed.shutdown();
  curl.shutdown();
  env.settle();
  hub.reset();
}

}  // namespace
}  // namespace mamori::detection
