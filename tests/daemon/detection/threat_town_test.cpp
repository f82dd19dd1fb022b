// Issue 20: a threat in a reply to one town's account is that town's incident, routed to its own
// on-call by its account's department — not filed under `default`, where a shared instance
// would page the wrong town (or nobody). The hub in-process on a real PostgreSQL
// (tests/support/in_process.h).
#include <gtest/gtest.h>

#include "daemon/detection/detection_hub.h"
#include "tests/support/in_process.h"

namespace mamori::detection {
namespace {

using namespace std::chrono_literals;

constexpr const char* kTwoTowns =
    "[[municipalities]]\nid = \"soma\"\nname = \"相馬市\"\n"
    "homepage = \"https://www.city.soma.fukushima.jp/\"\n"
    "[[municipalities.accounts]]\nplatform = \"x\"\nhandle = \"soma_city\"\n"
    "department = \"秘書広報課\"\n"
    "[[municipalities]]\nid = \"minamisoma\"\nname = \"南相馬市\"\n"
    "homepage = \"https://www.city.minamisoma.lg.jp/\"\n"
    "[[municipalities.accounts]]\nplatform = \"x\"\nhandle = \"minamisoma_koho\"\n"
    "department = \"防災安全課\"\n"
    "[platforms.x]\nenabled = true\nbearer_token = \"env:MAMORI_T_X\"\n";

model::ProfileSnapshot official(const std::string& id, const std::string& handle,
                                const std::string& name, model::TimePoint now) {
  model::ProfileSnapshot p;
  p.platform = model::Platform::x;
  p.account_id = id;
  p.handle = handle;
  p.display_name = name;
  p.created_at = now - std::chrono::days(3000);
  p.observed_at = now;
  return p;
}

model::Post threat_reply(const std::string& id, const std::string& to_account_id,
                         const std::string& to_handle, model::TimePoint now) {
  model::Post p;
  p.platform = model::Platform::x;
  p.post_id = id;
  p.author_id = "777";
  p.author_handle = "someone_angry";
  p.text = "@" + to_handle + " 明日の防災訓練の会場に爆弾を仕掛けた。中止しないと爆発する";
  p.created_at = now - 30s;
  p.in_reply_to_post_id = "notice-" + to_handle;
  p.in_reply_to_account_id = to_account_id;
  p.observed_at = now;
  return p;
}

TEST(ThreatTown, AThreatToATownsAccountIsThatTownsIncidentWithItsDepartment) {
  testing::InProcess env(model::TimePoint(std::chrono::seconds(1748736000)));
  const auto config = env.configure(kTwoTowns);
  DetectionHub hub(env.services(testing::InProcess::paging({"pager"})), config, env.playbooks,
                   HubOptions{});
  const auto now = env.clock.now();
  hub.on_stored(model::Platform::x, "soma_city",
                env.store({official("100", "soma_city", "相馬市", now)}));
  hub.on_stored(model::Platform::x, "minamisoma_koho",
                env.store({official("200", "minamisoma_koho", "南相馬市", now)}));
  // Fetched by the second town's replies job, and answering its account.
  hub.on_stored(model::Platform::x, "minamisoma_koho",
                env.store({threat_reply("t-1", "200", "minamisoma_koho", now)}));
  // And one to the first town's account.
  hub.on_stored(model::Platform::x, "soma_city",
                env.store({threat_reply("t-2", "100", "soma_city", now)}));
  ASSERT_TRUE(env.run_until([&] { return hub.findings_recorded() >= 2; }))
      << env.sql("SELECT count(*) FROM incidents");
  env.settle();
  EXPECT_EQ(env.sql("SELECT string_agg(subject || ' ' || municipality || ' ' || department, ','"
                    " ORDER BY subject) FROM incidents WHERE type = 'threat'"),
            "x:post:t-1 minamisoma 防災安全課,x:post:t-2 soma 秘書広報課");
  EXPECT_EQ(env.sql("SELECT count(*) FROM incidents WHERE municipality = 'default'"), "0");
}

}  // namespace
}  // namespace mamori::detection
