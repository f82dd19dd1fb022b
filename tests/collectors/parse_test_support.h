// Helpers for the platform parser tests: fixtures, a fixed observation time, picking observations
// by kind, and the "a broken body never yields half a page" sweep.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "collectors/common/iso_time.h"
#include "collectors/common/parse_result.h"
#include "tests/support/test_support.h"

namespace mamori::testing {

inline std::string parser_fixture(std::string_view platform, std::string_view name) {
  return read_file(data_dir() / "collectors" / std::string(platform) / std::string(name));
}

inline model::TimePoint at(std::string_view iso) {
  const auto t = collectors::parse_datetime(iso);
  EXPECT_TRUE(t.has_value()) << iso;
  return t.value_or(model::TimePoint{});
}

inline collectors::ParseContext parse_context(std::vector<std::string> refs = {}) {
  collectors::ParseContext context;
  context.observed_at = at("2024-05-20T12:00:00Z");
  context.requested_refs = std::move(refs);
  return context;
}

template <typename T>
std::vector<T> all_of(const collectors::ParseResult& result) {
  std::vector<T> out;
  for (const auto& o : result.observations) {
    if (const T* t = std::get_if<T>(&o)) out.push_back(*t);
  }
  return out;
}

// Every prefix of a body that stops before its final closing bracket must give exactly one
// error observation and nothing else: truncation never yields a partial page.
template <typename Parse>
void expect_every_truncation_rejected(const std::string& body, Parse parse) {
  const std::size_t last = body.find_last_of("}]");
  ASSERT_NE(last, std::string::npos);
  std::size_t checked = 0;
  for (std::size_t n = 0; n < last; ++n) {
    const auto result = parse(std::string_view(body).substr(0, n));
    ASSERT_EQ(result.outcome, collectors::ParseOutcome::malformed) << "prefix of " << n << " bytes";
    ASSERT_EQ(result.observations.size(), 1u) << "prefix of " << n << " bytes";
    const auto* error = std::get_if<model::ObservationError>(&result.observations.front());
    ASSERT_NE(error, nullptr) << "prefix of " << n << " bytes";
    ASSERT_FALSE(error->message.empty());
    ASSERT_FALSE(result.next_cursor.has_value());
    ++checked;
  }
  EXPECT_GT(checked, 100u);
}

}  // namespace mamori::testing
