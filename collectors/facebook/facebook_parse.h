// Facebook Graph API (Pages) response bodies -> observations.
//
// `/{page-id}` (fields id,name,username,about,description,website,link,picture,fan_count,
// followers_count,verification_status,is_published) yields a `profile`; a batch lookup with
// `?ids=a,b` answers an object keyed by id and yields one profile per page. An unpublished page
// (`is_published: false`) is `gone` ("unpublished").
// `/pages/search` yields a `profile` per page found (a feature Meta must approve for the app).
// `/{page-id}/feed` yields the page's posts, `/{page-id}/tagged` others' posts tagging it;
// `/{post-id}/comments` and `/{comment-id}/comments` yield comments as `post` observations
// answering the object named in `context.requested_refs[0]` (or their `parent`), in the
// conversation of `context.requested_refs[1]` when given (for `/{post-id}/comments` the post
// itself). Graph API `error` objects become `gone` when they say the requested object does not
// exist (code 803, or 100 with subcode 33 on a page lookup or feed), and `error` observations
// otherwise.
#pragma once

#include <string_view>

#include "collectors/common/parse_result.h"

namespace mamori::collectors::facebook {

// Fields the parser is written for (request them, or observations stay thin).
inline constexpr std::string_view kPageFields =
    "id,name,username,about,description,website,link,picture{url},fan_count,followers_count,"
    "verification_status,is_published";
inline constexpr std::string_view kPostFields =
    "id,message,story,created_time,permalink_url,from{id,name},status_type,"
    "attachments{unshimmed_url,url,type},shares,comments.summary(true).limit(0),"
    "reactions.summary(true).limit(0)";
inline constexpr std::string_view kCommentFields =
    "id,message,created_time,from{id,name},parent{id},comment_count,like_count,permalink_url,"
    "attachment{unshimmed_url,url,type}";

// Parses one response body. Never throws for bad input: a broken body gives outcome `malformed`
// and a single error observation.
ParseResult parse(FacebookEndpoint endpoint, std::string_view body, const ParseContext& context);

}  // namespace mamori::collectors::facebook
