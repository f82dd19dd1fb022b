// Parse throughput of the platform parsers on realistic pages (issue 3 goal: >= 300 MB/s per
// core): an X timeline page of 100 tweets with includes, a Bluesky author feed of 100 posts, and
// a Mastodon timeline of 40 statuses. The bodies follow the shapes of the test fixtures
// (tests/data/collectors/), with Japanese text, links, replies and the fields the platforms send
// but mamori skips.
#include <benchmark/benchmark.h>

#include <string>

#include "collectors/bluesky/bluesky_parse.h"
#include "collectors/mastodon/mastodon_parse.h"
#include "collectors/x/x_parse.h"

namespace {

using namespace mamori::collectors;

const std::string kJapanese =
    "【お知らせ】本日の避難所開設状況を更新しました。給水所は市役所駐車場と中村第一小学校です。"
    "詳しくは市ホームページをご覧ください。";

std::string x_page(int tweets) {
  std::string body = R"({"data":[)";
  for (int i = 0; i < tweets; ++i) {
    const std::string id = std::to_string(1795000000000000000LL + i);
    const std::string author = std::to_string(4000000000LL + i % 50);
    if (i > 0) body += ",";
    body += R"({"id":")" + id + R"(","text":"@soma_city )" + kJapanese +
            R"( https://t.co/Hp1Ab2Cd3E","author_id":")" + author +
            R"(","created_at":"2024-05-20T01:30:00.000Z","conversation_id":"1794999999999999999",)"
            R"("in_reply_to_user_id":"1234567890123456789","edit_history_tweet_ids":[")" +
            id +
            R"("],"referenced_tweets":[{"type":"replied_to","id":"1794999999999999999"}],)"
            R"("entities":{"urls":[{"start":60,"end":83,"url":"https://t.co/Hp1Ab2Cd3E",)"
            R"("expanded_url":"https://www.city.soma.example.jp/bousai/hinanjo.html",)"
            R"("display_url":"city.soma.example.jp/bousai/hinanjo…"}],"mentions":[{"start":0,)"
            R"("end":10,"username":"soma_city","id":"1234567890123456789"}]},)"
            R"("public_metrics":{"retweet_count":4,"reply_count":1,"like_count":12,)"
            R"("quote_count":0,"bookmark_count":0,"impression_count":350},"lang":"ja",)"
            R"("source":"Twitter for iPhone"})";
  }
  body += R"(],"includes":{"users":[)";
  for (int i = 0; i < 50; ++i) {
    if (i > 0) body += ",";
    body += R"({"id":")" + std::to_string(4000000000LL + i) + R"(","name":"相馬の住民)" +
            std::to_string(i) + R"(","username":"soma_jumin_)" + std::to_string(i) +
            R"(","created_at":"2019-06-01T12:00:00.000Z","description":"福島県相馬市在住。)"
            R"(日々の暮らしを投稿しています。","protected":false,"verified":false,)"
            R"("profile_image_url":"https://pbs.twimg.com/profile_images/1/a_normal.jpg",)"
            R"("public_metrics":{"followers_count":85,"following_count":210,"tweet_count":1500,)"
            R"("listed_count":0}})";
  }
  body += R"(]},"meta":{"result_count":)" + std::to_string(tweets) +
          R"(,"newest_id":"1795000000000000099","oldest_id":"1795000000000000000",)"
          R"("next_token":"7140dibdnow9c7btw3z2vwioavpvutgzrzm9icis4ndix"}})";
  return body;
}

std::string bluesky_feed(int posts) {
  std::string body = R"({"feed":[)";
  for (int i = 0; i < posts; ++i) {
    const std::string rkey = "3ksoma" + std::to_string(1000000 + i);
    if (i > 0) body += ",";
    body +=
        R"({"post":{"uri":"at://did:plc:somacity7xq4kd2mz3lfa5n/app.bsky.feed.post/)" + rkey +
        R"(","cid":"bafyreiaaaa0000000000000000000000000000000000000000000005",)"
        R"("author":{"did":"did:plc:somacity7xq4kd2mz3lfa5n",)"
        R"("handle":"city.soma.example.jp","displayName":"相馬市【公式】",)"
        R"("avatar":"https://cdn.bsky.app/img/avatar/plain/did:plc:somacity7xq4kd2mz3lfa5n/bafkreiaaaa@jpeg",)"
        R"("viewer":{"muted":false,"blockedBy":false},"labels":[],)"
        R"("createdAt":"2023-07-21T01:02:03.456Z"},"record":{"$type":"app.bsky.feed.post",)"
        R"("createdAt":"2024-05-20T01:30:00.000Z","facets":[{"features":[{"$type":)"
        R"("app.bsky.richtext.facet#link","uri":"https://www.city.soma.example.jp/bousai/"}],)"
        R"("index":{"byteEnd":120,"byteStart":84}}],"langs":["ja"],"reply":{"parent":)"
        R"({"cid":"bafyreiparent","uri":"at://did:plc:somacity7xq4kd2mz3lfa5n/app.bsky.feed.post/3kparent"},)"
        R"("root":{"cid":"bafyreiroot","uri":"at://did:plc:somacity7xq4kd2mz3lfa5n/app.bsky.feed.post/3kroot"}},)"
        R"("text":")" +
        kJapanese +
        R"("},"replyCount":7,"repostCount":42,"likeCount":120,"quoteCount":3,)"
        R"("indexedAt":"2024-05-20T01:30:01.234Z","viewer":{"threadMuted":false,)"
        R"("embeddingDisabled":false},"labels":[]}})";
  }
  body += R"(],"cursor":"2024-05-19T23:10:00.000Z"})";
  return body;
}

