#include "collectors/common/graph_api.h"

#include <vector>

namespace mamori::collectors::graph {

using json::for_each_field;
using json::read_string;

void read_error(json::od::value& v, GraphError& error) {
  error.present = true;
  for_each_field(v, [&](std::string_view key, json::od::value& f) {
    if (key == "message") {
      read_string(f, error.message);
    } else if (key == "type") {
      read_string(f, error.type);
    } else if (key == "code") {
      error.code = json::int_of(f);
    } else if (key == "error_subcode") {
      error.subcode = json::int_of(f);
    } else if (key == "error_user_title") {
      read_string(f, error.user_title);
    } else if (key == "error_user_msg") {
      read_string(f, error.user_message);
    }
  });
}

std::string describe(const GraphError& error) {
  std::string out = "Graph API error";
  if (error.code) {
    out += " " + std::to_string(*error.code);
    if (error.subcode) out += "/" + std::to_string(*error.subcode);
  }
  if (!error.type.empty()) out += " (" + error.type + ")";
  const std::string& text = error.message.empty() ? error.user_message : error.message;
  if (!text.empty()) out += ": " + text;
  if (!error.user_title.empty()) out += " [" + error.user_title + "]";
  return out;
}

bool is_rate_limit(const GraphError& error) {
  if (!error.code) return false;
  switch (*error.code) {
    case 4:      // application request limit
    case 17:     // user request limit
    case 32:     // page request limit
    case 613:    // calls within one hour exceeded
    case 80001:  // Pages business use case
    case 80002:  // Instagram business use case
      return true;
    default:
      return false;
  }
}

std::string query_without_credentials(std::string_view url) {
  const std::size_t q = url.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view query = url.substr(q + 1);
  query = query.substr(0, query.find('#'));
  std::string out;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::string_view name = pair.substr(0, pair.find('='));
    if (!pair.empty() && name != "access_token" && name != "appsecret_proof") {
      if (!out.empty()) out += '&';
      out += pair;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

std::optional<std::string> read_next_cursor(json::od::value& paging) {
  std::string after;
  std::string next;
  for_each_field(paging, [&](std::string_view key, json::od::value& f) {
    if (key == "cursors") {
      for_each_field(f, [&](std::string_view k, json::od::value& c) {
        if (k == "after") read_string(c, after);
      });
    } else if (key == "next") {
      read_string(f, next);
    }
  });
  if (next.empty()) return std::nullopt;
  if (!after.empty()) return after;
  std::string query = query_without_credentials(next);
  if (query.empty()) return std::nullopt;
  return query;
}

void finish(GraphPage& page, model::Platform platform, std::string_view endpoint,
            const std::optional<std::string>& gone_reason, const ParseContext& context,
            ParseResult& result) {
  auto& out = result.observations;
  if (page.error.present && !page.has_data) {
    result.outcome = ParseOutcome::platform_error;
    out.push_back(
        json::gone_or_error(platform, endpoint, gone_reason, describe(page.error), context));
    return;
  }
  if (!page.has_data) {
    result.outcome = ParseOutcome::malformed;
    out.emplace_back(json::make_error(
        platform, endpoint, "unexpected response shape: neither the endpoint's data nor an error",
        context));
    return;
  }
  for (auto& p : page.profiles) out.emplace_back(std::move(p));
  for (auto& g : page.gone) out.emplace_back(std::move(g));
  for (auto& p : page.posts) out.emplace_back(std::move(p));
  for (const auto& why : page.skipped) {
    out.emplace_back(json::make_error(platform, endpoint, why + "; skipped", context));
  }
  result.next_cursor = std::move(page.next_cursor);
}

}  // namespace mamori::collectors::graph
