// Observations as JSON: the lines `mamorictl parse` prints and the daemon API returns.
//
// Every object has `kind` ("profile", "post", "gone" or "error"), `platform` and `observed_at`.
// Times are UTC ISO-8601 with milliseconds ("2024-05-01T03:04:05.000Z"). Optional fields that are
// absent are left out rather than written as null. A post's id is `id` and the post it answers
// `in_reply_to`, so post lines can be fed to `mamorictl misinfo` as they are.
//
//   profile: account_id, handle, display_name, description, url, avatar_url, [created_at],
//            [followers_count], [following_count], [posts_count], verified, protected
//   post:    id, author_id, author_handle, author_display_name, [author_created_at],
//            [author_followers_count], text, created_at, [in_reply_to], [in_reply_to_account_id],
//            [conversation_root_id], [quoted_post_id], [reposted_post_id], urls, client, lang,
//            reply_count, repost_count, like_count, quote_count
//   gone:    account_ref, reason
//   error:   endpoint, message, [http_status]
#pragma once

#include <boost/json.hpp>
#include <string>

#include "model/observation.h"

namespace mamori::model {

boost::json::object to_json(const Observation& observation);

// One line of JSON, without the trailing newline.
std::string to_json_line(const Observation& observation);

}  // namespace mamori::model
