// X avatars are fetched at 400x400 for hashing (profile_image_url is the 48x48 `_normal`
// variant), on the same host, with one fall-back to the URL as received.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "collectors/http/host_allow_list.h"
#include "collectors/x/x_collector.h"

namespace mamori::collectors::x {
namespace {

// Records requests; the test completes them by hand.
class RecordingClient final : public HttpClient {
 public:
  void fetch(HttpRequest request, Completion done) override {
    requests.push_back(std::move(request));
    completions.push_back(std::move(done));
  }
  void complete(std::size_t i, int status, std::string body = {}) {
    HttpResponse r;
    r.outcome = HttpOutcome::ok;
    r.status = status;
    r.body = std::move(body);
    completions.at(i)(std::move(r));
  }
  std::vector<HttpRequest> requests;
  std::vector<Completion> completions;
};

constexpr const char* kNormal =
    "https://pbs.twimg.com/profile_images/1600000000000000000/SomaLogo_normal.jpg";
constexpr const char* kLarge =
    "https://pbs.twimg.com/profile_images/1600000000000000000/SomaLogo_400x400.jpg";

TEST(XAvatarUrl, SizedVariantsBecome400x400) {
  EXPECT_EQ(avatar_url_for_hashing(kNormal), kLarge);
  EXPECT_EQ(avatar_url_for_hashing("https://pbs.twimg.com/profile_images/2284174872/"
                                   "7df3h38zabcvjylnyfe3_bigger.png"),
            "https://pbs.twimg.com/profile_images/2284174872/7df3h38zabcvjylnyfe3_400x400.png");
  EXPECT_EQ(avatar_url_for_hashing("https://pbs.twimg.com/profile_images/1/a_mini.webp"),
            "https://pbs.twimg.com/profile_images/1/a_400x400.webp");
  // A name with an underscore of its own keeps it; only the size suffix is replaced.
  EXPECT_EQ(avatar_url_for_hashing("https://pbs.twimg.com/profile_images/1/soma_city_normal.jpeg"),
            "https://pbs.twimg.com/profile_images/1/soma_city_400x400.jpeg");
  // No extension (X serves some images so).
  EXPECT_EQ(avatar_url_for_hashing("https://pbs.twimg.com/profile_images/1/abc_normal"),
            "https://pbs.twimg.com/profile_images/1/abc_400x400");
}

TEST(XAvatarUrl, OtherUrlsAreLeftAsReceived) {
  for (const std::string& url : {
           // already large, or the original without a suffix
           std::string(kLarge),
           std::string("https://pbs.twimg.com/profile_images/1/a.jpg"),
           // another host or path: the default avatar, a banner, an allow-listed API host
           std::string("https://abs.twimg.com/sticky/default_profile_images/"
                       "default_profile_normal.png"),
           std::string("https://pbs.twimg.com/profile_banners/1/1600000000"),
           std::string("https://evil.example/profile_images/1/a_normal.jpg"),
           std::string("https://pbs.twimg.com.evil.example/profile_images/1/a_normal.jpg"),
           std::string("http://pbs.twimg.com/profile_images/1/a_normal.jpg"),
           // a suffix in the directory, not the file name; a bare suffix; a query
           std::string("https://pbs.twimg.com/profile_images/x_normal/a.jpg"),
           std::string("https://pbs.twimg.com/profile_images/1/_normal.jpg"),
           std::string("https://pbs.twimg.com/profile_images/1/a_normal.jpg?x=1"),
           std::string(""),
       }) {
    EXPECT_EQ(avatar_url_for_hashing(url), url);
  }
}

TEST(XAvatarUrl, RewrittenUrlKeepsTheAllowListedHost) {
  const HostAllowList list(default_platform_hosts(model::Platform::x));
  const auto original = parse_http_url(kNormal);
  const auto rewritten = parse_http_url(avatar_url_for_hashing(kNormal));
  ASSERT_TRUE(original && rewritten);
  EXPECT_EQ(rewritten->host, original->host);
  EXPECT_TRUE(list.allows(rewritten->host));
}

TEST(XAvatarUrl, FetchAvatarRequests400x400WithoutTheToken) {
  RecordingClient client;
  XCollector collector(client, {.bearer_token = "secret-token"});
  std::vector<HttpResponse> got;
  collector.fetch_avatar(kNormal, 1024 * 1024, [&](HttpResponse r) { got.push_back(r); });
  ASSERT_EQ(client.requests.size(), 1U);
  EXPECT_EQ(client.requests[0].url, kLarge);
  EXPECT_EQ(client.requests[0].max_response_bytes, 1024U * 1024U);
  EXPECT_EQ(client.requests[0].endpoint, "avatar");
  for (const auto& [name, value] : client.requests[0].headers) {
    EXPECT_EQ(value.find("secret-token"), std::string::npos) << name;
  }
  client.complete(0, 200, "image");
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].body, "image");
  EXPECT_EQ(client.requests.size(), 1U);  // no second request after a success
}

TEST(XAvatarUrl, FetchAvatarFallsBackToTheReceivedUrlOnce) {
  RecordingClient client;
  XCollector collector(client, {});
  std::vector<HttpResponse> got;
  collector.fetch_avatar(kNormal, 4096, [&](HttpResponse r) { got.push_back(r); });
  client.complete(0, 404);
  EXPECT_TRUE(got.empty());
  ASSERT_EQ(client.requests.size(), 2U);
  EXPECT_EQ(client.requests[1].url, kNormal);
  EXPECT_EQ(client.requests[1].max_response_bytes, 4096U);
  client.complete(1, 404);
  ASSERT_EQ(got.size(), 1U);  // the fall-back's answer is final: no loop
  EXPECT_EQ(got[0].status, 404);
  EXPECT_EQ(client.requests.size(), 2U);
}

TEST(XAvatarUrl, ServerErrorsAndUnsizedUrlsAreNotRetried) {
  RecordingClient client;
  XCollector collector(client, {});
  std::vector<HttpResponse> got;
  collector.fetch_avatar(kNormal, 4096, [&](HttpResponse r) { got.push_back(r); });
  client.complete(0, 503);
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].status, 503);
  collector.fetch_avatar("https://pbs.twimg.com/profile_images/1/a.png", 4096,
                         [&](HttpResponse r) { got.push_back(r); });
  ASSERT_EQ(client.requests.size(), 2U);
  EXPECT_EQ(client.requests[1].url, "https://pbs.twimg.com/profile_images/1/a.png");
  client.complete(1, 404);
  EXPECT_EQ(got.size(), 2U);
  EXPECT_EQ(client.requests.size(), 2U);
}

}  // namespace
}  // namespace mamori::collectors::x
