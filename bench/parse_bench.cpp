// Parse throughput of the platform parsers on realistic pages (issue 3 goal: >= 300 MB/s per
// core): an X timeline page of 100 tweets with includes, a Bluesky author feed of 100 posts, a
// Mastodon timeline of 40 statuses, a Facebook page post's comments (100, the Graph maximum page
// the collector asks for), an Instagram media's comments with replies (50) and a YouTube
// commentThreads page (100 threads with replies). The bodies follow the shapes of the test
// fixtures (tests/data/collectors/, recorded responses for the last three), with Japanese text,
// links, replies and the fields the platforms send but mamori skips. The Instagram @mention
// parsers run on their recorded inputs as they are (tests/data/collectors/instagram/): Meta's
// webhook delivery (webhook_mentions.json: what POST /webhooks/meta reads from the internet
// before any check but the signature) and the mentioned_media / mentioned_comment answers.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "collectors/bluesky/bluesky_parse.h"
#include "collectors/facebook/facebook_parse.h"
#include "collectors/instagram/instagram_parse.h"
#include "collectors/instagram/instagram_webhook_parse.h"
#include "collectors/mastodon/mastodon_parse.h"
#include "collectors/x/x_parse.h"
#include "collectors/youtube/youtube_parse.h"

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

// /{post-id}/comments with kCommentFields, shaped like
// tests/data/collectors/facebook/comments.json.
std::string facebook_comments(int comments) {
  std::string body = R"({"data":[)";
  for (int i = 0; i < comments; ++i) {
    const std::string id = "10158407654328553_" + std::to_string(10158407835073553LL + i);
    if (i > 0) body += ",";
    body +=
        R"({"created_time":"2024-05-20T01:30:00+0000","can_like":true,"from":{"name":"相馬の住民)" +
        std::to_string(i % 50) + R"(","id":")" + std::to_string(2711636948859886LL + i % 50) +
        R"("},"message":")" + kJapanese +
        R"( https://www.city.soma.example.jp/bousai/hinanjo.html","like_count":2,)"
        R"("permalink_url":"https://www.facebook.com/19292868552/posts/10158407654328553/?comment_id=)" +
        std::to_string(10158407835073553LL + i) + R"(","id":")" + id +
        R"(","comment_count":1,"can_comment":true,"parent":{"id":"19292868552_10158407654328553"}})";
  }
  body +=
      R"(],"paging":{"cursors":{"before":"WTI5dGJXVnVkRjlqZAFhKemIzSTZANalE1T0RZAeE56UXpNelk0",)"
      R"("after":"WTI5dGJXVnVkRjlqZAFhKemIzSTZANalV3T1RJMU56WXlNall5TWpjeU1Eb3hOVGMz"},)"
      R"("next":"https://graph.facebook.com/v19.0/19292868552_10158407654328553/comments?)"
      R"(access_token=EAAB&limit=100&after=WTI5dGJXVnVkRjlqZAFhKemIzSTZANalV3T1RJMU56WXlNall5"},)"
      R"("summary":{"order":"reverse_chronological","total_count":180,"can_comment":true}})";
  return body;
}

// /{ig-media-id}/comments with replies, shaped like instagram/comments_with_replies.json.
std::string instagram_comments(int comments) {
  const auto comment = [](long long id, const std::string& text) {
    return R"({"hidden":false,"id":")" + std::to_string(id) +
           R"(","like_count":0,"timestamp":"2024-05-20T01:30:00+0000","text":")" + text +
           R"(","from":{"id":")" + std::to_string(17841406338772941LL + id % 50) +
           R"(","username":"soma_jumin_)" + std::to_string(id % 50) +
           R"("},"username":"soma_jumin_)" + std::to_string(id % 50) +
           R"(","media":{"id":"17955956875141196"})";
  };
  std::string body = R"({"data":[)";
  for (int i = 0; i < comments; ++i) {
    if (i > 0) body += ",";
    body += comment(17862949873623188LL + i, kJapanese) + R"(,"replies":{"data":[)" +
            comment(18850033184810160LL + i, "@soma_city " + kJapanese) + "}]}}";
  }
  body +=
      R"(],"paging":{"cursors":{"after":"UVZAGQlNqVkJURFpwTTNkV2FXUm9Xa0l5Ym1oUE5sWXhOM2RLZA"},)"
      R"("next":"https://graph.facebook.com/v19.0/17955956875141196/comments?access_token=EAAB&)"
      R"(limit=50&after=UVZAGQlNqVkJURFpwTTNkV2FXUm9Xa0l5Ym1oUE5sWXhOM2RLZA"}})";
  return body;
}

