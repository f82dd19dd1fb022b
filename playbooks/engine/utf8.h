// Minimal UTF-8 decoding for the renderer and the length counters (the playbook library has no
// ICU; these texts are short and the rules we need are few).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mamori::playbooks::utf8 {

inline constexpr char32_t kReplacement = 0xFFFD;

// Decodes the code point at `pos` and advances `pos`. Invalid or truncated sequences, overlong
// forms and surrogates decode as U+FFFD and advance by one byte, so every input terminates.
char32_t next(std::string_view s, std::size_t& pos);
void append(std::string& out, char32_t cp);

}  // namespace mamori::playbooks::utf8
