// Avatars in the impersonation pipeline, end to end: mamorid polls the fake platform, finds
// impersonators on Bluesky and Mastodon within one search cycle, fetches and hashes their icons
// (and the official ones), gives an icon reason, stores the icons as mamori-encoded PNG evidence
// served by GET /api/v1/incidents/:id/evidence/:evidence_id; broken, bomb and oversized icons are
// logged and counted and never stop detection.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <string>

#include "tests/support/fake_platform.h"

namespace mamori {
namespace {

using namespace std::chrono_literals;
using testing::sql;

constexpr const char* kApiToken = "avatar-test-token-0123456789abcdef-0123";

// The three official accounts of small.toml, an ordinary user per platform, and the test's own
// accounts appended.
std::string scenario(const std::string& more_accounts) {
  return R"(
[x]
bearer_token = "x-test-bearer"
[bluesky]
identifier = "soma-city.bsky.social"
password = "test-app-password"
[mastodon]
access_token = "mastodon-test-token"
account = "soma_city"

[[account]]
platform = "x"
handle = "soma_city"
display_name = "相馬市"
description = "福島県相馬市の公式アカウントです。災害情報やイベント情報をお届けします。"
url = "https://www.city.soma.fukushima.jp/"
avatar_pattern = "soma-official"
created_at = "2013-04-01T00:00:00.000Z"
followers = 15200

[[account]]
platform = "bluesky"
handle = "soma-city.bsky.social"
display_name = "相馬市"
description = "福島県相馬市の公式アカウント"
url = "https://www.city.soma.fukushima.jp/"
avatar_pattern = "soma-official"

[[account]]
platform = "mastodon"
handle = "soma_city"
display_name = "相馬市"
description = "福島県相馬市の公式アカウントです。"
url = "https://www.city.soma.fukushima.jp/"
avatar_pattern = "soma-official"

[[account]]
platform = "bluesky"
handle = "hanako.bsky.social"
display_name = "はなこ"
)" + more_accounts;
}

struct Fetched {
  int status = 0;
  std::string content_type;
  std::string nosniff;
  std::string disposition;
  std::string body;
};

// GET with the API token, keeping the response headers (test_support's client drops them).
Fetched api_get(unsigned short port, const std::string& target) {
  namespace beast = boost::beast;
  namespace bhttp = beast::http;
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  req.set(bhttp::field::authorization, std::string("Bearer ") + kApiToken);
  bhttp::write(socket, req);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(16 * 1024 * 1024);
  bhttp::read(socket, buffer, parser);
  const auto& res = parser.get();
  Fetched f;
  f.status = static_cast<int>(res.result_int());
  f.content_type = std::string(res[bhttp::field::content_type]);
  f.nosniff = std::string(res["X-Content-Type-Options"]);
  f.disposition = std::string(res[bhttp::field::content_disposition]);
  f.body = res.body();
  return f;
}

struct Daemon {
  testing::ScratchDatabase db;
  testing::TempDir dir;
  std::unique_ptr<testing::FakePlatform> fake;
  std::unique_ptr<testing::ChildProcess> mamorid;
  unsigned short port = 0;

  explicit Daemon(const std::string& scenario_text,
                  const std::vector<std::pair<std::string, std::string>>& files = {}) {
    for (const auto& [name, bytes] : files) testing::write_file(dir.path() / name, bytes);
    testing::write_file(dir.path() / "scenario.toml", scenario_text);
    fake = std::make_unique<testing::FakePlatform>(dir.path() / "scenario.toml", dir);
    testing::set_fake_credentials_env();
    setenv("MAMORI_T_API", kApiToken, 1);
    testing::MamoridSetup setup;
    setup.dsn = db.dsn();
    port = testing::free_tcp_port();
    setup.http_port = port;
    setup.fake_base_url = fake->base_url();
    setup.accounts = {
        {"x", "soma_city"}, {"bluesky", "soma-city.bsky.social"}, {"mastodon", "soma_city"}};
    setup.extra =
        "[[api_tokens]]\nname = \"test\"\nrole = \"viewer\"\ntoken = \"env:MAMORI_T_API\"\n";
    testing::write_file(dir.path() / "mamori.toml", testing::mamorid_config(setup));
    mamorid = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{(testing::bin_dir() / "mamorid").string(), "--config",
                                 (dir.path() / "mamori.toml").string()},
        dir.path() / "mamorid.log");
  }

