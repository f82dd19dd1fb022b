#include "detectors/impersonation/local_governments.h"

#include <algorithm>
#include <stdexcept>

#include "detectors/impersonation/embedded_data.h"
#include "detectors/impersonation/profile_text.h"
#include "detectors/text/csv.h"
#include "detectors/text/normalize.h"

namespace mamori::detectors::impersonation {
namespace {

// Lines of a CSV text, BOM and CR removed; the header line is skipped.
std::vector<std::vector<std::string>> records(std::string_view csv, std::string_view what,
                                              std::size_t min_fields) {
  if (csv.substr(0, 3) == "\xEF\xBB\xBF") csv.remove_prefix(3);
  std::vector<std::vector<std::string>> out;
  int line_no = 0;
  while (!csv.empty()) {
    const auto nl = csv.find('\n');
    std::string_view line = csv.substr(0, nl);
    csv.remove_prefix(nl == std::string_view::npos ? csv.size() : nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line_no == 1 || line.empty()) continue;
    std::vector<std::string> fields;
    std::string error;
    if (!text::split_csv_line(line, fields, error) || fields.size() < min_fields) {
      throw std::runtime_error(std::string(what) + " line " + std::to_string(line_no) +
                               ": expected " + std::to_string(min_fields) + " CSV fields");
    }
    out.push_back(std::move(fields));
  }
  return out;
}

// The data writes some codes without their leading zero (北海道 10006 for 010006).
std::string six_digits(std::string code) {
  if (code.size() < 6) code.insert(0, 6 - code.size(), '0');
  return code;
}

}  // namespace

std::string LocalGovernment::display() const {
  switch (kind) {
    case Kind::prefecture:
      return name;
    case Kind::ward:
      return city + name;
    case Kind::municipality:
      return prefecture + name;
  }
  return name;
}

const LocalGovernmentDirectory& LocalGovernmentDirectory::japan() {
  static const LocalGovernmentDirectory directory(data::localgovjp_csv(), data::prefjp_csv());
  return directory;
}

void LocalGovernmentDirectory::index_name(std::string_view name, std::uint32_t body) {
  std::u32string key = text::to_u32(text::match_key(name));
  if (key.size() < 2) return;
  longest_name_ = std::max(longest_name_, key.size());
  auto& list = names_[std::move(key)];
  if (std::find(list.begin(), list.end(), body) == list.end()) list.push_back(body);
}

LocalGovernmentDirectory::LocalGovernmentDirectory(std::string_view municipalities_csv,
                                                   std::string_view prefectures_csv) {
  for (auto& f : records(prefectures_csv, "prefjp.csv", 9)) {
    LocalGovernment g;
    g.kind = LocalGovernment::Kind::prefecture;
    g.prefecture = f[1];
    g.name = f[1];
    g.kana = f[2];
    g.homepage = normalize_url(f[7]);
    g.code = six_digits(f[8]);
    bodies_.push_back(std::move(g));
  }
  std::unordered_map<std::string, std::uint32_t> cities;  // 愛媛県/松山市 -> body
  for (auto& f : records(municipalities_csv, "localgovjp.csv", 10)) {
    LocalGovernment g;
    g.prefecture = f[1];
    g.kana = f[4];
    g.homepage = normalize_url(f[7]);
    g.code = six_digits(f[9]);
    // Wards of designated cities are written "札幌市 中央区".
    const std::string& name = f[3];
    const auto space = name.find(' ');
    if (space != std::string::npos) {
      g.kind = LocalGovernment::Kind::ward;
      g.city = name.substr(0, space);
      g.name = name.substr(space + 1);
    } else {
      g.name = name;
    }
    if (g.name.empty()) throw std::runtime_error("localgovjp.csv: empty name for code " + g.code);
    bodies_.push_back(std::move(g));
  }
  city_of_.resize(bodies_.size());
  for (std::uint32_t i = 0; i < bodies_.size(); ++i) {
    const auto& g = bodies_[i];
    if (g.kind == LocalGovernment::Kind::municipality) cities[g.prefecture + "/" + g.name] = i;
  }
  for (std::uint32_t i = 0; i < bodies_.size(); ++i) {
    const auto& g = bodies_[i];
    city_of_[i] = i;
    if (g.kind == LocalGovernment::Kind::ward) {
      const auto it = cities.find(g.prefecture + "/" + g.city);
      if (it != cities.end()) city_of_[i] = it->second;
    }
    switch (g.kind) {
      case LocalGovernment::Kind::prefecture:
        index_name(g.name, i);
        break;
      case LocalGovernment::Kind::municipality:
        index_name(g.name, i);
        index_name(g.prefecture + g.name, i);
        break;
      case LocalGovernment::Kind::ward:
        index_name(g.name, i);
        index_name(g.city + g.name, i);
        index_name(g.prefecture + g.city + g.name, i);
        break;
    }
    // A homepage shared by two bodies keeps the first (a city before its wards).
    if (!g.homepage.empty()) homepages_.emplace(g.homepage, i);
  }
}

std::vector<BodyMention> LocalGovernmentDirectory::mentions(std::u32string_view key,
                                                            std::size_t limit) const {
  std::vector<BodyMention> out;
  std::size_t i = 0;
  while (i + 1 < key.size() && out.size() < limit) {
    bool found = false;
    for (std::size_t len = std::min(longest_name_, key.size() - i); len >= 2; --len) {
      const auto it = names_.find(key.substr(i, len));
      if (it == names_.end()) continue;
      out.push_back({i, len, it->second});
      i += len;
      found = true;
      break;
    }
    if (!found) ++i;
  }
  return out;
}

void LocalGovernmentDirectory::narrow(std::vector<BodyMention>& mentions) const {
  const auto placed_by = [&](std::uint32_t b, std::uint32_t x) {
    const auto& body = bodies_[b];
    const auto& place = bodies_[x];
    if (body.kind == LocalGovernment::Kind::ward && city_of(b) == x) return true;
    return place.kind == LocalGovernment::Kind::prefecture &&
           body.kind != LocalGovernment::Kind::prefecture && body.prefecture == place.name;
  };
  std::vector<std::vector<std::uint32_t>> narrowed(mentions.size());
  for (std::size_t i = 0; i < mentions.size(); ++i) {
    if (mentions[i].bodies.size() < 2) continue;
    for (auto b : mentions[i].bodies) {
      bool placed = false;
      for (std::size_t j = 0; j < mentions.size() && !placed; ++j) {
        if (j == i) continue;
        for (auto x : mentions[j].bodies) placed = placed || placed_by(b, x);
      }
      if (placed) narrowed[i].push_back(b);
    }
  }
  for (std::size_t i = 0; i < mentions.size(); ++i) {
    if (!narrowed[i].empty()) mentions[i].bodies = std::move(narrowed[i]);
  }
}

std::optional<std::uint32_t> LocalGovernmentDirectory::homepage_body(
    std::string_view normalized_url) const {
  // Longest prefix at a path boundary: "city.yokohama.lg.jp/kohoku/x" -> the ward's homepage.
  std::string_view probe = normalized_url;
  while (!probe.empty()) {
    const auto it = homepages_.find(std::string(probe));
    if (it != homepages_.end()) return it->second;
    const auto slash = probe.rfind('/');
    if (slash == std::string_view::npos) break;
    probe = probe.substr(0, slash);
  }
  return std::nullopt;
}

const std::vector<std::uint32_t>* LocalGovernmentDirectory::named(std::u32string_view key) const {
  const auto it = names_.find(key);
  return it == names_.end() ? nullptr : &it->second;
}

std::uint32_t LocalGovernmentDirectory::city_of(std::uint32_t body) const {
  return body < city_of_.size() ? city_of_[body] : body;
}

}  // namespace mamori::detectors::impersonation
