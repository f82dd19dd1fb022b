#include "collectors/http/host_allow_list.h"

#include <gtest/gtest.h>

#include "collectors/http/client_metrics.h"

namespace mamori::collectors {
namespace {

TEST(HostAllowList, EmptyAllowsNothing) {
  const HostAllowList list;
  EXPECT_TRUE(list.empty());
  EXPECT_FALSE(list.allows("api.x.com"));
  EXPECT_FALSE(list.allows(""));
}

TEST(HostAllowList, ExactHostsAreCaseInsensitive) {
  HostAllowList list({"api.x.com", "Mastodon.Example."});
  EXPECT_TRUE(list.allows("api.x.com"));
  EXPECT_TRUE(list.allows("API.X.COM"));
  EXPECT_TRUE(list.allows("mastodon.example"));
  EXPECT_FALSE(list.allows("x.com"));
  EXPECT_FALSE(list.allows("evil-api.x.com"));
  EXPECT_FALSE(list.allows("api.x.com.evil.example"));
}

TEST(HostAllowList, WildcardsMatchSubdomainsOnly) {
  HostAllowList list({"*.bsky.network"});
  EXPECT_TRUE(list.allows("morel.us-east.host.bsky.network"));
  EXPECT_FALSE(list.allows("bsky.network"));
  EXPECT_FALSE(list.allows("evilbsky.network"));
  EXPECT_EQ(list.patterns(), std::vector<std::string>{"*.bsky.network"});
}

TEST(HostAllowList, RejectsMalformedPatterns) {
  HostAllowList list;
  EXPECT_FALSE(list.add(""));
  EXPECT_FALSE(list.add("*."));
  EXPECT_FALSE(list.add("api.x.com/path"));
  EXPECT_FALSE(list.add("a b"));
  EXPECT_TRUE(list.empty());
}

TEST(HostAllowList, TakesHostsFromConfiguredUrls) {
  HostAllowList list;
  EXPECT_TRUE(list.add_url_host("https://mastodon.example:8443/api/"));
  EXPECT_TRUE(list.add_url_host("http://[::1]:8080/"));
  EXPECT_FALSE(list.add_url_host("ftp://files.example/"));
  EXPECT_TRUE(list.allows("mastodon.example"));
  EXPECT_TRUE(list.allows("::1"));
  EXPECT_FALSE(list.allows("files.example"));
}

TEST(ParseHttpUrl, ReadsSchemeHostAndCredentials) {
  const auto u = parse_http_url("HTTPS://Pbs.Twimg.com/profile_images/1/a_normal.jpg");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "pbs.twimg.com");
  EXPECT_FALSE(u->has_credentials);
  const auto c = parse_http_url("http://user:pw@host.example/");
  ASSERT_TRUE(c.has_value());
  EXPECT_TRUE(c->has_credentials);
  EXPECT_FALSE(parse_http_url("javascript:alert(1)").has_value());
  EXPECT_FALSE(parse_http_url(std::string("http://a.example/\0x", 20)).has_value());
}

TEST(HostAllowList, DefaultPlatformHostsCoverApiAndMedia) {
  HostAllowList list(default_platform_hosts(model::Platform::x));
  EXPECT_TRUE(list.allows("api.x.com"));
  EXPECT_TRUE(list.allows("pbs.twimg.com"));
  HostAllowList bsky(default_platform_hosts(model::Platform::bluesky));
  EXPECT_TRUE(bsky.allows("cdn.bsky.app"));
  EXPECT_TRUE(bsky.allows("public.api.bsky.app"));
  EXPECT_FALSE(bsky.allows("api.x.com"));
}

TEST(OutcomeLabel, SeparatesStatusClasses) {
  HttpResponse r;
  r.outcome = HttpOutcome::ok;
  r.status = 200;
  EXPECT_EQ(outcome_label(r), "ok");
  r.status = 429;
  EXPECT_EQ(outcome_label(r), "http_429");
  r.status = 404;
  EXPECT_EQ(outcome_label(r), "http_4xx");
  r.status = 503;
  EXPECT_EQ(outcome_label(r), "http_5xx");
  r.outcome = HttpOutcome::timeout;
  EXPECT_EQ(outcome_label(r), "timeout");
}

}  // namespace
}  // namespace mamori::collectors
