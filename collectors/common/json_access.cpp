#include "collectors/common/json_access.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "collectors/common/iso_time.h"
#include "model/text.h"

namespace mamori::collectors::json {

// The parser keeps its buffers between documents, so polling does not allocate per response;
// one per thread because an On-Demand parser serves one document at a time.
struct ParserScratch {
  od::parser parser;
  std::string buffer;  // the body plus SIMDJSON_PADDING bytes
  bool busy = false;
};

namespace {

// Past this the per-thread buffers are released after use, so one huge response does not pin
// tens of megabytes per thread for the life of the daemon.
constexpr std::size_t kKeepCapacity = 4 * 1024 * 1024;
constexpr std::size_t kMaxPathSegment = 64;
constexpr std::size_t kSnippetBytes = 48;

ParserScratch& thread_scratch() {
  thread_local ParserScratch scratch;
  return scratch;
}

std::optional<char32_t> hex4(std::string_view s, std::size_t pos) {
  if (pos + 4 > s.size()) return std::nullopt;
  char32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const char c = s[pos + i];
    v <<= 4;
    if (c >= '0' && c <= '9') {
      v |= static_cast<char32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      v |= static_cast<char32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      v |= static_cast<char32_t>(c - 'A' + 10);
    } else {
      return std::nullopt;
    }
  }
  return v;
}

// simdjson 3.0.1 rejects a string holding a lone UTF-16 surrogate escape ("\ud800"), which
// platforms do emit for cut emoji. Decode the raw token ourselves, replacing it with U+FFFD.
bool decode_lenient(std::string_view token, std::string& out) {
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t' || token.back() == '\n' ||
                            token.back() == '\r')) {
    token.remove_suffix(1);
  }
  if (token.size() < 2 || token.front() != '"' || token.back() != '"') return false;
  const std::string_view s = token.substr(1, token.size() - 2);
  out.clear();
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (++i >= s.size()) return false;
    switch (s[i]) {
      case '"':
        out.push_back('"');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case '/':
        out.push_back('/');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'u': {
        const auto unit = hex4(s, i + 1);
        if (!unit) return false;
        i += 4;
        char32_t cp = *unit;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          const bool pair = i + 6 < s.size() && s[i + 1] == '\\' && s[i + 2] == 'u';
          const auto low = pair ? hex4(s, i + 3) : std::nullopt;
          if (low && *low >= 0xDC00 && *low <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (*low - 0xDC00);
            i += 6;
          } else {
            cp = 0xFFFD;
          }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          cp = 0xFFFD;
        }
        model::append_utf8(out, cp);
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

std::string clean_segment(std::string_view raw) {
  std::size_t n = std::min(raw.size(), kMaxPathSegment);
  while (n > 0 && n < raw.size() && (static_cast<unsigned char>(raw[n]) & 0xC0) == 0x80) --n;
  std::string out;
  clean_text(raw.substr(0, n), out);
  return out;
}

// Copies `in`, replacing each byte that does not start a well-formed UTF-8 sequence with U+FFFD.
std::string valid_utf8(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    const auto b = static_cast<unsigned char>(in[i]);
    std::size_t len = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (b < 0x80) {
      len = 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      if (b == 0xE0) lo = 0xA0;  // no overlong forms
      if (b == 0xED) hi = 0x9F;  // no surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      if (b == 0xF0) lo = 0x90;
      if (b == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
    }
    bool ok = len > 0 && i + len <= in.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto c = static_cast<unsigned char>(in[i + k]);
      ok = k == 1 ? (c >= lo && c <= hi) : (c >= 0x80 && c <= 0xBF);
    }
    if (ok) {
      out.append(in.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

// The first bytes of a body, cut at a character boundary, safe to put in a log line (the body
// may be anything, including invalid UTF-8, when simdjson refused it).
std::string snippet(std::string_view body) {
  std::size_t n = std::min(body.size(), kSnippetBytes);
  while (n > 0 && n < body.size() && (static_cast<unsigned char>(body[n]) & 0xC0) == 0x80) --n;
  std::string out;
  clean_text(valid_utf8(body.substr(0, n)), out);
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (n < body.size()) out += "...";
  return out;
}

}  // namespace

void Malformed::prepend_key(std::string_view key) {
  std::string segment = clean_segment(key);
  if (path_.empty()) {
    path_ = std::move(segment);
  } else if (path_.front() == '[') {
    path_ = segment + path_;
  } else {
    path_ = segment + "." + path_;
  }
}

void Malformed::prepend_index(std::size_t index) {
  std::string segment = "[" + std::to_string(index) + "]";
  if (!path_.empty() && path_.front() != '[') segment += ".";
  path_ = segment + path_;
}

void fail(simdjson::error_code error) {
  throw Malformed(simdjson::error_message(error), true);
}

void fail_shape(std::string message) {
  throw Malformed(std::move(message), false);
}

void check_scalar(od::value& value) {
  od::json_type type;
  if (const auto e = value.type().get(type)) fail(e);
  switch (type) {
    case od::json_type::boolean: {
      bool b = false;
      if (const auto e = value.get_bool().get(b)) fail(e);
      break;
    }
    case od::json_type::null: {
      bool n = false;
      if (const auto e = value.is_null().get(n)) fail(e);
      if (!n) fail(simdjson::TAPE_ERROR);
      break;
    }
    case od::json_type::number: {
      double d = 0;
      if (const auto e = value.get_double().get(d)) fail(e);
      break;
    }
    case od::json_type::string:
    case od::json_type::array:
    case od::json_type::object:
      // Strings were checked for closure and UTF-8 when the body was indexed; containers are
      // checked structurally while being skipped.
      break;
  }
}

namespace {

std::string_view type_name_of(od::json_type type) {
  switch (type) {
    case od::json_type::array:
      return "array";
    case od::json_type::object:
      return "object";
    case od::json_type::number:
      return "number";
    case od::json_type::string:
      return "string";
    case od::json_type::boolean:
      return "boolean";
    case od::json_type::null:
      return "null";
  }
  return "unknown";
}

}  // namespace

std::string_view type_name(od::value& value) {
  od::json_type type;
  if (value.type().get(type)) return "invalid JSON";
  return type_name_of(type);
}

std::string_view type_name(od::document& doc) {
  od::json_type type;
  if (doc.type().get(type)) return "invalid JSON";
  return type_name_of(type);
}

void expect_array(od::value& value, std::string_view what) {
  od::json_type type;
  if (const auto e = value.type().get(type)) fail(e);
  if (type != od::json_type::array) {
    fail_shape("expected an array of " + std::string(what) + ", found " +
               std::string(type_name(value)));
  }
}

bool read_string(od::value& value, std::string& out) {
  const std::string_view token = value.raw_json_token();
  std::string_view s;
  const auto error = value.get_string().get(s);
  if (!error) {
    clean_text(s, out);
    return true;
  }
  if (error == simdjson::INCORRECT_TYPE) {
    check_scalar(value);
    return false;
  }
  if (error == simdjson::STRING_ERROR) {
    std::string decoded;
    if (!decode_lenient(token, decoded)) fail(error);
    clean_text(decoded, out);
    return true;
  }
  fail(error);
}

std::optional<std::string> string_of(od::value& value) {
  std::string out;
  if (!read_string(value, out)) return std::nullopt;
  return out;
}

std::optional<model::TimePoint> time_of(od::value& value) {
  if (const auto s = string_of(value)) return parse_datetime(*s);
  return std::nullopt;
}

std::optional<std::int64_t> int_of(od::value& value) {
  std::int64_t n = 0;
  const auto error = value.get_int64().get(n);
  if (!error) return n;
  if (error == simdjson::INCORRECT_TYPE || error == simdjson::NUMBER_OUT_OF_RANGE) {
    check_scalar(value);
    return std::nullopt;
  }
  fail(error);
}

std::optional<bool> bool_of(od::value& value) {
  bool b = false;
  const auto error = value.get_bool().get(b);
  if (!error) return b;
  if (error == simdjson::INCORRECT_TYPE) {
    check_scalar(value);
    return std::nullopt;
  }
  fail(error);
}

void clean_text(std::string_view in, std::string& out) {
  const auto needs_cleaning = [](std::string_view s) {
    // Blocks without any byte below 0x20, DEL or 0xC2 (the lead byte of C1 controls) are the
    // common case and are skipped with a loop the compiler vectorizes; the rest byte by byte.
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    std::size_t i = 0;
    for (; i + 32 <= s.size(); i += 32) {
      unsigned suspicious = 0;
      for (std::size_t k = 0; k < 32; ++k) {
        const unsigned char b = p[i + k];
        suspicious |= static_cast<unsigned>(b < 0x20) | static_cast<unsigned>(b == 0x7F) |
                      static_cast<unsigned>(b == 0xC2);
      }
      if (suspicious != 0) break;
    }
    for (; i < s.size(); ++i) {
      const auto b = static_cast<unsigned char>(s[i]);
      if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7F) return true;
      if (b == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
        return true;  // C1 control U+0080..U+009F
      }
    }
    return false;
  };
  if (!needs_cleaning(in)) {
    out.assign(in);
    return;
  }
  out.clear();
  out.reserve(in.size() + 8);
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto b = static_cast<unsigned char>(in[i]);
    if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7F) {
      out += "\xEF\xBF\xBD";
    } else if (b == 0xC2 && i + 1 < in.size() && static_cast<unsigned char>(in[i + 1]) <= 0x9F &&
               static_cast<unsigned char>(in[i + 1]) >= 0x80) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.push_back(static_cast<char>(b));
    }
  }
}

