// Invariants every platform parser keeps on any input, checked by the fuzz_parse_* targets:
// a malformed body yields exactly one error observation and no cursor; every string handed out is
// valid UTF-8 without NUL; every observation serializes to a JSON line; a count series (X
// tweets/counts/recent) holds only well-formed buckets, oldest first.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "collectors/common/parse_result.h"
#include "model/observation_json.h"

namespace mamori::fuzz {

inline void check_text(std::string_view s) {
  if (!simdjson::validate_utf8(s.data(), s.size())) __builtin_trap();
  if (s.find('\0') != std::string_view::npos) __builtin_trap();
}

inline void check_observation(const model::Observation& o) {
  if (const auto* p = std::get_if<model::ProfileSnapshot>(&o)) {
    if (p->account_id.empty()) __builtin_trap();
    for (const auto* s :
         {&p->account_id, &p->handle, &p->display_name, &p->description, &p->url, &p->avatar_url}) {
      check_text(*s);
    }
  } else if (const auto* post = std::get_if<model::Post>(&o)) {
    if (post->post_id.empty()) __builtin_trap();
    for (const auto* s : {&post->post_id, &post->author_id, &post->author_handle,
                          &post->author_display_name, &post->text, &post->client, &post->lang}) {
      check_text(*s);
    }
    for (const auto& u : post->urls) check_text(u);
  } else if (const auto* g = std::get_if<model::AccountGone>(&o)) {
    check_text(g->account_ref);
  } else if (const auto* e = std::get_if<model::ObservationError>(&o)) {
    if (e->message.empty()) __builtin_trap();
    check_text(e->message);
  }
  const std::string line = model::to_json_line(o);
  if (line.empty() || line.front() != '{') __builtin_trap();
}

inline void check_result(const collectors::ParseResult& result) {
  if (result.outcome == collectors::ParseOutcome::malformed) {
    if (result.observations.size() != 1) __builtin_trap();
    if (!std::holds_alternative<model::ObservationError>(result.observations.front())) {
      __builtin_trap();
    }
    if (result.next_cursor || result.newest_id) __builtin_trap();
    if (!result.counts.empty()) __builtin_trap();
  }
  // A count series: well-formed buckets, oldest first.
  for (std::size_t i = 0; i < result.counts.size(); ++i) {
    const auto& c = result.counts[i];
    if (!(c.start < c.end) || c.count < 0) __builtin_trap();
    if (i > 0 && result.counts[i - 1].start > c.start) __builtin_trap();
  }
  for (const auto& o : result.observations) check_observation(o);
  if (result.next_cursor) check_text(*result.next_cursor);
  if (result.newest_id) check_text(*result.newest_id);
}

// First byte: endpoint index (modulo `count`); second byte: context flags; the rest: the body.
struct FuzzInput {
  std::size_t endpoint = 0;
  collectors::ParseContext context;
  std::string_view body;
};

inline FuzzInput split_input(const std::uint8_t* data, std::size_t size, std::size_t count) {
  FuzzInput in;
  if (size > 0) in.endpoint = data[0] % count;
  const std::uint8_t flags = size > 1 ? data[1] : 0;
  if (flags & 1) in.context.requested_refs = {"soma_city", "did:plc:somacity7xq4kd2mz3lfa5n"};
  if (flags & 2) in.context.http_status = 404;
  if (flags & 4) {
    in.context.link_header = "<https://m.example/api/v1/x?max_id=12>; rel=\"next\"";
  }
  const std::size_t skip = size > 2 ? 2 : size;
  in.body = std::string_view(reinterpret_cast<const char*>(data) + skip, size - skip);
  return in;
}

}  // namespace mamori::fuzz
