#include "detectors/text/morphology.h"

#include <mecab.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace mamori::detectors::text {
namespace {

std::atomic<std::uint64_t> g_generation{0};

// Splits an IPA dictionary feature string ("名詞,一般,*,*,*,*,給水,キュウスイ,キュースイ") into its
// first eight fields (the pronunciation, the ninth, is not used); "*" means absent. One pass up to
// the eighth field's end: the features live in the mapped dictionary, so reading each byte once
// (no separate strlen) is what this costs per morpheme.
std::array<std::string_view, 8> split_feature(const char* feature) {
  std::array<std::string_view, 8> f{};
  if (feature == nullptr) return f;
  std::size_t field = 0;
  const char* start = feature;
  for (const char* p = feature;; ++p) {
    if (*p == ',' || *p == '\0') {
      const std::string_view v(start, static_cast<std::size_t>(p - start));
      f[field++] = v == "*" ? std::string_view{} : v;
      if (*p == '\0' || field == f.size()) break;
      start = p + 1;
    }
  }
  return f;
}

// The split of recently seen feature strings, by their address in the dictionary: a reply's
// particles, auxiliaries and common words recur, and a hit costs one probe instead of a scan of
// the string. Direct-mapped; a field is kept as its offset and length (features over 255 bytes
// are split each time).
class FeatureCache {
 public:
  std::array<std::string_view, 8> split(const char* feature) {
    if (feature == nullptr) return {};
    const auto key = reinterpret_cast<std::uintptr_t>(feature);
    Entry& e = entries_[((key >> 3) * 0x9E3779B97F4A7C15ull) >> (64 - kBits)];
    std::array<std::string_view, 8> f{};
    if (e.feature == feature) {
      for (std::size_t i = 0; i < f.size(); ++i) {
        if (e.size[i] != 0) f[i] = std::string_view(feature + e.offset[i], e.size[i]);
      }
      return f;
    }
    f = split_feature(feature);
    for (std::size_t i = 0; i < f.size(); ++i) {
      const std::size_t offset = f[i].empty() ? 0 : static_cast<std::size_t>(f[i].data() - feature);
      if (offset + f[i].size() > 255) return f;  // not cached
      e.offset[i] = static_cast<std::uint8_t>(offset);
      e.size[i] = static_cast<std::uint8_t>(f[i].size());
    }
    e.feature = feature;
    return f;
  }

 private:
  static constexpr int kBits = 12;
  struct Entry {
    const char* feature = nullptr;
    std::array<std::uint8_t, 8> offset{};
    std::array<std::uint8_t, 8> size{};  // 0: the field is absent ("*") or empty
  };
  std::array<Entry, std::size_t{1} << kBits> entries_{};
};

struct ThreadTagger {
  std::uint64_t generation = 0;
  std::unique_ptr<MeCab::Tagger> tagger;
  std::unique_ptr<MeCab::Lattice> lattice;
  std::unique_ptr<FeatureCache> features;  // of this generation's dictionary
};

}  // namespace

struct Morphology::Impl {
  std::unique_ptr<MeCab::Model> model;
};

Morphology::Morphology(const std::string& dicdir) : impl_(std::make_unique<Impl>()) {
  std::string arg = dicdir.empty() ? std::string() : "-d " + dicdir;
  impl_->model.reset(MeCab::createModel(arg.c_str()));
  if (!impl_->model) {
    const char* why = MeCab::getLastError();
    throw std::runtime_error(std::string("MeCab: cannot load the dictionary") +
                             (dicdir.empty() ? " named by /etc/mecabrc" : " in " + dicdir) +
                             " (install mecab-ipadic-utf8): " + (why != nullptr ? why : ""));
  }
  if (const MeCab::DictionaryInfo* info = impl_->model->dictionary_info();
      info != nullptr && info->filename != nullptr) {
    dictionary_ = info->filename;
    if (const auto slash = dictionary_.rfind('/'); slash != std::string::npos) {
      dictionary_.resize(slash);
    }
  }
  generation_ = ++g_generation;
}

Morphology::~Morphology() = default;

const Morphology& Morphology::shared() {
  static const Morphology instance;
  return instance;
}

void Morphology::analyze(std::string_view text, std::vector<Morpheme>& out) const {
  out.clear();
  if (text.empty()) return;
  thread_local ThreadTagger cache;
  if (cache.generation != generation_ || !cache.tagger) {
    cache.tagger.reset(impl_->model->createTagger());
    cache.lattice.reset(impl_->model->createLattice());
    cache.features = std::make_unique<FeatureCache>();
    cache.generation = generation_;
  }
  if (!cache.tagger || !cache.lattice) return;
  // MeCab reads the sentence as a C string in places (strlen in its dictionary lookup): give it a
  // NUL-terminated copy without inner NULs, whatever the caller's view (found by fuzzing).
  thread_local std::string buffer;
  buffer.assign(text);
  for (char& c : buffer) {
    if (c == '\0') c = ' ';
  }
  MeCab::Lattice& lattice = *cache.lattice;
  lattice.set_sentence(buffer.c_str(), buffer.size());
  if (!cache.tagger->parse(&lattice)) return;
  const char* const start = lattice.sentence();
  for (const MeCab::Node* n = lattice.bos_node(); n != nullptr; n = n->next) {
    if (n->stat == MECAB_BOS_NODE || n->stat == MECAB_EOS_NODE || n->length == 0) continue;
    Morpheme m;
    m.begin = static_cast<std::uint32_t>(n->surface - start);
    m.end = static_cast<std::uint32_t>(m.begin + n->length);
    const auto f = cache.features->split(n->feature);
    m.pos = f[0];
    m.pos1 = f[1];
    m.pos2 = f[2];
    m.conj_type = f[4];
    m.conj_form = f[5];
    m.base = f[6];
    m.reading = f[7];
    m.known = n->stat != MECAB_UNK_NODE;
    if (m.base.empty()) m.base = text.substr(m.begin, m.end - m.begin);
    out.push_back(m);
  }
  lattice.clear();
}

std::vector<Morpheme> Morphology::analyze(std::string_view text) const {
  std::vector<Morpheme> out;
  analyze(text, out);
  return out;
}

}  // namespace mamori::detectors::text