model::ObservationError make_error(model::Platform platform, std::string_view endpoint,
                                   std::string message, const ParseContext& context) {
  model::ObservationError e;
  e.platform = platform;
  e.endpoint = std::string(endpoint);
  e.message = std::move(message);
  e.http_status = context.http_status;
  e.observed_at = context.observed_at;
  return e;
}

model::Observation gone_or_error(model::Platform platform, std::string_view endpoint,
                                 const std::optional<std::string>& gone_reason, std::string message,
                                 const ParseContext& context) {
  if (!gone_reason) return make_error(platform, endpoint, std::move(message), context);
  model::AccountGone g;
  g.platform = platform;
  g.account_ref = context.requested_refs.empty() ? "" : context.requested_refs.front();
  g.reason = *gone_reason;
  g.observed_at = context.observed_at;
  return g;
}

DocumentScope::DocumentScope(std::string_view body) : body_(body), scratch_(&thread_scratch()) {
  if (scratch_->busy) {
    own_ = std::make_unique<ParserScratch>();
    scratch_ = own_.get();
  }
  scratch_->busy = true;
}

DocumentScope::~DocumentScope() {
  scratch_->busy = false;
  if (own_) return;
  if (scratch_->parser.capacity() > kKeepCapacity || scratch_->buffer.capacity() > kKeepCapacity) {
    scratch_->parser = od::parser{};
    std::string().swap(scratch_->buffer);
  }
}

