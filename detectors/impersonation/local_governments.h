// Every Japanese local government (issue 18): the 47 prefectures, 1,741 municipalities and the
// wards of designated cities, with readings, 全国地方公共団体コード and homepage URL, from
// detectors/impersonation/data (code4fukui/localgovjp, CC0; compiled in). The detector uses it to
// tell a candidate that presents itself as another real body (松本市 next to 松山市, 大分県 next
// to 大分市, 北海道伊達市 next to 福島県伊達市) from one that presents itself as the official's
// body, and to know a city's wards.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mamori::detectors::impersonation {

struct LocalGovernment {
  enum class Kind { prefecture, municipality, ward };
  Kind kind = Kind::municipality;
  std::string prefecture;       // 愛媛県
  std::string name;             // 松山市; a ward: 港北区; a prefecture: 愛媛県
  std::string city;             // a ward's city (横浜市), else empty
  std::string kana;             // まつやまし
  std::string code;             // 全国地方公共団体コード (6 digits with check digit)
  std::string homepage;         // normalize_url form: "city.matsuyama.ehime.jp"
  std::string display() const;  // 愛媛県松山市, 横浜市港北区, 愛媛県
};

// A run of a name key that is the name of one or more bodies (several: same-name municipalities).
struct BodyMention {
  std::size_t begin = 0;
  std::size_t length = 0;
  std::vector<std::uint32_t> bodies;
};

class LocalGovernmentDirectory {
 public:
  // The compiled-in directory, parsed once. Throws std::runtime_error if the data is malformed
  // (a build defect, caught by the tests).
  static const LocalGovernmentDirectory& japan();

  // Parses the two CSV files (localgovjp.csv: pid,pref,cid,city,citykana,lat,lng,url,phrase,lgcode;
  // prefjp.csv: pid,pref,prefkana,...,url,lgcode,...). Throws std::runtime_error naming the line.
  LocalGovernmentDirectory(std::string_view municipalities_csv, std::string_view prefectures_csv);

  const std::vector<LocalGovernment>& bodies() const { return bodies_; }

  // The bodies a name key (text::match_key form) names, leftmost-longest, at most `limit`:
  // 東松山市 is one mention of 東松山市, not of 松山市; 愛媛県松山市 one of 松山市.
  std::vector<BodyMention> mentions(std::u32string_view key, std::size_t limit = 8) const;

  // Narrows each mention that names several bodies to those another mention in the same text
  // places: a ward whose city is named (泉区役所（仙台市）is 仙台市泉区, not 横浜市泉区), a body
  // whose prefecture is named (伊達市（北海道）is 北海道伊達市). A mention nothing places is left
  // as it is.
  void narrow(std::vector<BodyMention>& mentions) const;

  // The body whose homepage a normalized URL points into (longest homepage prefix): a ward's
  // page under its city's host is the ward's.
  std::optional<std::uint32_t> homepage_body(std::string_view normalized_url) const;

  // Bodies named exactly `key` (match_key form of 松山市, 愛媛県松山市, 横浜市港北区).
  const std::vector<std::uint32_t>* named(std::u32string_view key) const;

  // A ward's city, or the body itself.
  std::uint32_t city_of(std::uint32_t body) const;

 private:
  struct ViewHash {
    using is_transparent = void;
    std::size_t operator()(std::u32string_view s) const {
      return std::hash<std::u32string_view>{}(s);
    }
  };
  struct ViewEqual {
    using is_transparent = void;
    bool operator()(std::u32string_view a, std::u32string_view b) const { return a == b; }
  };
  void index_name(std::string_view name, std::uint32_t body);

  std::vector<LocalGovernment> bodies_;
  std::vector<std::uint32_t> city_of_;
  std::unordered_map<std::u32string, std::vector<std::uint32_t>, ViewHash, ViewEqual> names_;
  std::unordered_map<std::string, std::uint32_t> homepages_;  // normalized homepage -> body
  std::size_t longest_name_ = 0;
};

}  // namespace mamori::detectors::impersonation