// commentThreads.list part=snippet,replies, shaped like youtube/comment_threads_list.json.
std::string youtube_threads(int threads) {
  const auto comment = [](const std::string& id, const std::string& parent, int n) {
    std::string c =
        R"({"kind":"youtube#comment","etag":"CD_Xk4X_gxANaxestqfTSanwWrk","id":")" + id +
        R"(","snippet":{"channelId":"UC_x5XG1OV2P6uZZ5FSM9Ttw","videoId":"CvTApw9X8aA",)"
        R"("textDisplay":")" +
        kJapanese + R"(","textOriginal":")" + kJapanese + R"(","authorDisplayName":"@soma_jumin_)" +
        std::to_string(n % 50) +
        R"(","authorProfileImageUrl":"https://yt3.ggpht.com/ytc/AIdro_k=s48-c-k-c0x00ffffff-no-rj",)"
        R"("authorChannelUrl":"http://www.youtube.com/@soma_jumin_)" +
        std::to_string(n % 50) + R"(","authorChannelId":{"value":"UCTWlvHQQXUs-4IVfdnGO)" +
        std::to_string(100 + n % 50) +
        R"("},"canRate":true,"viewerRating":"none",)"
        R"("likeCount":3,"publishedAt":"2024-05-20T01:30:00Z","updatedAt":"2024-05-20T01:30:00Z")";
    if (!parent.empty()) c += R"(,"parentId":")" + parent + R"(")";
    return c + "}}";
  };
  std::string body =
      R"({"kind":"youtube#commentThreadListResponse","etag":"Wm2vP6ZY_91XACR5c9Vk8QFfpWY",)"
      R"("nextPageToken":"QURTSl9pMnRHSE9VWkVyZ1ZB","pageInfo":{"totalResults":100,"resultsPerPage":100},"items":[)";
  for (int i = 0; i < threads; ++i) {
    const std::string id = "UgyUBI0HsgL9emxc" + std::to_string(100000 + i);
    if (i > 0) body += ",";
    body +=
        R"({"kind":"youtube#commentThread","etag":"o0Du7va0vUQliAR76OFrtcgOjOc","id":")" + id +
        R"(","snippet":{"channelId":"UC_x5XG1OV2P6uZZ5FSM9Ttw","videoId":"CvTApw9X8aA","topLevelComment":)" +
        comment(id, "", i) +
        R"(,"canReply":true,"totalReplyCount":1,"isPublic":true},"replies":{"comments":[)" +
        comment(id + ".A0" + std::to_string(i), id, i + 7) + "]}}";
  }
  body += "]}";
  return body;
}

// A recorded response from tests/data/collectors/instagram/.
std::string instagram_recording(const std::string& name) {
  const auto path =
      std::filesystem::path(MAMORI_SOURCE_DIR) / "tests/data/collectors/instagram" / name;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream body;
  body << in.rdbuf();
  return body.str();
}

ParseContext bench_context() {
  ParseContext context;
  context.observed_at = mamori::model::TimePoint{std::chrono::milliseconds{1716206400000}};
  return context;
}

template <typename Parse>
void run(benchmark::State& state, const std::string& body, Parse parse,
         ParseContext context = bench_context()) {
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

void BM_ParseFacebookComments100(benchmark::State& state) {
  run(state, facebook_comments(100), [](const std::string& b, const ParseContext& c) {
    return facebook::parse(FacebookEndpoint::post_comments, b, c);
  });
}
BENCHMARK(BM_ParseFacebookComments100);

void BM_ParseInstagramComments50(benchmark::State& state) {
  run(state, instagram_comments(50), [](const std::string& b, const ParseContext& c) {
    return instagram::parse(InstagramEndpoint::media_comments, b, c);
  });
}
BENCHMARK(BM_ParseInstagramComments50);

void BM_ParseYoutubeCommentThreads100(benchmark::State& state) {
  run(state, youtube_threads(100), [](const std::string& b, const ParseContext& c) {
    return youtube::parse(YoutubeEndpoint::comment_threads_list, b, c);
  });
}
BENCHMARK(BM_ParseYoutubeCommentThreads100);

void BM_ParseInstagramWebhookMentions(benchmark::State& state) {
  const std::string body = instagram_recording("webhook_mentions.json");
  std::size_t mentions = 0;
  for (auto _ : state) {
    auto result = instagram::parse_mention_webhook(body);
    if (!result.ok()) state.SkipWithError("parse failed");
    mentions = result.mentions.size();
    benchmark::DoNotOptimize(result);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(body.size()));
  state.counters["body_kB"] = static_cast<double>(body.size()) / 1024.0;
  state.counters["mentions"] = static_cast<double>(mentions);
}
BENCHMARK(BM_ParseInstagramWebhookMentions);

// The mentioned account and the media or comment asked for, as the collector passes them.
ParseContext mention_context(std::string media_or_comment) {
  ParseContext context = bench_context();
  context.requested_refs = {"17841406338772941", std::move(media_or_comment)};
  return context;
}

// A mentioned_media or mentioned_comment answer, as the reader of queued mentions gets it.
void run_mentioned(benchmark::State& state, InstagramEndpoint endpoint,
                   const std::string& recording, std::string media_or_comment) {
  run(
      state, instagram_recording(recording),
      [endpoint](const std::string& b, const ParseContext& c) {
        return instagram::parse(endpoint, b, c);
      },
      mention_context(std::move(media_or_comment)));
}

void BM_ParseInstagramMentionedMedia(benchmark::State& state) {
  run_mentioned(state, InstagramEndpoint::mentioned_media, "mentioned_media.json",
                "17889114512354744");
}
BENCHMARK(BM_ParseInstagramMentionedMedia);

void BM_ParseInstagramMentionedComment(benchmark::State& state) {
  run_mentioned(state, InstagramEndpoint::mentioned_comment, "mentioned_comment_media.json",
                "17892250648466172");
}
BENCHMARK(BM_ParseInstagramMentionedComment);

}  // namespace

BENCHMARK_MAIN();
