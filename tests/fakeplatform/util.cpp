#include "tests/fakeplatform/util.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace mamori::fakeplatform {

Query::Query(std::string_view query) {
  for (const std::string& part : split(query, '&')) {
    if (part.empty()) continue;
    const auto eq = part.find('=');
    if (eq == std::string::npos) {
      items_.emplace_back(url_decode(part), "");
    } else {
      items_.emplace_back(url_decode(part.substr(0, eq)), url_decode(part.substr(eq + 1)));
    }
  }
}

std::optional<std::string> Query::get(std::string_view name) const {
  for (const auto& [k, v] : items_) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::vector<std::string> Query::all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : items_) {
    if (k == name) out.push_back(v);
  }
  return out;
}

std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() &&
               std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string url_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto pos = s.find(sep, start);
    out.emplace_back(
        s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

bool contains_folded(std::string_view haystack, std::string_view needle) {
  return model::ascii_lower(haystack).find(model::ascii_lower(needle)) != std::string::npos;
}

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\n':
        out += "<br />";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string base64url(std::string_view bytes) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  while (i + 2 < bytes.size()) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += table[v & 63];
    i += 3;
  }
  if (i + 1 == bytes.size()) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
  } else if (i + 2 == bytes.size()) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
  }
  return out;
}

std::uint64_t fnv1a(std::string_view s, std::uint64_t seed) {
  std::uint64_t h = 1469598103934665603ULL ^ (seed * 1099511628211ULL);
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string base32_sortable(std::uint64_t v, int chars) {
  static const char* alphabet = "234567abcdefghijklmnopqrstuvwxyz";
  std::string out(static_cast<std::size_t>(chars), '2');
  for (int i = chars - 1; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = alphabet[v & 31];
    v >>= 5;
  }
  return out;
}

std::string base32_lower(std::string_view seed, int chars) {
  static const char* alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  std::string out;
  std::uint64_t h = fnv1a(seed);
  for (int i = 0; i < chars; ++i) {
    if (i % 12 == 0) h = fnv1a(seed, h + static_cast<std::uint64_t>(i));
    out += alphabet[h & 31];
    h >>= 5;
  }
  return out;
}

bool id_less(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

std::size_t utf8_length(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string generate_avatar_png(const std::string& seed, int tweak) {
  // Coloured blocks and a disc from the seed's hash: distinct seeds look distinct to a
  // perceptual hash, the same seed is the same image.
  std::uint64_t h = fnv1a(seed);
  auto next = [&h]() {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
  };
  cv::Mat img(128, 128, CV_8UC3);
  img.setTo(cv::Scalar(static_cast<double>(next() % 256), static_cast<double>(next() % 256),
                       static_cast<double>(next() % 256)));
  for (int i = 0; i < 6; ++i) {
    const int x = static_cast<int>(next() % 96);
    const int y = static_cast<int>(next() % 96);
    const int w = 16 + static_cast<int>(next() % 48);
    const int hgt = 16 + static_cast<int>(next() % 48);
    cv::rectangle(img, cv::Rect(x, y, std::min(w, 128 - x), std::min(hgt, 128 - y)),
                  cv::Scalar(static_cast<double>(next() % 256), static_cast<double>(next() % 256),
                             static_cast<double>(next() % 256)),
                  cv::FILLED);
  }
  cv::circle(img, cv::Point(32 + static_cast<int>(next() % 64), 32 + static_cast<int>(next() % 64)),
             12 + static_cast<int>(next() % 20), cv::Scalar(255, 255, 255), cv::FILLED);
  std::uint64_t t = fnv1a(seed, 7);
  for (int i = 0; i < tweak; ++i) {
    t = t * 6364136223846793005ULL + 1442695040888963407ULL;
    const int x = static_cast<int>((t >> 33) % 128);
    const int y = static_cast<int>((t >> 17) % 128);
    img.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<unsigned char>(t & 255),
                                        static_cast<unsigned char>((t >> 8) & 255), 0);
  }
  std::vector<unsigned char> png;
  cv::imencode(".png", img, png);
  return std::string(png.begin(), png.end());
}

std::string gzip(std::string_view data) {
  z_stream zs{};
  // 15 + 16: a gzip wrapper rather than zlib's.
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return {};
  }
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(data.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  const auto produced = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return {};
  out.resize(produced);
  return out;
}

}  // namespace mamori::fakeplatform
