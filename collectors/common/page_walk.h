// Following a platform's page cursors inside one collector call, within bounds: at most
// `max_pages` requests, never the same cursor twice (a platform that hands back a cursor already
// followed would otherwise be read for ever), and an early stop where the caller knows the rest
// (a page that reaches the newest item of the previous walk). The pages come back as one Page:
// the first page's endpoint, URL and response, every page's observations in order (a post
// served on two pages only once). A later page
// that fails adds its error observations and ends the walk; what earlier pages brought is kept.
//
// The poller pages the account-wide lists itself (posts, mentions: PollerOptions::max_pages);
// collectors walk what the poller reads in one call (a post's comments, a comment's replies).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "collectors/common/collector.h"

namespace mamori::collectors {

// Fetches one page at `cursor` (nullopt: the first page).
using PageFetch = std::function<void(const std::optional<std::string>& cursor, PageHandler done)>;
// True when the walk may stop after this (successful) page.
using PageStop = std::function<bool(const Page& page)>;

void walk_pages(model::Platform platform, PageFetch fetch, std::optional<std::string> first_cursor,
                int max_pages, PageStop stop, PageHandler done);

// A page whose `next_cursor` is the cursor it was asked for would be read again and again: the
// cursor is dropped and an error observation says so. True when it was dropped.
bool drop_repeated_cursor(model::Platform platform, Page& page,
                          const std::optional<std::string>& requested);

// True when the page holds a post with this id.
bool has_post(const Page& page, std::string_view post_id);

}  // namespace mamori::collectors
