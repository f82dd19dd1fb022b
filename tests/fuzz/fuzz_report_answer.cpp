// Fuzzes the platforms' answers to a takedown report (Mastodon's Report entity, Bluesky's
// createReport output) under every status class, and the request builders on the same bytes as
// report text. Nothing may crash; an accepted answer always carries a report id, a refused one
// always says why; a built request body never breaks out of its JSON strings.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "collectors/bluesky/bluesky_report.h"
#include "collectors/mastodon/mastodon_report.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mamori::collectors;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  for (const int status : {200, 400, 401, 404, 422, 500}) {
    for (const ReportAnswer& a : {mastodon::parse_report_answer(status, body),
                                  bluesky::parse_report_answer(status, body)}) {
      if (a.accepted && (a.report_id.empty() || status != 200)) std::abort();
      if (!a.accepted && a.error.empty()) std::abort();
    }
  }
  ReportInput input;
  input.account_id = std::string(body.substr(0, 64));
  input.text = std::string(body);
  input.post_ids = {std::string(body.substr(0, 16))};
  const auto m = mastodon::report_request("https://mastodon.example", "token", input);
  const auto b = bluesky::report_request("https://pds.example", input);
  // The comment is cut to the limit in code points, never inside a UTF-8 sequence.
  const std::string cut = truncate_code_points(body, mastodon::kReportCommentLimit);
  if (cut.size() > body.size() || body.substr(0, cut.size()) != cut) std::abort();
  if (m.body.empty() || b.body.empty() || m.body.front() != '{' || b.body.back() != '}')
    std::abort();
  return 0;
}
