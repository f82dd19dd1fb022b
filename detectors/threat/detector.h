// Threat detection (白井市 4(5): 脅迫・詐欺・犯罪被害): replies and mentions that threaten people
// or facilities (殺害予告, 爆破予告, 放火, 危害), extort, or defraud the city's followers while
// posing as the city. Separate from flame-up hostility: abuse and anger ("辞めろ", "無能") are
// not threats; only an announced act of violence, damage or extortion is.
//
// The text is analysed with MeCab (text::Morphology), and a cue counts only when the writer
// asserts it: a cue that is negated (殺すなんて言ってない), quoted (「爆破する」なんて書き込み),
// reported (爆破予告があった, 放火の疑い), asked (放火犯は捕まった？), passive (蚊に刺された) or
// that merely modifies a noun (刺すシーン, 殺す気か) is not a threat. Hyperbole (殺人的, 死ぬほど,
// 爆発的) carries no cue. Pure: no I/O.
//
//   threat::Assessment a = threat::assess(reply.text);
//   if (a.threat) findings.push_back(threat::make_finding(reply, a, now));
//   // or, sharing one analysis of the reply with the misinformation detector:
//   const text::NormalizedText normalized(reply.text);
//   threat::Assessment b = threat::assess(normalized);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/finding.h"
#include "model/observation.h"

namespace mamori::detectors::text {
class Morphology;
class NormalizedText;
}  // namespace mamori::detectors::text

namespace mamori::detectors::threat {

enum class Kind : std::uint8_t { violence, bomb, arson, harm, extortion, fraud };

std::string_view to_string(Kind k);
// As staff read it: 殺害・暴力の予告, 爆破予告, 放火の予告, 危害・つきまといの予告, 恐喝, 詐欺.
std::string_view label_ja(Kind k);

struct Assessment {
  bool threat = false;
  Kind kind = Kind::violence;
  // The words that carry the threat, as written in the text (for evidence), e.g. "殺してやる".
  std::vector<std::string> cues;
  // Japanese, one short sentence each, for staff.
  std::vector<std::string> reasons;
};

// Judges one reply or mention. Untrusted UTF-8: any bytes are accepted. Uses
// text::Morphology::shared() unless an analyzer is given.
Assessment assess(std::string_view text, const text::Morphology* morphology = nullptr);
// The same on a reply already normalized and analysed (text/normalized_text.h), e.g. once for
// both this and the misinformation detector.
Assessment assess(const text::NormalizedText& text);

// The finding for a threatening post: type `threat`, subject "<platform>:post:<id>", severity
// high (critical for a bomb or arson announcement), with the post's text, author, time and link
// preserved in the evidence as the police consultation needs them.
model::Finding make_finding(const model::Post& post, const Assessment& assessment,
                            model::TimePoint now);

}  // namespace mamori::detectors::threat
