#include "collectors/common/page_walk.h"

#include <memory>
#include <set>
#include <utility>

namespace mamori::collectors {
namespace {

struct Walk {
  model::Platform platform{};
  PageFetch fetch;
  PageStop stop;
  PageHandler done;
  int max_pages = 1;
  int pages = 0;
  std::set<std::string> seen;
  Page merged;
};

bool page_ok(const Page& p) {
  return p.response.outcome == HttpOutcome::ok && p.result.outcome == ParseOutcome::ok;
}

void add_error(Walk& w, std::string message) {
  model::ObservationError e;
  e.platform = w.platform;
  e.endpoint = w.merged.endpoint;
  e.message = std::move(message);
  e.observed_at = std::chrono::floor<std::chrono::milliseconds>(model::Clock::now());
  w.merged.result.observations.emplace_back(std::move(e));
}

void step(const std::shared_ptr<Walk>& w, const std::optional<std::string>& cursor);

void on_page(const std::shared_ptr<Walk>& w, Page page) {
  ++w->pages;
  const bool ok = page_ok(page);
  const std::optional<std::string> next = page.result.next_cursor;
  const bool known = ok && w->stop && w->stop(page);
  if (w->pages == 1) {
    w->merged = std::move(page);
  } else {
    // A platform that serves an item on two pages (new items pushing older ones down, or a
    // repeated page) still hands each post out once.
    auto& out = w->merged.result.observations;
    for (auto& o : page.result.observations) {
      if (const auto* p = std::get_if<model::Post>(&o); p && has_post(w->merged, p->post_id)) {
        continue;
      }
      out.push_back(std::move(o));
    }
    w->merged.result.next_cursor = next;
  }
  if (!ok || !next || known) {
    if (!ok) w->merged.result.next_cursor.reset();
    w->done(std::move(w->merged));
    return;
  }
  if (w->seen.count(*next) != 0) {
    w->merged.result.next_cursor.reset();
    add_error(*w, "page " + std::to_string(w->pages + 1) +
                      ": the platform handed back a cursor already followed; paging stopped");
    w->done(std::move(w->merged));
    return;
  }
  if (w->pages >= w->max_pages) {
    w->done(std::move(w->merged));  // next_cursor stays: more pages were left unread
    return;
  }
  w->seen.insert(*next);
  step(w, next);
}

void step(const std::shared_ptr<Walk>& w, const std::optional<std::string>& cursor) {
  w->fetch(cursor, [w](Page page) { on_page(w, std::move(page)); });
}

}  // namespace

void walk_pages(model::Platform platform, PageFetch fetch, std::optional<std::string> first_cursor,
                int max_pages, PageStop stop, PageHandler done) {
  auto w = std::make_shared<Walk>();
  w->platform = platform;
  w->fetch = std::move(fetch);
  w->stop = std::move(stop);
  w->done = std::move(done);
  w->max_pages = max_pages < 1 ? 1 : max_pages;
  if (first_cursor) w->seen.insert(*first_cursor);
  step(w, first_cursor);
}

bool drop_repeated_cursor(model::Platform platform, Page& page,
                          const std::optional<std::string>& requested) {
  if (!requested || !page.result.next_cursor || *page.result.next_cursor != *requested) {
    return false;
  }
  page.result.next_cursor.reset();
  model::ObservationError e;
  e.platform = platform;
  e.endpoint = page.endpoint;
  e.message =
      "the platform handed back the cursor of this very page as the next one; paging stopped";
  e.observed_at = std::chrono::floor<std::chrono::milliseconds>(model::Clock::now());
  page.result.observations.emplace_back(std::move(e));
  return true;
}

bool has_post(const Page& page, std::string_view post_id) {
  for (const auto& o : page.result.observations) {
    if (const auto* p = std::get_if<model::Post>(&o); p != nullptr && p->post_id == post_id) {
      return true;
    }
  }
  return false;
}

}  // namespace mamori::collectors
