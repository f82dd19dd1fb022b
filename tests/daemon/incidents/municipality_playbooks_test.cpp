// Playbook overrides of one municipality (issue 20): `[[municipalities]] playbook_overrides`
// applies to that municipality's incidents only. Read through the one settings loader, planned
// for a finding and stored by record_finding on a real PostgreSQL. 相馬市 uses the shipped
// soma-city overrides (playbooks/cities/soma: no individual replies to a flame-up); 新地町 keeps
// the instance's playbooks.
#include <gtest/gtest.h>

#include "daemon/app/settings.h"
#include "daemon/incidents/incident_store.h"
#include "daemon/incidents/playbook_steps.h"
#include "daemon/store/connection.h"
#include "daemon/store/migrations.h"
#include "tests/support/test_support.h"

namespace mamori::incidents {
namespace {

class MunicipalityPlaybooksTest : public ::testing::Test {
 protected:
  app::SettingsLoad load(const std::string& soma_overrides) {
    const auto source = testing::source_dir();
    const std::string text =
        "[database]\ndsn = \"postgresql:///mamori\"\n"
        "[playbooks]\ndir = \"" +
        (source / "playbooks").string() +
        "\"\n[misinfo]\nrumour_files = []\n"
        "[[municipalities]]\nid = \"soma\"\nname = \"相馬市\"\n"
        "playbook_overrides = [\"" +
        soma_overrides +
        "\"]\n"
        "[[municipalities]]\nid = \"shinchi\"\nname = \"新地町\"\n";
    testing::write_file(dir_.path() / "mamori.toml", text);
    return app::load_settings(dir_.path() / "mamori.toml",
                              config::CredentialSource::from_environment(),
                              testing::bin_dir() / "mamorid");
  }

  static bool has_step(const playbooks::PlaybookSet& set, const std::string& id) {
    const auto* pb = set.find(model::IncidentType::flameup);
    return pb != nullptr && pb->find(id) != nullptr;
  }

  testing::TempDir dir_;
};

TEST_F(MunicipalityPlaybooksTest, ATownsOverridesApplyToItsIncidentsOnly) {
  const auto loaded = load((testing::source_dir() / "playbooks" / "cities" / "soma").string());
  ASSERT_TRUE(loaded.ok()) << loaded.error_text();
  const auto& set = *loaded.settings->playbooks;
  EXPECT_FALSE(has_step(set.of("soma"), "reply_with_explanation"));
  EXPECT_TRUE(has_step(set.of("shinchi"), "reply_with_explanation"));
  EXPECT_TRUE(has_step(set, "reply_with_explanation"));  // the instance's own set is unchanged

  testing::ScratchDatabase db;
  auto c = store::connect(db.dsn(), std::nullopt);
  store::apply_migrations(*c);
  {
    pqxx::work tx(*c);
    tx.exec(
        "INSERT INTO official_accounts (platform, handle, municipality) VALUES"
        " ('x', 'soma_city', 'soma'), ('x', 'shinchi_town', 'shinchi')");
    tx.commit();
  }
  auto open = [&](const std::string& handle) {
    model::Finding f;
    f.type = model::IncidentType::flameup;
    f.subject = "x:account:" + handle;
    f.platform = model::Platform::x;
    f.severity = model::Severity::high;
    NewIncident fresh;
    fresh.title = "炎上の兆候";
    plan_playbook_steps(
        fresh, &set, f.type, f.severity, model::Platform::x,
        std::chrono::time_point_cast<std::chrono::milliseconds>(model::Clock::now()));
    const long long id = record_finding(*c, f, {}, fresh).incident_id;
    pqxx::nontransaction tx(*c);
    return tx
        .exec_params1(
            "SELECT count(*) FILTER (WHERE step_id = 'reply_with_explanation') || '/' ||"
            " count(*) FILTER (WHERE role = '情報システム管理者') FROM incident_steps"
            " WHERE incident_id = $1",
            id)[0]
        .as<std::string>();
  };
  EXPECT_EQ(open("soma_city").substr(0, 2), "0/");
  EXPECT_NE(open("soma_city").substr(2), "0");  // the city's roles too (merged steps)
  EXPECT_EQ(open("shinchi_town"), "1/0");
}

TEST_F(MunicipalityPlaybooksTest, ABrokenTownOverrideIsReportedWithTheTown) {
  std::filesystem::create_directories(dir_.path() / "soma_playbooks");
  testing::write_file(dir_.path() / "soma_playbooks" / "broken.toml", "type = \n");
  const auto loaded = load((dir_.path() / "soma_playbooks").string());
  EXPECT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error_text().find("soma: "), std::string::npos) << loaded.error_text();
  EXPECT_NE(loaded.error_text().find("broken.toml"), std::string::npos) << loaded.error_text();
}

}  // namespace
}  // namespace mamori::incidents
