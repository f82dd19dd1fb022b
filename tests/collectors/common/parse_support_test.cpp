// The pieces every platform parser shares: ISO-8601 times, id ordering, endpoint names, and the
// JSON access rules (type mismatches read as absent, broken JSON is an error with a location).
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "collectors/common/iso_time.h"
#include "collectors/common/json_access.h"
#include "collectors/common/parse_result.h"

namespace mamori::collectors {
namespace {

using namespace std::chrono;

model::TimePoint utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0, int ms = 0) {
  return time_point_cast<milliseconds>(sys_days{year{y} / month{mo} / day{d}}) + hours{h} +
         minutes{mi} + seconds{s} + milliseconds{ms};
}

TEST(Iso8601, ReadsThePlatformsFormats) {
  EXPECT_EQ(parse_datetime("2024-05-20T01:30:00.000Z"), utc(2024, 5, 20, 1, 30));
  EXPECT_EQ(parse_datetime("2024-05-20T01:30:00Z"), utc(2024, 5, 20, 1, 30));
  EXPECT_EQ(parse_datetime("2024-05-20T01:30:00.123456Z"), utc(2024, 5, 20, 1, 30, 0, 123));
  EXPECT_EQ(parse_datetime("2024-05-20T01:30:00.5Z"), utc(2024, 5, 20, 1, 30, 0, 500));
  EXPECT_EQ(parse_datetime("2024-05-20T10:30:00+09:00"), utc(2024, 5, 20, 1, 30));
  EXPECT_EQ(parse_datetime("2024-05-20T10:30:00+0900"), utc(2024, 5, 20, 1, 30));
  EXPECT_EQ(parse_datetime("2024-05-20T00:30:00-05:30"), utc(2024, 5, 20, 6, 0));
  EXPECT_EQ(parse_datetime("2019-11-10T10:31:10.744+00:00"), utc(2019, 11, 10, 10, 31, 10, 744));
  EXPECT_EQ(parse_datetime("2024-05-20T01:30:00"), utc(2024, 5, 20, 1, 30));  // no offset: UTC
  EXPECT_EQ(parse_datetime("2024-05-20 01:30"), utc(2024, 5, 20, 1, 30));
  EXPECT_EQ(parse_datetime("2024-05-20"), utc(2024, 5, 20));  // Mastodon last_status_at
  EXPECT_EQ(parse_datetime("2024-01-01T08:00:00+09:00"), utc(2023, 12, 31, 23));
  EXPECT_EQ(parse_datetime("2016-12-31T23:59:60Z"), utc(2017, 1, 1));  // leap second
}

TEST(Iso8601, RejectsEverythingElse) {
  for (const char* bad :
       {"", "2024", "2024-5-20", "2024-02-30T00:00:00Z", "2023-02-29", "2024-13-01",
        "2024-05-20T24:00:00Z", "2024-05-20T01:60:00Z", "2024-05-20T01:30:00.Z",
        "2024-05-20T01:30:00+9", "2024-05-20T01:30:00+09:00x", "2024-05-20T01:30:00 Z", "yesterday",
        "1716170400", "2024-05-20T01:30:00+24:00", "２０２４-05-20"}) {
    EXPECT_FALSE(parse_datetime(bad).has_value()) << bad;
  }
}

TEST(IdOrder, ComparesNumericIdsByValue) {
  EXPECT_TRUE(id_less("999", "1000"));
  EXPECT_FALSE(id_less("1000", "999"));
  EXPECT_TRUE(id_less("1795000000000000004", "1795000000000000005"));
  EXPECT_FALSE(id_less("0042", "42"));
  EXPECT_FALSE(id_less("42", "0042"));
  EXPECT_TRUE(id_less("abc", "abd"));  // not numbers: byte order
}

TEST(EndpointNames, EveryPlatformRoundTrips) {
  // X: counts/recent and quote_tweets, Bluesky: getQuotes came with the cheap polling (issue 21).
  EXPECT_EQ(endpoint_names(model::Platform::x).size(), 8u);
  EXPECT_EQ(endpoint_names(model::Platform::bluesky).size(), 8u);
  EXPECT_EQ(endpoint_names(model::Platform::mastodon).size(), 7u);  // and statuses/:id/quotes (4.5)
  for (const auto name : endpoint_names(model::Platform::x)) {
    EXPECT_EQ(endpoint_name(*x_endpoint_from_name(name)), name);
  }
  for (const auto name : endpoint_names(model::Platform::bluesky)) {
    EXPECT_EQ(endpoint_name(*bluesky_endpoint_from_name(name)), name);
  }
  for (const auto name : endpoint_names(model::Platform::mastodon)) {
    EXPECT_EQ(endpoint_name(*mastodon_endpoint_from_name(name)), name);
  }
  EXPECT_EQ(endpoint_name(MastodonEndpoint::status_context), "statuses/:id/context");
  EXPECT_FALSE(mastodon_endpoint_from_name("v2/search").has_value());
}

ParseResult read_names(std::string_view body, std::vector<std::string>& names,
                       std::vector<std::int64_t>& counts) {
  ParseContext context;
  return json::parse_document(
      model::Platform::x, "test", body, context, [&](json::od::document& doc, ParseResult&) {
        json::for_each_field(doc, [&](std::string_view key, json::od::value& v) {
          if (key == "name") {
            if (auto s = json::string_of(v)) names.push_back(*s);
          } else if (key == "count") {
            if (auto n = json::int_of(v)) counts.push_back(*n);
          }
        });
      });
}

TEST(JsonAccess, TypeMismatchesReadAsAbsent) {
  std::vector<std::string> names;
  std::vector<std::int64_t> counts;
  const auto result =
      read_names(R"({"name":1,"name":null,"name":["x"],"name":"ok","count":"3","count":1.5,)"
                 R"("count":99999999999999999999,"count":-7,"count":true})",
                 names, counts);
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  EXPECT_EQ(names, std::vector<std::string>{"ok"});
  EXPECT_EQ(counts, std::vector<std::int64_t>{-7});
}

TEST(JsonAccess, BrokenLiteralsAreMalformedNotMismatches) {
  for (const char* body : {R"({"name":tru})", R"({"name":nul})", R"({"count":1.2.3})",
                           R"({"count":-})", R"({"name":"a" "b"})"}) {
    std::vector<std::string> names;
    std::vector<std::int64_t> counts;
    const auto result = read_names(body, names, counts);
    EXPECT_EQ(result.outcome, ParseOutcome::malformed) << body;
    ASSERT_EQ(result.observations.size(), 1u) << body;
    EXPECT_NE(std::get<model::ObservationError>(result.observations[0])
                  .message.find("malformed JSON at line 1"),
              std::string::npos)
        << std::get<model::ObservationError>(result.observations[0]).message;
  }
}

TEST(JsonAccess, InvalidUtf8IsRejectedWithoutEchoingIt) {
  std::vector<std::string> names;
  std::vector<std::int64_t> counts;
  const auto result = read_names("{\"name\":\"\xff\xfe\"}", names, counts);
  EXPECT_EQ(result.outcome, ParseOutcome::malformed);
  const auto& message = std::get<model::ObservationError>(result.observations.at(0)).message;
  EXPECT_EQ(message.find('\xff'), std::string::npos);
  // A control character makes simdjson stop before it checks UTF-8: the snippet must still be
  // valid UTF-8 (found by fuzzing).
  names.clear();
  const auto control = read_names(std::string("{\"na\xa0me\":\"x\x01\xe9.\"}"), names, counts);
  EXPECT_EQ(control.outcome, ParseOutcome::malformed);
  const auto& text = std::get<model::ObservationError>(control.observations.at(0)).message;
  EXPECT_TRUE(simdjson::validate_utf8(text.data(), text.size())) << text;
}

TEST(JsonAccess, CleanTextReplacesControlCharacters) {
  std::string out;
  json::clean_text("a\tb\nc\rd", out);
  EXPECT_EQ(out, "a\tb\nc\rd");
  json::clean_text(std::string("x\0y\x1b"
                               "z\x7f",
                               6),
                   out);
  EXPECT_EQ(out, "x\xEF\xBF\xBDy\xEF\xBF\xBDz\xEF\xBF\xBD");
  json::clean_text("\xC2\x85 \xC2\xA0 相馬", out);  // C1 NEL replaced, NBSP kept
  EXPECT_EQ(out, "\xEF\xBF\xBD \xC2\xA0 相馬");
}

TEST(JsonAccess, NestedDocumentsOnOneThreadDoNotClobberEachOther) {
  std::vector<std::string> outer_names;
  ParseContext context;
  const auto result = json::parse_document(
      model::Platform::x, "outer", R"({"inner":"{\"name\":\"inner\"}","name":"outer"})", context,
      [&](json::od::document& doc, ParseResult&) {
        json::for_each_field(doc, [&](std::string_view key, json::od::value& v) {
          if (key == "inner") {
            const auto inner_body = json::string_of(v).value_or("");
            std::vector<std::string> inner_names;
            std::vector<std::int64_t> counts;
            EXPECT_EQ(read_names(inner_body, inner_names, counts).outcome, ParseOutcome::ok);
            EXPECT_EQ(inner_names, std::vector<std::string>{"inner"});
          } else if (key == "name") {
            outer_names.push_back(json::string_of(v).value_or(""));
          }
        });
      });
  EXPECT_EQ(result.outcome, ParseOutcome::ok);
  EXPECT_EQ(outer_names, std::vector<std::string>{"outer"});
}

}  // namespace
}  // namespace mamori::collectors
