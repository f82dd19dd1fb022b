// Pieces of the Meta Graph API shared by the Facebook and Instagram parsers: the `error` object
// every failed call returns, and the `paging` object of every edge.
//
//   {"error": {"message": "(#100) ...", "type": "OAuthException", "code": 100,
//              "error_subcode": 33, "error_user_title": "...", "fbtrace_id": "..."}}
//   {"data": [...], "paging": {"cursors": {"before": "...", "after": "..."},
//                              "next": "https://graph.facebook.com/v19.0/.../feed?...&after=..."}}
//
// Some edges (a Page's feed) page by time instead of cursors: `paging` then carries only `next`
// and `previous` URLs with `until`/`since`/`__paging_token`. Those URLs also carry the caller's
// access token, which must never be stored, logged or put into a request URL of ours again.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/common/json_access.h"

namespace mamori::collectors::graph {

struct GraphError {
  std::string message;
  std::string type;
  std::optional<std::int64_t> code;
  std::optional<std::int64_t> subcode;
  std::string user_title;
  std::string user_message;
  bool present = false;  // the body had an `error` member
};

// Reads the value of the top-level `error` member.
void read_error(json::od::value& v, GraphError& error);

// "Graph API error 100/33 (OAuthException): (#100) Unsupported get request. ..." for the log
// and the `error` observation.
std::string describe(const GraphError& error);

// Codes that say the call was throttled (app, user, page or business-use-case limits): the
// governor reads the usage headers; the parser names them so staff see why polling paused.
bool is_rate_limit(const GraphError& error);

// Where to continue: `paging.cursors.after` when the edge pages by cursor, else the query of
// `paging.next` without access_token/appsecret_proof (time-paged edges). Empty when `next` is
// absent: Graph omits it on the last page even when cursors are present.
std::optional<std::string> read_next_cursor(json::od::value& paging);

// The query of a Graph `next` URL with credentials removed ("access_token", "appsecret_proof").
std::string query_without_credentials(std::string_view url);

// What a Graph parser collects from one body before handing anything out.
struct GraphPage {
  std::vector<model::ProfileSnapshot> profiles;
  std::vector<model::AccountGone> gone;
  std::vector<model::Post> posts;
  std::vector<std::string> skipped;  // "data[3]: comment without an id"
  std::optional<std::string> next_cursor;
  GraphError error;
  bool has_data = false;
};

// The end of every Graph parse once the body read cleanly: an `error` object without data is
// the page's only observation (`gone` with `gone_reason`, else `error`); a body with neither is
// malformed; otherwise profiles, gone, posts and skipped items in that order.
void finish(GraphPage& page, model::Platform platform, std::string_view endpoint,
            const std::optional<std::string>& gone_reason, const ParseContext& context,
            ParseResult& result);

}  // namespace mamori::collectors::graph
