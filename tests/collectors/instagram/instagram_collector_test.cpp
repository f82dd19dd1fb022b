#include "collectors/instagram/instagram_collector.h"

#include <gtest/gtest.h>

#include "collectors/instagram/instagram_parse.h"
#include "tests/collectors/parse_test_support.h"
#include "tests/collectors/recorded_client.h"

namespace mamori::collectors::instagram {
namespace {

using mamori::testing::all_of;
using mamori::testing::RecordedClient;

TEST(InstagramCollector, LookalikeSearchIsBusinessDiscoveryOfTheExactUsername) {
  RecordedClient client(200,
                        mamori::testing::parser_fixture("instagram", "business_discovery.json"));
  InstagramCollectorOptions o;
  o.access_token = "EAAB-token";
  o.ig_user_id = "17841406338772941";
  InstagramCollector collector(client, o);
  std::optional<Page> got;
  collector.search_accounts("@facebook", [&](Page p) { got = std::move(p); });
  ASSERT_TRUE(got.has_value());
  const auto& r = client.requests.at(0);
  EXPECT_EQ(r.url, "https://graph.facebook.com/v21.0/17841406338772941?fields=" +
                       url_encode("business_discovery.username(facebook){" +
                                  std::string(kUserFields) + "}"));
  EXPECT_EQ(r.url.find("EAAB"), std::string::npos);
  EXPECT_EQ(r.endpoint, "business_discovery");
  const auto profiles = all_of<model::ProfileSnapshot>(got->result);
  ASSERT_EQ(profiles.size(), 1u);
  EXPECT_EQ(profiles[0].handle, "facebook");
}

TEST(InstagramCollector, AUsernameCannotEscapeTheFieldExpansion) {
  const std::string path = business_discovery_path("1", "x){id}&access_token=y");
  EXPECT_EQ(path.find('&'), std::string::npos);
  EXPECT_EQ(path.find('}'), std::string::npos);
  EXPECT_EQ(path.find('{'), std::string::npos);
}

}  // namespace
}  // namespace mamori::collectors::instagram
