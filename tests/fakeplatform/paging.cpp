#include "tests/fakeplatform/paging.h"

#include <algorithm>
#include <charconv>

#include "tests/fakeplatform/util.h"

namespace mamori::fakeplatform {
namespace {

// Cursors look like the platforms' (base64 of something internal) and are never parsed back:
// the item is found by encoding each id, so a forged cursor simply names nothing.
std::string cursor_of(const std::string& id) {
  return base64url("after:" + id);
}
const std::string& restart_cursor() {
  static const std::string c = base64url("restart");
  return c;
}

}  // namespace

PageCut cut_page(const Listed& items, const std::optional<std::string>& cursor,
                 std::size_t requested, std::size_t fallback, int cap, const std::string& fault) {
  PageCut cut;
  std::vector<std::string> ids;
  ids.reserve(items.size());
  for (const auto& item : items) ids.push_back(item.first);
  std::size_t size = requested == 0 ? fallback : requested;
  if (cap > 0) size = std::min(size, static_cast<std::size_t>(cap));
  size = std::max<std::size_t>(size, 1);
  if (cursor && !cursor->empty() && *cursor != restart_cursor()) {
    const auto it = std::find_if(ids.begin(), ids.end(),
                                 [&](const std::string& id) { return cursor_of(id) == *cursor; });
    if (it == ids.end()) {
      cut.invalid_cursor = true;
      return cut;
    }
    cut.begin = static_cast<std::size_t>(it - ids.begin()) + 1;
  }
  cut.end = std::min(ids.size(), cut.begin + size);
  if (cut.end < ids.size()) cut.next = cursor_of(ids[cut.end - 1]);
  if (fault == "repeat_cursor") {
    cut.next = cursor && !cursor->empty() ? *cursor : restart_cursor();
  } else if (fault == "bad_cursor") {
    cut.next = base64url("no-such-item");
  }
  return cut;
}

std::size_t page_size_of(const std::optional<std::string>& value) {
  if (!value) return 0;
  std::size_t n = 0;
  const auto [ptr, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
  if (ec != std::errc() || ptr != value->data() + value->size()) return 0;
  return n;
}

std::string with_query_value(const std::string& target, const std::string& name,
                             const std::string& value) {
  const std::size_t q = target.find('?');
  std::string out = target.substr(0, q);
  std::string query = q == std::string::npos ? std::string() : target.substr(q + 1);
  std::string kept;
  for (const auto& pair : split(query, '&')) {
    if (pair.empty() || pair.substr(0, pair.find('=')) == name) continue;
    kept += (kept.empty() ? "" : "&") + pair;
  }
  kept += (kept.empty() ? "" : "&") + name + "=" + url_encode(value);
  return out + "?" + kept;
}

}  // namespace mamori::fakeplatform
