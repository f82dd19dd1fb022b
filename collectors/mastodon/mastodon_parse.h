// Mastodon REST API response bodies -> observations.
//
// Accounts (`accounts/lookup`, `accounts/search`, the accounts of v2 `search`) yield `profile`
// observations, or `gone` (reason "suspended") for an account the server marks `suspended`.
// Statuses yield `post` observations: the HTML `content` converted to plain text (a content
// warning `spoiler_text` comes first), links from its anchors and preview card, the client from
// `application.name`; a reblog yields the reblogged status and the reblog itself
// (`reposted_post_id`). Handles are `acct`: "user" for the server's own accounts, "user@domain"
// for remote ones. Error bodies (`{"error":"Record not found"}`) become `gone` when they mean the
// requested account does not exist, and `error` observations otherwise.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "collectors/common/parse_result.h"

namespace mamori::collectors::mastodon {

// Parses one response body. Never throws for bad input: a broken body gives outcome `malformed`
// and a single error observation. Pass the response's Link header in `context.link_header` to
// get `next_cursor`; for `statuses/:id/context` pass the status id in `context.requested_refs`
// (it is the conversation root when it has no ancestors).
ParseResult parse(MastodonEndpoint endpoint, std::string_view body, const ParseContext& context);

// The max_id of the Link header's rel="next" URL, which is how Mastodon pages backwards:
// `<https://host/api/v1/accounts/1/statuses?max_id=123>; rel="next", <...?min_id=456>; rel="prev"`.
std::optional<std::string> next_max_id(std::string_view link_header);

}  // namespace mamori::collectors::mastodon
