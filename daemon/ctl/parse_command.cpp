// mamorictl parse: runs the collectors' parser on a saved API response body and prints the
// normalized observations as JSON lines (docs/design.md "mamorictl"); a counts endpoint's buckets
// print as {"kind":"count","start":...,"end":...,"count":N} lines.
//
//   mamorictl parse --platform x|bluesky|mastodon|facebook|instagram|youtube --endpoint NAME
//                   [--observed-at TIME] [--status CODE] [--ref HANDLE_OR_ID]...
//                   [--link LINK_HEADER] [--page-info] FILE.json
//
// --ref names what the request asked for: the handles or ids of a profile lookup (missing ones
// become `gone`), for comment and reply endpoints the object answered and then the conversation
// root (Graph `/{post-id}/comments`, Instagram `/{ig-comment-id}/replies`, YouTube comments.list).
//
// Instagram also takes `--endpoint webhook-mentions`: a Meta webhook delivery's body (what
// POST /webhooks/meta receives), printed as {"kind":"mention","ig_user_id":…,"media_id":…,
// "comment_id":…} lines; items skipped are named on stderr.
//
// Exit status: 0 when the body was the endpoint's answer or the platform's own error document
// (printed as `gone` or `error` lines); 1 when the body is malformed (one `error` line is printed
// and nothing else, exactly what the daemon would record); 2 for bad usage, an unknown platform
// or endpoint, or an unreadable file.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "collectors/bluesky/bluesky_parse.h"
#include "collectors/common/iso_time.h"
#include "collectors/common/parse_result.h"
#include "collectors/facebook/facebook_parse.h"
#include "collectors/instagram/instagram_parse.h"
#include "collectors/instagram/instagram_webhook_parse.h"
#include "collectors/mastodon/mastodon_parse.h"
#include "collectors/ratelimit/clock.h"
#include "collectors/x/x_parse.h"
#include "collectors/youtube/youtube_parse.h"
#include "daemon/ctl/commands.h"
#include "model/observation_json.h"
#include "model/time_text.h"