simdjson::error_code DocumentScope::iterate(od::document& doc) {
  ParserScratch& s = *scratch_;
  const std::size_t needed = body_.size() + simdjson::SIMDJSON_PADDING;
  if (s.buffer.size() < needed) s.buffer.resize(needed);
  if (!body_.empty()) std::memcpy(s.buffer.data(), body_.data(), body_.size());
  std::memset(s.buffer.data() + body_.size(), 0, simdjson::SIMDJSON_PADDING);
  const simdjson::padded_string_view view(s.buffer.data(), body_.size(), s.buffer.size());
  return s.parser.iterate(view).get(doc);
}

void DocumentScope::expect_end(od::document& doc) {
  const char* location = nullptr;
  const auto error = doc.current_location().get(location);
  if (error == simdjson::OUT_OF_BOUNDS) return;  // nothing after the top-level value
  throw Malformed("unexpected content after the end of the JSON document", true);
}

std::string DocumentScope::describe(simdjson::error_code error) const {
  if (error == simdjson::EMPTY) return "empty body: expected a JSON document";
  std::string message = std::string("malformed JSON: ") + simdjson::error_message(error);
  message += " (body starts with \"" + snippet(body_) + "\")";
  return message;
}

std::string DocumentScope::describe(const Malformed& error, od::document& doc) const {
  std::string message;
  if (error.syntax()) {
    const ParserScratch& s = *scratch_;
    std::size_t offset = body_.size();
    const char* location = nullptr;
    if (!doc.current_location().get(location) && location != nullptr &&
        location >= s.buffer.data() && location <= s.buffer.data() + body_.size()) {
      offset = static_cast<std::size_t>(location - s.buffer.data());
    }
    const std::string_view before = body_.substr(0, offset);
    const std::size_t line =
        1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
    const std::size_t last_newline = before.rfind('\n');
    const std::size_t column =
        last_newline == std::string_view::npos ? offset + 1 : offset - last_newline;
    message = "malformed JSON at line " + std::to_string(line) + ", column " +
              std::to_string(column) + " (byte " + std::to_string(offset) + ")";
    if (!error.path().empty()) message += " in " + error.path();
    message += ": " + error.message();
  } else {
    message = "unexpected response shape";
    if (!error.path().empty()) message += " at " + error.path();
    message += ": " + error.message();
    if (error.path().empty()) message += " (body starts with \"" + snippet(body_) + "\")";
  }
  return message;
}

std::string read_object(std::string_view body, bool& is_object,
                        const std::function<void(std::string_view, od::value&)>& f) {
  is_object = false;
  DocumentScope scope(body);
  od::document doc;
  if (const auto e = scope.iterate(doc)) return scope.describe(e);
  try {
    is_object = for_each_field(doc, f);
    scope.expect_end(doc);
  } catch (const Malformed& m) {
    return scope.describe(m, doc);
  }
  return "";
}

}  // namespace mamori::collectors::json