  std::string incident_of(const std::string& handle) const {
    return sql(db.dsn(),
               "SELECT id FROM incidents WHERE type = 'impersonation' AND title LIKE '%@" + handle +
                   "（%'");
  }
  bool stop() {
    mamorid->signal(SIGTERM);
    return mamorid->wait_for_exit(20s) == std::optional<int>(0);
  }
};

TEST(AvatarDetection, ImpersonatorsOnBlueskyAndMastodonWithTheCopiedIconAreFoundWithinOneCycle) {
  // Both appear 8 s in, with the official icon a few pixels off; the search job runs every 5 s.
  Daemon d(scenario(R"(
[[account]]
platform = "bluesky"
handle = "soma-clty.bsky.social"
display_name = "相馬市"
description = "相馬市の公式アカウントです"
avatar_pattern = "soma-official"
avatar_tweak = 12
appears_at = 8

[[account]]
platform = "mastodon"
handle = "soma_clty"
display_name = "相馬市【公式】"
description = "相馬市からのお知らせ"
avatar_pattern = "soma-official"
avatar_tweak = 12
appears_at = 8
)"));
  ASSERT_TRUE(testing::eventually(
      [&] {
        return !d.incident_of("soma-clty.bsky.social").empty() &&
               !d.incident_of("soma\\_clty").empty();
      },
      60s))
      << d.mamorid->log()
      << "\nincidents: " << sql(d.db.dsn(), "SELECT type, subject, title FROM incidents");
  // Within one cycle of becoming visible: opened no later than one search interval (5 s) after
  // the account appeared, plus time for the lookups and the store (generous on a loaded machine).
  const double fake_started =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count() -
      d.fake->scenario_time();
  for (const std::string handle : {"soma-clty.bsky.social", "soma\\_clty"}) {
    const std::string id = d.incident_of(handle);
    const double opened = std::stod(
        sql(d.db.dsn(), "SELECT extract(epoch FROM opened_at) FROM incidents WHERE id = " + id));
    EXPECT_LE(opened - (fake_started + 8.0), 5.0 + 10.0) << handle;
    const std::string reasons = sql(
        d.db.dsn(),
        "SELECT array_to_string(reasons, ' / ') FROM incident_findings WHERE incident_id = " + id);
    EXPECT_NE(reasons.find("アイコンが一致"), std::string::npos) << handle << ": " << reasons;
    EXPECT_EQ(sql(d.db.dsn(), "SELECT severity FROM incidents WHERE id = " + id), "high") << handle;
    // The candidate's icon and the official icon it was compared with.
    EXPECT_EQ(sql(d.db.dsn(),
                  "SELECT count(*) FROM evidence WHERE kind = 'avatar' AND incident_id = " + id),
              "2")
        << handle;
  }
  // The city's own accounts and the ordinary user are not flagged.
  EXPECT_EQ(sql(d.db.dsn(), "SELECT count(*) FROM incidents WHERE type = 'impersonation'"), "2")
      << sql(d.db.dsn(), "SELECT subject, title FROM incidents");

  // The evidence through the API: listed with ids; the icons come back as mamori's own PNGs.
  const std::string id = d.incident_of("soma-clty.bsky.social");
  const Fetched incident = api_get(d.port, "/api/v1/incidents/" + id);
  ASSERT_EQ(incident.status, 200) << incident.body;
  const auto evidence = boost::json::parse(incident.body).as_object().at("evidence").as_array();
  int avatars = 0;
  for (const auto& v : evidence) {
    const auto& item = v.as_object();
    ASSERT_TRUE(item.contains("id"));
    const std::string evidence_id = std::to_string(item.at("id").to_number<long long>());
    const std::string kind(item.at("kind").as_string());
    const Fetched content = api_get(d.port, "/api/v1/incidents/" + id + "/evidence/" + evidence_id);
    ASSERT_EQ(content.status, 200) << content.body;
    EXPECT_EQ(content.nosniff, "nosniff");
    if (kind == "avatar") {
      ++avatars;
      EXPECT_EQ(content.content_type, "image/png");
      EXPECT_EQ(content.body.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
      const std::string description(item.at("description").as_string());
      EXPECT_NE(description.find("SHA-256 "), std::string::npos) << description;
      EXPECT_NE(description.find("PNG に再エンコード"), std::string::npos) << description;
      // Re-encoded, so not the bytes served: the original's digest is not the stored one's.
      EXPECT_EQ(description.find(std::string(item.at("sha256").as_string())), std::string::npos)
          << description;
    } else {
      EXPECT_EQ(content.content_type, "application/octet-stream") << kind;
      EXPECT_EQ(content.disposition.rfind("attachment", 0), 0U) << content.disposition;
    }
  }
  EXPECT_EQ(avatars, 2);
  EXPECT_EQ(api_get(d.port, "/api/v1/incidents/" + id + "/evidence/999999").status, 404);
  EXPECT_EQ(api_get(d.port, "/api/v1/incidents/" + id + "/evidence/abc").status, 400);
  EXPECT_TRUE(d.stop()) << d.mamorid->log();
}

TEST(AvatarDetection, BrokenBombAndOversizedIconsAreReportedAndDetectionGoesOn) {
  // A PNG signature and a valid IHDR (29 bytes, its CRC left out), then garbage: refused by the
  // decoder.
  std::string broken("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x80\0\0\0\x80\x08\x02\0\0\0", 29);
  broken += std::string(64, '\xAB');
  // A header declaring 60000 x 60000 pixels: refused before decoding.
  std::string bomb("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\xea\x60\0\0\xea\x60\x08\x02\0\0\0", 29);
  bomb += std::string(64, '\0');
  // 3 MiB: the transfer is cut at the 2 MiB cap.
  std::string huge("\x89PNG\r\n\x1a\n", 8);
  huge += std::string(3 * 1024 * 1024, '\0');
  Daemon d(scenario(R"(
[[account]]
platform = "x"
handle = "soma_city_jp"
display_name = "相馬市"
avatar = "broken.png"
appears_at = 3

[[account]]
platform = "x"
handle = "soma_city_pr"
display_name = "相馬市"
avatar = "bomb.png"
appears_at = 3

[[account]]
platform = "x"
handle = "soma_city_info"
display_name = "相馬市"
avatar = "huge.png"
appears_at = 3
)"),
           {{"broken.png", broken}, {"bomb.png", bomb}, {"huge.png", huge}});
  const auto all_found = [&] {
    return !d.incident_of("soma\\_city\\_jp").empty() &&
           !d.incident_of("soma\\_city\\_pr").empty() &&
           !d.incident_of("soma\\_city\\_info").empty();
  };
  ASSERT_TRUE(testing::eventually(all_found, 60s))
      << d.mamorid->log()
      << "\nincidents: " << sql(d.db.dsn(), "SELECT type, subject, title FROM incidents");
  // No icon evidence without a decodable icon; the text signals carried the finding.
  EXPECT_EQ(sql(d.db.dsn(), "SELECT count(*) FROM evidence WHERE kind = 'avatar'"), "0");
  // Each refusal is logged with its reason and counted.
  const std::string metrics = testing::http_get("127.0.0.1", d.port, "/metrics").body;
  for (const std::string outcome : {"decode_failed", "too_many_pixels", "fetch_too_large"}) {
    EXPECT_NE(metrics.find("mamori_avatar_fetches_total{outcome=\"" + outcome +
                           "\",platform=\"x\",role=\"candidate\"}"),
              std::string::npos)
        << outcome << "\n"
        << metrics.substr(0, 4000);
    EXPECT_NE(d.mamorid->log().find(" outcome=" + outcome), std::string::npos) << outcome;
  }
  EXPECT_NE(d.mamorid->log().find("detection.avatar_refused"), std::string::npos);
  // The official icons were hashed all the same.
  EXPECT_NE(
      metrics.find("mamori_avatar_fetches_total{outcome=\"ok\",platform=\"x\",role=\"official\"}"),
      std::string::npos);
  EXPECT_TRUE(d.stop()) << d.mamorid->log();
}

}  // namespace
}  // namespace mamori
