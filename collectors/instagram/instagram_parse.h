// Instagram Graph API response bodies -> observations.
//
// `/{ig-user-id}` (fields id,username,name,biography,website,profile_picture_url,
// followers_count,follows_count,media_count) and `business_discovery` (another professional
// account looked up by exact username through the caller's own account) yield a `profile`;
// media inside `business_discovery.media` yield `post`s. A username business discovery cannot
// find (code 110, subcode 2207013) is `gone` ("not_found") for `context.requested_refs[0]`.
// `/{ig-user-id}/media` and `/{ig-user-id}/tags` yield media as `post`s (caption as text).
// `/{ig-media-id}/comments` yields comments answering the media named in
// `context.requested_refs[0]`, with nested `replies` answering their comment;
// `/{ig-comment-id}/replies` yields replies answering the comment in `requested_refs[0]`, in the
// conversation of `requested_refs[1]` (the media) when given.
// `mentioned_media` and `mentioned_comment`
// (`/{ig-user-id}?fields=mentioned_media.media_id(ID){...}`, what a Meta `mentions` webhook points
// at) yield the one media or comment as a `post` addressed to the mentioned account (the body's
// root `id`, else `requested_refs[0]`); a comment answers the media in its `media` field.
#pragma once

#include <string_view>

#include "collectors/common/parse_result.h"

namespace mamori::collectors::instagram {

inline constexpr std::string_view kUserFields =
    "id,username,name,biography,website,profile_picture_url,followers_count,follows_count,"
    "media_count";
inline constexpr std::string_view kMediaFields =
    "id,caption,timestamp,permalink,username,owner,like_count,comments_count,media_type";
inline constexpr std::string_view kCommentFields =
    "id,text,timestamp,username,from,like_count,parent_id,replies{id,text,timestamp,username,from,"
    "like_count,parent_id}";

// Fields read for a mention: a media is read as its caption, a comment with the media it is on.
inline constexpr std::string_view kMentionedMediaFields = kMediaFields;
inline constexpr std::string_view kMentionedCommentFields =
    "id,text,timestamp,like_count,username,media{id}";

ParseResult parse(InstagramEndpoint endpoint, std::string_view body, const ParseContext& context);

}  // namespace mamori::collectors::instagram
