// Cursor pagination as the Graph API and the YouTube Data API serve it, for the fake's Graph and
// YouTube renderers: a list (already in the platform's order) is cut into pages of the size the
// client asked for (Graph `limit`, YouTube `maxResults`, capped by the scenario's `page_size`),
// and an opaque cursor names the last item of a page (Graph `paging.cursors.after`, YouTube
// `nextPageToken`). A cursor that names no item is refused, as both APIs refuse an invalid one.
//
// Two faults act on the cursors (scenario `kind`): `repeat_cursor` hands back the cursor the
// request came with (or, on a first page, one that starts the list again), so a client that
// follows it blindly loops for ever; `bad_cursor` hands back a cursor the next request is
// refused for.
#pragma once

#include <boost/json.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mamori::fakeplatform {

struct PageCut {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::optional<std::string> next;  // the cursor of the following page, when there is one
  bool invalid_cursor = false;      // the request's cursor names nothing: refuse it
};

// A rendered list: each item's id and its JSON, in the platform's order.
using Listed = std::vector<std::pair<std::string, boost::json::object>>;

// `items` in list order; `cursor` from the request (Graph `after`, YouTube `pageToken`);
// `requested` the client's page size (0: `fallback`), `cap` the scenario's page size (<= 0:
// none); `fault` the fault the request drew ("" or a kind).
PageCut cut_page(const Listed& items, const std::optional<std::string>& cursor,
                 std::size_t requested, std::size_t fallback, int cap, const std::string& fault);

// The size a client asked for in a query value ("25"); 0 when absent or not a number.
std::size_t page_size_of(const std::optional<std::string>& value);

// The request target with `name=value` set (replaced or appended): Graph's `paging.next` URL.
std::string with_query_value(const std::string& target, const std::string& name,
                             const std::string& value);

}  // namespace mamori::fakeplatform
