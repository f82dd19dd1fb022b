// AvatarFetcher and ImpersonationAvatars against a scripted collector: hashing off the loop,
// one transfer per URL, the cache, the candidate budget, failures reported with their reason,
// and candidates held back until official icons have arrived.
#include "daemon/detection/avatar_fetcher.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "daemon/detection/impersonation_avatars.h"
#include "daemon/incidents/incident_store.h"

namespace mamori::detection {
namespace {

namespace asio = boost::asio;
using collectors::HttpOutcome;
using collectors::HttpResponse;

std::string icon_png(int seed, int side = 200) {
  cv::Mat img(side, side, CV_8UC3, cv::Scalar(40.0 * seed, 120, 200));
  cv::circle(img, {side / 2, side / 2}, side / 3, cv::Scalar(255, 255, 255), cv::FILLED);
  cv::rectangle(img, cv::Rect(side / 8 * (seed % 4), side / 10, side / 4, side / 3),
                cv::Scalar(0, 0, 0), cv::FILLED);
  std::vector<unsigned char> out;
  cv::imencode(".png", img, out);
  return std::string(out.begin(), out.end());
}

// Answers avatar fetches from a table of URL -> response, on the loop like the real client.
class ScriptedCollector final : public collectors::PlatformCollector {
 public:
  explicit ScriptedCollector(asio::io_context& io) : io_(io) {}
  model::Platform platform() const override { return model::Platform::x; }
  std::size_t lookup_batch_size() const override { return 100; }
  void lookup_profiles(const std::vector<std::string>&, collectors::PageHandler) override {}
  void search_accounts(const std::string&, collectors::PageHandler) override {}
  void recent_posts(const collectors::AccountRef&, const collectors::Cursor&,
                    collectors::PageHandler) override {}
  bool has_mentions(const collectors::AccountRef&) const override { return false; }
  void replies_and_mentions(const collectors::AccountRef&, const collectors::Cursor&,
                            collectors::PageHandler) override {}
  void thread(const collectors::AccountRef&, const std::string&, const collectors::Cursor&,
              collectors::PageHandler) override {}
  void fetch_avatar(const std::string& url, std::size_t max_bytes,
                    std::function<void(HttpResponse)> done) override {
    ++calls[url];
    last_max_bytes = max_bytes;
    HttpResponse r;
    if (auto it = responses.find(url); it != responses.end()) {
      r = it->second;
    } else {
      r.outcome = HttpOutcome::ok;
      r.status = 404;
    }
    asio::post(io_, [done = std::move(done), r] { done(r); });
  }

  void serve(const std::string& url, std::string body) {
    HttpResponse r;
    r.outcome = HttpOutcome::ok;
    r.status = 200;
    r.body = std::move(body);
    responses[url] = r;
  }

  std::map<std::string, HttpResponse> responses;
  std::map<std::string, int> calls;
  std::size_t last_max_bytes = 0;

