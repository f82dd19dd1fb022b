// Reading untrusted platform JSON with simdjson On-Demand, for the platform parsers.
//
// The rules every parser follows through these helpers:
//  - Never trust that a field exists or has its documented type. A value of another type reads
//    as absent (`string_of` returns nullopt for a number), and an unknown field is skipped.
//  - A body that is not JSON, is truncated, or lacks the endpoint's top-level shape throws
//    `Malformed`; `parse_document` turns that into the page's only observation, an error naming
//    the JSON path, line and column. Records are collected first and handed out only when the
//    whole document read cleanly, so a broken body never yields half a page.
//  - Strings are copied out of simdjson's buffers at once and cleaned of control characters
//    (NUL and friends would break PostgreSQL text and terminals).
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "collectors/common/parse_result.h"

namespace mamori::collectors::json {

namespace od = simdjson::ondemand;

// A body that cannot be read any further. `syntax` marks broken JSON (its location is then
// taken from the parser); otherwise the JSON was fine but not the shape the endpoint returns.
class Malformed : public std::exception {
 public:
  Malformed(std::string message, bool syntax) : message_(std::move(message)), syntax_(syntax) {}
  const char* what() const noexcept override { return message_.c_str(); }
  const std::string& message() const { return message_; }
  const std::string& path() const { return path_; }
  bool syntax() const { return syntax_; }
  // Called while unwinding, innermost segment first: builds "data[3].entities.urls".
  void prepend_key(std::string_view key);
  void prepend_index(std::size_t index);

 private:
  std::string message_;
  std::string path_;
  bool syntax_;
};

// Throws Malformed for a simdjson error met while walking the document.
[[noreturn]] void fail(simdjson::error_code error);
// Throws Malformed for JSON that is well-formed but not the endpoint's shape.
[[noreturn]] void fail_shape(std::string message);

// A value had another type than the one asked for. On-Demand reads lazily, so make sure it is at
// least valid JSON (a `tru` or `1.2.3` is a broken body, not a type mismatch).
void check_scalar(od::value& value);

// "string", "number", "object"... for messages.
std::string_view type_name(od::value& value);
std::string_view type_name(od::document& doc);

// Throws Malformed ("expected an array of posts, found object") unless `value` is an array.
void expect_array(od::value& value, std::string_view what);

// Calls f(std::string_view key, od::value& value) for every field of an object, in document
// order. Returns false, reading nothing, when the value is not an object.
template <typename V, typename F>
bool for_each_field(V& v, F&& f) {
  od::object object;
  const auto error = v.get_object().get(object);
  if (error == simdjson::INCORRECT_TYPE) {
    if constexpr (std::is_same_v<V, od::value>) check_scalar(v);
    return false;
  }
  if (error) fail(error);
  for (auto field_result : object) {
    od::field field;
    if (const auto e = std::move(field_result).get(field)) fail(e);
    std::string_view key;
    if (const auto e = field.unescaped_key().get(key)) fail(e);
    try {
      f(key, field.value());
    } catch (Malformed& m) {
      m.prepend_key(key);
      throw;
    }
  }
  return true;
}

// Calls f(od::value& element, std::size_t index) for every element of an array. Returns false,
// reading nothing, when the value is not an array.
template <typename V, typename F>
bool for_each_element(V& v, F&& f) {
  od::array array;
  const auto error = v.get_array().get(array);
  if (error == simdjson::INCORRECT_TYPE) {
    if constexpr (std::is_same_v<V, od::value>) check_scalar(v);
    return false;
  }
  if (error) fail(error);
  std::size_t index = 0;
  for (auto element_result : array) {
    od::value element;
    if (const auto e = std::move(element_result).get(element)) fail(e);
    try {
      f(element, index);
    } catch (Malformed& m) {
      m.prepend_index(index);
      throw;
    }
    ++index;
  }
  return true;
}

// Copies a string value into `out`, cleaned; false (out untouched) when it is not a string.
bool read_string(od::value& value, std::string& out);
std::optional<std::string> string_of(od::value& value);
// A timestamp string (parse_datetime, collectors/common/iso_time.h); nullopt for other types and
// for text that is not a time.
std::optional<model::TimePoint> time_of(od::value& value);
// An integer; nullopt for other types, fractions and integers beyond int64.
std::optional<std::int64_t> int_of(od::value& value);
std::optional<bool> bool_of(od::value& value);

// Replaces NUL, other C0 controls except tab/LF/CR, DEL and C1 controls with U+FFFD.
// Input is valid UTF-8 (simdjson validates the whole body).
void clean_text(std::string_view in, std::string& out);

// An ObservationError carrying the context's status and time.
model::ObservationError make_error(model::Platform platform, std::string_view endpoint,
                                   std::string message, const ParseContext& context);

// A platform's error body about the requested account: AccountGone (for the first requested
// ref) when `gone_reason` says the account is gone, else an ObservationError with `message`.
model::Observation gone_or_error(model::Platform platform, std::string_view endpoint,
                                 const std::optional<std::string>& gone_reason, std::string message,
                                 const ParseContext& context);

struct ParserScratch;

// The per-thread reusable parser and padded copy of the body; see parse_document.
class DocumentScope {
 public:
  explicit DocumentScope(std::string_view body);
  ~DocumentScope();
  DocumentScope(const DocumentScope&) = delete;
  DocumentScope& operator=(const DocumentScope&) = delete;

  simdjson::error_code iterate(od::document& doc);
  // Throws Malformed when anything but whitespace follows the top-level value.
  void expect_end(od::document& doc);
  // "malformed JSON at line 3, column 17 (byte 52) in data[0].text: <reason>".
  std::string describe(const Malformed& error, od::document& doc) const;
  std::string describe(simdjson::error_code error) const;

 private:
  std::string_view body_;
  ParserScratch* scratch_;
  // A parse nested inside another on the same thread (none today) gets its own parser instead
  // of clobbering the outer document.
  std::unique_ptr<ParserScratch> own_;
};

// Reads `body` and hands the document to read(od::document&, ParseResult&). A Malformed thrown
// anywhere inside replaces everything read so far with a single error observation.
template <typename Read>
ParseResult parse_document(model::Platform platform, std::string_view endpoint,
                           std::string_view body, const ParseContext& context, Read&& read) {
  ParseResult result;
  std::string problem;
  {
    DocumentScope scope(body);
    od::document doc;
    if (const auto error = scope.iterate(doc)) {
      problem = scope.describe(error);
    } else {
      try {
        read(doc, result);
        scope.expect_end(doc);
      } catch (const Malformed& m) {
        problem = scope.describe(m, doc);
      }
    }
  }
  if (!problem.empty()) {
    result = ParseResult{};
    result.outcome = ParseOutcome::malformed;
    result.observations.emplace_back(make_error(platform, endpoint, std::move(problem), context));
  }
  return result;
}

// Reads a body that should be one JSON object, calling f(key, value) for each field (as
// for_each_field). Returns the problem ("malformed JSON at line …") or empty; `is_object` says
// whether the top-level value was an object. For small answers that are not observations (the
// report APIs' answers, collectors/common/report.h).
std::string read_object(std::string_view body, bool& is_object,
                        const std::function<void(std::string_view, od::value&)>& f);

}  // namespace mamori::collectors::json
