// The integrity monitor in-process on a real PostgreSQL (tests/support/in_process.h): official
// profiles go straight to IntegrityMonitor::on_stored, `now` is a manual clock. The first profile
// becomes the approved baseline; an unexpected change opens one account_compromise incident,
// pages once and is linked to its observed changes; a change seen again adds nothing. The
// end-to-end path (fake platform, homepage, API) stays in integrity_integration_test.cpp.
#include "daemon/integrity/integrity_monitor.h"

#include <gtest/gtest.h>

#include "tests/support/in_process.h"

namespace mamori::integrity {
namespace {

using namespace std::chrono_literals;

class IntegrityMonitorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = env_.configure(
        "[municipality]\nname = \"相馬市\"\nhomepage = \"https://www.city.soma.fukushima.jp/\"\n"
        "[platforms.x]\nenabled = true\nbearer_token = \"env:MAMORI_T_X\"\n"
        "[[accounts]]\nplatform = \"x\"\nhandle = \"soma_city\"\n");
    IntegrityOptions o;
    o.hash_avatars = false;  // icons judged by URL: no collectors here
    monitor_ =
        std::make_unique<IntegrityMonitor>(env_.services(testing::InProcess::paging({"pager"})),
                                           config_, env_.playbooks, IntegritySources{}, o);
  }
  void TearDown() override { monitor_.reset(); }

  model::ProfileSnapshot profile(const std::string& description) const {
    model::ProfileSnapshot p;
    p.platform = model::Platform::x;
    p.account_id = "100";
    p.handle = "soma_city";
    p.display_name = "相馬市";
    p.description = description;
    p.url = "https://www.city.soma.fukushima.jp/";
    p.observed_at = env_.clock.now();
    return p;
  }

  void see(const model::ProfileSnapshot& p) {
    store::StoredBatch batch;
    batch.changed_profiles.push_back(p);
    monitor_->on_stored(model::Platform::x, "", batch);
    env_.settle();
  }

  std::string count(const std::string& from_where) {
    return env_.sql("SELECT count(*) FROM " + from_where);
  }

  testing::InProcess env_;
  config::Config config_;
  std::unique_ptr<IntegrityMonitor> monitor_;
};

TEST_F(IntegrityMonitorTest, FirstProfileIsTheBaselineAnUnexpectedChangeIsOneCompromiseIncident) {
  see(profile("福島県相馬市の公式アカウントです。"));
  EXPECT_EQ(count("incidents"), "0");

  env_.clock.advance(10min);
  see(profile("仮想通貨プレゼント実施中！DMください"));
  ASSERT_EQ(count("incidents"), "1");
  EXPECT_EQ(env_.sql("SELECT type || ' ' || severity || ' ' || status FROM incidents"),
            "account_compromise medium open");
  EXPECT_NE(env_.sql("SELECT title FROM incidents").find("@soma_city（X）"), std::string::npos);
  EXPECT_NE(count("incident_steps"), "0");
  EXPECT_EQ(count("alert_outbox WHERE kind = 'trigger' AND channel = 'pager'"), "1");
  // The observed change is linked to the incident it opened, in the same transaction.
  EXPECT_EQ(env_.sql("SELECT count(*) FROM integrity_observed_changes c JOIN incidents i ON i.id = "
                     "c.incident_id"),
            "1");

  // The same profile again: judged already, nothing new.
  env_.clock.advance(1min);
  see(profile("仮想通貨プレゼント実施中！DMください"));
  EXPECT_EQ(count("incident_findings"), "1");
  EXPECT_EQ(count("alert_outbox"), "1");
}

}  // namespace
}  // namespace mamori::integrity
