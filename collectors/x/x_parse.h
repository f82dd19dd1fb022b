// X API v2 response bodies -> observations.
//
// Users endpoints (`users/by/username/:username`, `users/by`, `users/search`) yield `profile`
// observations; tweet endpoints (`users/:id/tweets`, `users/:id/mentions`,
// `tweets/search/recent`) yield `post` observations with author fields joined from
// `includes.users`; `tweets/:id/quote_tweets` yields the quotes as `post` observations (with
// `quoted_post_id`). `tweets/counts/recent` yields ParseResult::counts (data[].{start, end,
// tweet_count}, oldest first; a bucket that is not well formed is an error observation, as is a
// `meta.total_tweet_count` that differs from the buckets' sum). Partial errors inside a 200
// (`errors[]`) that say a requested user does not exist or is suspended become `gone`; a deleted
// referenced tweet is normal and ignored; other partial errors become `error` observations next to
// the data. A problem document
// (`{"title":..., "detail":..., "type":...}`, e.g. 401 or 429) is a platform error.
#pragma once

#include <string_view>

#include "collectors/common/parse_result.h"

namespace mamori::collectors::x {

// Query parameters the parser is written for (request them, or fields stay empty).
inline constexpr std::string_view kTweetFields =
    "author_id,created_at,conversation_id,in_reply_to_user_id,referenced_tweets,entities,"
    "public_metrics,lang,source,note_tweet";
inline constexpr std::string_view kUserFields =
    "created_at,description,url,entities,profile_image_url,public_metrics,verified,protected";
inline constexpr std::string_view kExpansions = "author_id,referenced_tweets.id";

// Parses one response body. Never throws for bad input: a broken body gives outcome `malformed`
// and a single error observation.
ParseResult parse(XEndpoint endpoint, std::string_view body, const ParseContext& context);

}  // namespace mamori::collectors::x