 private:
  asio::io_context& io_;
};

template <typename Pred>
bool run_until(asio::io_context& io, Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!pred() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
  return pred();
}

struct Fixture : ::testing::Test {
  asio::io_context io;
  ScriptedCollector collector{io};
  std::unique_ptr<AvatarFetcher> make(AvatarFetcherOptions o = {}) {
    return std::make_unique<AvatarFetcher>(
        io, std::vector<collectors::PlatformCollector*>{&collector}, o, nullptr);
  }
};

using AvatarFetcherTest = Fixture;

TEST_F(AvatarFetcherTest, HashesReencodesAndCachesOneTransferPerUrl) {
  const std::string png = icon_png(1, 400);
  collector.serve("https://pbs.example/a.png", png);
  auto fetcher = make();
  std::vector<AvatarPtr> got;
  fetcher->fetch(model::Platform::x, "https://pbs.example/a.png", AvatarRole::candidate,
                 [&](AvatarPtr a) { got.push_back(a); });
  fetcher->fetch(model::Platform::x, "https://pbs.example/a.png", AvatarRole::candidate,
                 [&](AvatarPtr a) { got.push_back(a); });
  EXPECT_TRUE(got.empty());  // never inside fetch()
  ASSERT_TRUE(run_until(io, [&] { return got.size() == 2; }));
  EXPECT_EQ(collector.calls["https://pbs.example/a.png"], 1);
  EXPECT_EQ(collector.last_max_bytes, AvatarFetcherOptions{}.max_bytes);
  const AvatarPtr a = got[0];
  ASSERT_TRUE(a->ok()) << a->outcome << " " << a->message;
  EXPECT_EQ(a.get(), got[1].get());
  EXPECT_EQ(a->outcome, "ok");
  EXPECT_EQ(a->original_sha256, incidents::sha256_hex(png));
  EXPECT_EQ(a->original_format, "PNG");
  EXPECT_EQ(a->original_width, 400U);
  EXPECT_EQ(a->png_width, 256);  // bounded evidence, not the served bytes
  EXPECT_NE(a->png, png);
  EXPECT_EQ(a->png.substr(1, 3), "PNG");
  EXPECT_FALSE(a->official_hash);

  // Later: from the cache, no new transfer.
  AvatarPtr again;
  fetcher->fetch(model::Platform::x, "https://pbs.example/a.png", AvatarRole::candidate,
                 [&](AvatarPtr x) { again = x; });
  ASSERT_TRUE(run_until(io, [&] { return again != nullptr; }));
  EXPECT_EQ(again.get(), a.get());
  EXPECT_EQ(collector.calls["https://pbs.example/a.png"], 1);
  EXPECT_EQ(fetcher->cached("https://pbs.example/a.png", AvatarRole::candidate).get(), a.get());
  // The official role is its own entry, with the crop grid.
  AvatarPtr official;
  fetcher->fetch(model::Platform::x, "https://pbs.example/a.png", AvatarRole::official,
                 [&](AvatarPtr x) { official = x; });
  ASSERT_TRUE(run_until(io, [&] { return official != nullptr; }));
  ASSERT_TRUE(official->official_hash);
  EXPECT_GT(official->official_hash->crops->size(), 100U);
  EXPECT_LE(
      detectors::impersonation::compare_avatars(*a->hash, *official->official_hash).phash_distance,
      4);
}

TEST_F(AvatarFetcherTest, FailuresComeBackWithTheirReasonAndOnlyLastingOnesAreCached) {
  std::string broken = icon_png(2).substr(0, 60);
  collector.serve("https://pbs.example/broken.png", broken);
  collector.serve("https://pbs.example/text", "<html>hello</html>");
  HttpResponse big;
  big.outcome = HttpOutcome::too_large;
  collector.responses["https://pbs.example/big.png"] = big;
  auto fetcher = make();
  std::map<std::string, AvatarPtr> got;
  for (const std::string url : {"https://pbs.example/broken.png", "https://pbs.example/text",
                                "https://pbs.example/big.png", "https://pbs.example/missing.png"}) {
    fetcher->fetch(model::Platform::x, url, AvatarRole::candidate,
                   [&got, url](AvatarPtr a) { got[url] = a; });
  }
  ASSERT_TRUE(run_until(io, [&] { return got.size() == 4; }));
  EXPECT_EQ(got["https://pbs.example/broken.png"]->outcome, "decode_failed");
  EXPECT_EQ(got["https://pbs.example/text"]->outcome, "unknown_format");
  EXPECT_EQ(got["https://pbs.example/big.png"]->outcome, "fetch_too_large");
  EXPECT_EQ(got["https://pbs.example/missing.png"]->outcome, "http_4xx");
  for (const auto& [url, a] : got) {
    EXPECT_FALSE(a->ok()) << url;
    EXPECT_TRUE(a->png.empty()) << url;
  }
  EXPECT_TRUE(fetcher->cached("https://pbs.example/big.png", AvatarRole::candidate));
  EXPECT_TRUE(fetcher->cached("https://pbs.example/broken.png", AvatarRole::candidate));
  EXPECT_FALSE(
      fetcher->cached("https://pbs.example/missing.png", AvatarRole::candidate));  // may come back
}

TEST_F(AvatarFetcherTest, CandidatesAreHeldToTheBudgetAndOfficialsAreNot) {
  AvatarFetcherOptions o;
  o.candidate_burst = 2;
  o.candidate_fetches_per_minute = 0.01;  // nothing refills during the test
  o.max_queued = 1;
  auto fetcher = make(o);
  std::map<std::string, AvatarPtr> got;
  for (int i = 0; i < 4; ++i) {
    const std::string url = "https://pbs.example/c" + std::to_string(i) + ".png";
    collector.serve(url, icon_png(i));
    fetcher->fetch(model::Platform::x, url, AvatarRole::candidate,
                   [&got, url](AvatarPtr a) { got[url] = a; });
  }
  collector.serve("https://pbs.example/official.png", icon_png(9));
  fetcher->fetch(model::Platform::x, "https://pbs.example/official.png", AvatarRole::official,
                 [&got](AvatarPtr a) { got["official"] = a; });
  ASSERT_TRUE(run_until(io, [&] { return got.size() == 4; }));
  EXPECT_TRUE(got["https://pbs.example/c0.png"]->ok());
  EXPECT_TRUE(got["https://pbs.example/c1.png"]->ok());
  EXPECT_EQ(got.count("https://pbs.example/c2.png"), 0U);  // queued, waiting for budget
  EXPECT_EQ(got["https://pbs.example/c3.png"]->outcome, "skipped_budget");
  EXPECT_TRUE(got["official"]->ok());
  EXPECT_EQ(collector.calls.count("https://pbs.example/c2.png"), 0U);
  EXPECT_EQ(collector.calls.count("https://pbs.example/c3.png"), 0U);
  // A likelier candidate takes the queued one's place.
  fetcher->fetch(
      model::Platform::x, "https://pbs.example/c4.png", AvatarRole::candidate,
      [&got](AvatarPtr a) { got["c4"] = a; }, 0.9);
  ASSERT_TRUE(run_until(io, [&] { return got.count("https://pbs.example/c2.png") == 1; }));
  EXPECT_EQ(got["https://pbs.example/c2.png"]->outcome, "skipped_budget");
  EXPECT_EQ(got.count("c4"), 0U);
}

TEST_F(AvatarFetcherTest, CandidatesWaitForOfficialIconsAndOfficialsAreFetchedOncePerUrl) {
  collector.serve("https://pbs.example/official.png", icon_png(1));
  collector.serve("https://pbs.example/copy.png", icon_png(1));
  int rebuilds = 0;  // icons handed to the hub's detectors
  std::vector<std::string> order;
  ImpersonationAvatars avatars(
      make(), [&](model::Platform platform, const std::string& handle, const AvatarPtr& icon) {
        ++rebuilds;
        order.push_back("rebuild");
        EXPECT_EQ(platform, model::Platform::x);
        EXPECT_EQ(handle, "Soma_City");  // as the profile spells it
        EXPECT_TRUE(icon && icon->official_hash);
      });
  model::ProfileSnapshot official;
  official.platform = model::Platform::x;
  official.handle = "Soma_City";
  official.avatar_url = "https://pbs.example/official.png";
  model::ProfileSnapshot candidate;
  candidate.platform = model::Platform::x;
  candidate.handle = "soma__city";
  candidate.avatar_url = "https://pbs.example/copy.png";
  avatars.official_seen(official);
  AvatarPtr icon;
  avatars.candidate_avatar(candidate, 0.5, [&](AvatarPtr a) {
    icon = a;
    order.push_back("candidate");
  });
  ASSERT_TRUE(run_until(io, [&] { return icon != nullptr; }));
  ASSERT_EQ(order.size(), 2U);
  EXPECT_EQ(order[0], "rebuild");  // the detector knew the official icon before judging
  ASSERT_TRUE(avatars.official_avatar(model::Platform::x, "soma_city"));
  detectors::impersonation::OfficialAccount oa;
  oa.profile = official;
  avatars.attach(oa);
  ASSERT_TRUE(oa.avatar);
  EXPECT_EQ(detectors::impersonation::compare_avatars(*icon->hash, *oa.avatar).phash_distance, 0);
  // Seen again with the same URL: nothing fetched; a new URL: fetched and rebuilt again.
  avatars.official_seen(official);
  official.avatar_url = "https://pbs.example/official2.png";
  collector.serve(official.avatar_url, icon_png(3));
  avatars.official_seen(official);
  ASSERT_TRUE(run_until(io, [&] { return rebuilds == 2; }));
  EXPECT_EQ(collector.calls["https://pbs.example/official.png"], 1);
  EXPECT_EQ(collector.calls["https://pbs.example/official2.png"], 1);

  // Evidence: the candidate's PNG and the matched official's, with the original's digest.
  detectors::impersonation::Assessment assessment;
  assessment.matched_official = 0;
  const auto items = avatars.evidence(candidate, icon, assessment, {oa}, model::TimePoint{});
  ASSERT_EQ(items.size(), 2U);
  EXPECT_EQ(items[0].kind, "avatar");
  EXPECT_EQ(items[0].content_type, "image/png");
  EXPECT_NE(items[0].description.find("@soma__city"), std::string::npos);
  EXPECT_NE(items[0].description.find(icon->original_sha256), std::string::npos);
  EXPECT_NE(items[1].description.find("公式アカウント @Soma_City"), std::string::npos);
}

}  // namespace
}  // namespace mamori::detection