std::string mastodon_timeline(int statuses) {
  std::string body = "[";
  for (int i = 0; i < statuses; ++i) {
    const std::string id = std::to_string(112500000000000000LL + i);
    if (i > 0) body += ",";
    body +=
        R"({"id":")" + id +
        R"(","created_at":"2024-05-20T01:30:00.000Z","in_reply_to_id":null,)"
        R"("in_reply_to_account_id":null,"sensitive":false,"spoiler_text":"",)"
        R"("visibility":"public","language":"ja","uri":"https://mastodon.example.jp/users/soma_city/statuses/)" +
        id + R"(","url":"https://mastodon.example.jp/@soma_city/)" + id +
        R"(","replies_count":7,"reblogs_count":42,"favourites_count":120,"quotes_count":3,)"
        R"("edited_at":null,"favourited":false,"reblogged":false,"muted":false,)"
        R"("bookmarked":false,"pinned":false,"content":"<p>)" +
        kJapanese +
        R"(<br />詳しくは <a href=\"https://www.city.soma.example.jp/bousai/hinanjo.html\" )"
        R"(target=\"_blank\" rel=\"nofollow noopener noreferrer\" translate=\"no\"><span )"
        R"(class=\"invisible\">https://www.</span><span class=\"ellipsis\">city.soma.example.jp)"
        R"(/bousai/hi</span><span class=\"invisible\">nanjo.html</span></a> をご覧ください。)"
        R"(</p><p><a href=\"https://mastodon.example.jp/tags/bousai\" class=\"mention hashtag\" )"
        R"(rel=\"tag\">#<span>防災</span></a></p>","filtered":[],"reblog":null,)"
        R"("application":{"name":"Web","website":null},"account":{"id":"109876543210987654",)"
        R"("username":"soma_city","acct":"soma_city","display_name":"相馬市【公式】",)"
        R"("locked":false,"bot":false,"created_at":"2022-11-08T00:00:00.000Z",)"
        R"("note":"<p>福島県相馬市の公式アカウントです。</p>",)"
        R"("url":"https://mastodon.example.jp/@soma_city","avatar":"https://files.mastodon.example.jp/a.png",)"
        R"("followers_count":2048,"following_count":16,"statuses_count":730,"emojis":[],)"
        R"("fields":[]},"media_attachments":[],"mentions":[],"tags":[{"name":"防災",)"
        R"("url":"https://mastodon.example.jp/tags/bousai"}],"emojis":[],"card":null,"poll":null})";
  }
  body += "]";
  return body;
}

ParseContext bench_context() {
  ParseContext context;
  context.observed_at = mamori::model::TimePoint{std::chrono::milliseconds{1716206400000}};
  return context;
}

template <typename Parse>
void run(benchmark::State& state, const std::string& body, Parse parse) {
  const ParseContext context = bench_context();
  std::size_t observations = 0;
  for (auto _ : state) {
    auto result = parse(body, context);
    if (result.outcome != ParseOutcome::ok) state.SkipWithError("parse failed");
    observations = result.observations.size();
    benchmark::DoNotOptimize(result);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(body.size()));
  state.counters["body_kB"] = static_cast<double>(body.size()) / 1024.0;
  state.counters["observations"] = static_cast<double>(observations);
}

void BM_ParseXTimeline100(benchmark::State& state) {
  run(state, x_page(100), [](const std::string& b, const ParseContext& c) {
    return x::parse(XEndpoint::user_mentions, b, c);
  });
}
BENCHMARK(BM_ParseXTimeline100);

void BM_ParseBlueskyAuthorFeed100(benchmark::State& state) {
  run(state, bluesky_feed(100), [](const std::string& b, const ParseContext& c) {
    return bluesky::parse(BlueskyEndpoint::get_author_feed, b, c);
  });
}
BENCHMARK(BM_ParseBlueskyAuthorFeed100);

void BM_ParseMastodonTimeline40(benchmark::State& state) {
  run(state, mastodon_timeline(40), [](const std::string& b, const ParseContext& c) {
    return mastodon::parse(MastodonEndpoint::account_statuses, b, c);
  });
}
BENCHMARK(BM_ParseMastodonTimeline40);

}  // namespace

BENCHMARK_MAIN();
