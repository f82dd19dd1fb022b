// The character of a reply: is it criticism/abuse (炎上's fuel), thanks, a question, or neutral?
// Uses a Japanese lexicon compiled into the library (lexicon.cpp) with negation handling, and a
// heuristic for new or anonymous-looking repliers. Untrusted text: any bytes are accepted.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/observation.h"

namespace mamori::detectors::flameup {

enum class Tone : std::uint8_t { neutral, hostile, thanks, question };

constexpr std::string_view to_string(Tone t) {
  switch (t) {
    case Tone::neutral:
      return "neutral";
    case Tone::hostile:
      return "hostile";
    case Tone::thanks:
      return "thanks";
    case Tone::question:
      return "question";
  }
  return "unknown";
}

struct ReplyCharacter {
  Tone tone = Tone::neutral;
  double hostility = 0.0;  // summed weights of non-negated critical/abusive/炎上 phrases
  double gratitude = 0.0;  // summed weights of thanks/support phrases
  bool question = false;
};

// Classifies one reply text. When `matched` is given, the hostile phrases found (as written in
// the lexicon) are appended, for evidence.
ReplyCharacter classify_reply(std::string_view text, std::vector<std::string>* matched = nullptr);

// A replier that looks new or anonymous: account younger than 30 days at the time of the reply,
// 3 followers or fewer, a default-looking handle (a run of 6+ digits), or no display name.
// Unknown fields count as not suspicious.
bool looks_new_or_anonymous(const model::Post& reply);

// Number of entries in the shipped lexicon (tests check it is substantial).
std::size_t lexicon_size();

}  // namespace mamori::detectors::flameup