namespace mamori::ctl {
namespace {

constexpr std::size_t kMaxBodyBytes = 64 * 1024 * 1024;

constexpr const char* kUsage =
    "usage: mamorictl parse --platform x|bluesky|mastodon|facebook|instagram|youtube "
    "--endpoint NAME [--observed-at TIME] [--status CODE] [--ref HANDLE_OR_ID]... "
    "[--link LINK_HEADER] [--page-info] FILE.json\n";

std::string joined_names(model::Platform platform) {
  std::string out;
  for (const auto name : collectors::endpoint_names(platform)) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

constexpr std::string_view kWebhookMentions = "webhook-mentions";

// A Meta webhook delivery (collectors/instagram/instagram_webhook_parse.h).
int print_webhook_mentions(std::string_view body, const collectors::ParseContext& context) {
  const auto parsed = collectors::instagram::parse_mention_webhook(body);
  if (!parsed.ok()) {
    model::ObservationError e;
    e.platform = model::Platform::instagram;
    e.endpoint = std::string(kWebhookMentions);
    e.message = parsed.error;
    e.http_status = context.http_status;
    e.observed_at = context.observed_at;
    const std::string line = model::to_json_line(model::Observation(e));
    std::printf("%s\n", line.c_str());
    return 1;
  }
  // Ids are digits only (the parser skips anything else): printed as they are.
  for (const auto& m : parsed.mentions) {
    std::printf("{\"kind\":\"mention\",\"ig_user_id\":\"%s\",\"media_id\":\"%s\"",
                m.ig_user_id.c_str(), m.media_id.c_str());
    if (m.comment_id) std::printf(",\"comment_id\":\"%s\"", m.comment_id->c_str());
    std::printf("}\n");
  }
  for (const auto& s : parsed.skipped) std::fprintf(stderr, "skipped: %s\n", s.c_str());
  if (parsed.ignored > 0)
    std::fprintf(stderr, "ignored: %zu change(s) of other fields\n", parsed.ignored);
  return 0;
}

std::optional<collectors::ParseResult> run_parser(model::Platform platform,
                                                  std::string_view endpoint, std::string_view body,
                                                  const collectors::ParseContext& context) {
  switch (platform) {
    case model::Platform::x:
      if (const auto e = collectors::x_endpoint_from_name(endpoint)) {
        return collectors::x::parse(*e, body, context);
      }
      break;
    case model::Platform::bluesky:
      if (const auto e = collectors::bluesky_endpoint_from_name(endpoint)) {
        return collectors::bluesky::parse(*e, body, context);
      }
      break;
    case model::Platform::mastodon:
      if (const auto e = collectors::mastodon_endpoint_from_name(endpoint)) {
        return collectors::mastodon::parse(*e, body, context);
      }
      break;
    case model::Platform::facebook:
      if (const auto e = collectors::facebook_endpoint_from_name(endpoint)) {
        return collectors::facebook::parse(*e, body, context);
      }
      break;
    case model::Platform::instagram:
      if (const auto e = collectors::instagram_endpoint_from_name(endpoint)) {
        return collectors::instagram::parse(*e, body, context);
      }
      break;
    case model::Platform::youtube:
      if (const auto e = collectors::youtube_endpoint_from_name(endpoint)) {
        return collectors::youtube::parse(*e, body, context);
      }
      break;
  }
  return std::nullopt;
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "mamorictl parse: %s\n", message.c_str());
  return 2;
}

}  // namespace

int parse_command(const Args& args) {
  std::optional<model::Platform> platform;
  std::string platform_arg;
  std::string endpoint;
  std::string file;
  bool page_info = false;
  collectors::ParseContext context;
  context.observed_at = collectors::SystemClock().now();

  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--platform" || a == "--endpoint" || a == "--observed-at" || a == "--status" ||
        a == "--ref" || a == "--link") {
      if (i + 1 >= args.size()) return usage_error(a + " needs a value");
      const std::string& v = args[++i];
      if (a == "--platform") {
        platform_arg = v;
        platform = model::platform_from_string(v);
      } else if (a == "--endpoint") {
        endpoint = v;
      } else if (a == "--observed-at") {
        const auto t = collectors::parse_datetime(v);
        if (!t) {
          return usage_error(
              "--observed-at: expected an ISO-8601 time such as "
              "2024-05-20T12:00:00Z, got '" +
              v + "'");
        }
        context.observed_at = *t;
      } else if (a == "--status") {
        int status = 0;
        std::istringstream in(v);
        if (!(in >> status) || !in.eof() || status < 100 || status > 599) {
          return usage_error("--status: expected an HTTP status code 100-599, got '" + v + "'");
        }
        context.http_status = status;
      } else if (a == "--ref") {
        context.requested_refs.push_back(v);
      } else {
        context.link_header = v;
      }
    } else if (a == "--page-info") {
      page_info = true;
    } else if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (!a.empty() && a.front() == '-' && a != "-") {
      std::fputs(kUsage, stderr);
      return usage_error("unknown option '" + a + "'");
    } else if (file.empty()) {
      file = a;
    } else {
      std::fputs(kUsage, stderr);
      return usage_error("only one FILE.json is accepted, got '" + file + "' and '" + a + "'");
    }
  }
  if (platform_arg.empty() || endpoint.empty() || file.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  if (!platform) {
    return usage_error("--platform: unknown platform '" + platform_arg +
                       "', expected x, bluesky, mastodon, facebook, instagram or youtube");
  }
  const auto names = collectors::endpoint_names(*platform);
  const bool webhook = *platform == model::Platform::instagram && endpoint == kWebhookMentions;
  if (!webhook && std::find(names.begin(), names.end(), endpoint) == names.end()) {
    std::string expected = joined_names(*platform);
    if (*platform == model::Platform::instagram) expected += ", " + std::string(kWebhookMentions);
    return usage_error("--endpoint: unknown " + std::string(model::to_string(*platform)) +
                       " endpoint '" + endpoint + "', expected one of: " + expected);
  }

  std::string body;
  {
    std::ifstream in(file == "-" ? "/dev/stdin" : file, std::ios::binary);
    if (!in) return usage_error(file + ": cannot open file for reading");
    body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) return usage_error(file + ": read error");
    if (body.size() > kMaxBodyBytes) {
      return usage_error(file + ": larger than " + std::to_string(kMaxBodyBytes / (1024 * 1024)) +
                         " MiB, not an API response body");
    }
  }

  if (webhook) {
    const int status = print_webhook_mentions(body, context);
    std::fflush(stdout);
    return status;
  }
  const auto result = run_parser(*platform, endpoint, body, context);
  if (!result) return usage_error("--endpoint: unknown endpoint '" + endpoint + "'");
  for (const auto& observation : result->observations) {
    const std::string line = model::to_json_line(observation);
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
  }
  // A counts endpoint's series (X tweets/counts/recent), one line per bucket.
  for (const auto& c : result->counts) {
    std::printf("{\"kind\":\"count\",\"start\":\"%s\",\"end\":\"%s\",\"count\":%lld}\n",
                model::iso8601_utc(c.start).c_str(), model::iso8601_utc(c.end).c_str(),
                static_cast<long long>(c.count));
  }
  std::fflush(stdout);
  if (page_info) {
    std::fprintf(stderr, "outcome=%s next_cursor=%s newest_id=%s\n",
                 std::string(collectors::to_string(result->outcome)).c_str(),
                 result->next_cursor ? result->next_cursor->c_str() : "-",
                 result->newest_id ? result->newest_id->c_str() : "-");
  }
  return result->outcome == collectors::ParseOutcome::malformed ? 1 : 0;
}

}  // namespace mamori::ctl
