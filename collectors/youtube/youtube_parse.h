// YouTube Data API v3 response bodies -> observations.
//
// `channels.list` (part=snippet,statistics; by id or forHandle) yields a `profile` per channel:
// the handle is `snippet.customUrl` without '@', the avatar the largest thumbnail, followers the
// subscriber count unless hidden. Requested channels (ids or handles in
// `context.requested_refs`) missing from `items` are `gone` ("not_found"): the API answers 200
// with no items for a deleted or terminated channel.
// `search.list` (type=channel) yields a `profile` per channel found (no handle: search results
// carry none; look the ids up with channels.list to get them).
// `playlistItems.list` (a channel's uploads playlist) yields its videos as `post`s (title and
// description as text, links from the description).
// `commentThreads.list` yields each thread's top-level comment answering its video, and the
// replies included in the thread answering that comment; `comments.list` (parentId=) yields
// replies. Comment text is `textOriginal` (plain text); `authorDisplayName` is "@handle" on
// current channels and becomes the author handle.
// Error bodies (`error.errors[].reason`) become `gone` for channelNotFound/channelClosed/
// channelSuspended (and playlistNotFound on the uploads playlist), `error` otherwise — including
// quotaExceeded, which the rate-limit governor also reads to pause until the quota resets.
#pragma once

#include <string_view>

#include "collectors/common/parse_result.h"

namespace mamori::collectors::youtube {

inline constexpr std::string_view kChannelParts = "snippet,statistics,contentDetails";
inline constexpr std::string_view kPlaylistItemParts = "snippet,contentDetails";
inline constexpr std::string_view kCommentThreadParts = "snippet,replies";
inline constexpr std::string_view kCommentParts = "snippet";

ParseResult parse(YoutubeEndpoint endpoint, std::string_view body, const ParseContext& context);

}  // namespace mamori::collectors::youtube
