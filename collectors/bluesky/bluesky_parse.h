// Bluesky XRPC (app.bsky.*) response bodies -> observations.
//
// Ids are what the AT Protocol uses: accounts by DID, posts by at:// URI, handles without '@'.
// Actor methods yield `profile` observations; feed, thread, search and notification methods
// yield `post` observations with reply parent/root from the post record, quotes from its embed
// and links from its facets and external embed. An XRPC error body
// (`{"error":"AccountTakedown","message":...}`) becomes `gone` when it says the requested
// account is taken down, deactivated or not found, and an `error` observation otherwise.
#pragma once

#include <string_view>

#include "collectors/common/parse_result.h"

namespace mamori::collectors::bluesky {

// Thread nodes deeper than this (parents or replies) are not read; the result then carries an
// error observation saying so. Keeps recursion bounded whatever the body holds.
inline constexpr int kMaxThreadDepth = 200;

// Parses one response body. Never throws for bad input: a broken body gives outcome `malformed`
// and a single error observation.
ParseResult parse(BlueskyEndpoint endpoint, std::string_view body, const ParseContext& context);

// The authority of an at:// URI: "at://did:plc:abc/app.bsky.feed.post/3k" -> "did:plc:abc";
// empty when `uri` is not an at:// URI.
std::string_view at_uri_authority(std::string_view uri);

}  // namespace mamori::collectors::bluesky
