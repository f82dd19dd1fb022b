// Japanese morphological analysis with MeCab (Debian's libmecab2 and the IPA dictionary,
// mecab-ipadic-utf8): surface spans, parts of speech, conjugation and base forms.
//
// The dictionary is loaded once per process (`Morphology::shared()`) and found without
// configuration the way the `mecab` command finds it: /etc/mecabrc names Debian's dictionary
// directory (/var/lib/mecab/dic/debian, an alternatives link to the installed dictionary).
// Analysis is thread-safe: each thread keeps its own tagger and lattice over the shared model.
//
//   std::vector<text::Morpheme> ms;
//   text::Morphology::shared().analyze("給水所は休みらしい", ms);
//   // ms[0].base == "給水", ms[0].pos == "名詞"; ms.back().base == "らしい" (助動詞)
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::detectors::text {

struct Morpheme {
  // Byte span in the analysed text (surface = text.substr(begin, end - begin)). Whitespace
  // between morphemes belongs to none of them.
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  // IPA dictionary features; they view the loaded dictionary and live as long as the Morphology.
  std::string_view pos;  // 品詞: 名詞, 動詞, 形容詞, 助動詞, 助詞, 記号 …
  std::string_view pos1;  // 品詞細分類1: 自立, 非自立, 接尾, 終助詞, 係助詞, 数 …
  std::string_view pos2;       // 品詞細分類2: 助動詞語幹, 引用 …
  std::string_view conj_type;  // 活用型: 特殊・ナイ, 一段 …
  std::string_view conj_form;  // 活用形: 基本形, 連用形, 未然形 …
  std::string_view base;       // 原形 (lemma); the surface itself for unknown words
  std::string_view reading;    // katakana reading; empty for unknown words
  bool known = true;           // false: not in the dictionary (names, slang, romaji)
};

class Morphology {
 public:
  // Loads the dictionary in `dicdir`, or MeCab's default (from /etc/mecabrc) when empty.
  // Throws std::runtime_error with MeCab's message when no dictionary can be loaded.
  explicit Morphology(const std::string& dicdir = {});
  ~Morphology();
  Morphology(const Morphology&) = delete;
  Morphology& operator=(const Morphology&) = delete;

  // The process-wide analyzer over the default dictionary, loaded on first use (call it once at
  // start-up to load it early and to fail there when the dictionary is missing).
  static const Morphology& shared();

  // Replaces `out` with the morphemes of `text` (UTF-8; invalid bytes are analysed as unknown
  // characters, never a crash). Thread-safe. `base` of an unknown word views `text`, so keep
  // `text` alive while reading the morphemes.
  void analyze(std::string_view text, std::vector<Morpheme>& out) const;
  std::vector<Morpheme> analyze(std::string_view text) const;

  // The dictionary in use (its dicdir as MeCab reports it, e.g. "/var/lib/mecab/dic/debian").
  const std::string& dictionary() const { return dictionary_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string dictionary_;
  std::uint64_t generation_ = 0;  // tells a thread's cached tagger which analyzer made it
};

}  // namespace mamori::detectors::text
