// The words by which an account names itself as one of a local government's departments or
// affiliated bodies (issue 18: 消防本部, 水道局, 市議会, 市立図書館, 教育委員会, 観光協会,
// 子育て支援 …), looked for in what is left of a display name once the body's own name is taken
// out. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mamori::detectors::impersonation {

// The department or affiliated-body word in `rest` (text::match_key form, the body's name
// removed), "" if none. `strong_only` keeps the words that say "a part of the city" on their own
// (消防, 図書館, 議会 …) and drops bare suffixes (課, 局, 館 …), for names that carry only the
// body's stem (松山観光協会, not 松山市観光協会).
std::string family_word(std::u32string_view rest, bool strong_only = false);

}  // namespace mamori::detectors::impersonation

namespace mamori::detectors::impersonation {

// The ways a handle spells a hiragana reading in Latin letters (Hepburn, as city handles do):
// with long vowels written out and collapsed (こうほく -> "kouhoku", "kohoku"). Letters only,
// lower case; characters other than hiragana are skipped. Used to tell a ward's or department's
// own handle (yokohama_kohoku: the ward 港北区) from a look-alike of the city's (yokohama_koho).
std::vector<std::string> romaji_forms(std::string_view hiragana);

}  // namespace mamori::detectors::impersonation
