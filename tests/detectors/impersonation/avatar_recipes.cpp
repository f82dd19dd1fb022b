#include "tests/detectors/impersonation/avatar_recipes.h"

#include <cmath>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <stdexcept>

namespace mamori::testing::impersonation {
namespace {

constexpr int kSide = 400;

cv::Scalar random_colour(std::mt19937& rng, int lo, int hi) {
  std::uniform_int_distribution<int> d(lo, hi);
  return cv::Scalar(d(rng), d(rng), d(rng));
}

std::vector<cv::Point> regular_polygon(cv::Point centre, int radius, int sides, double rotation) {
  std::vector<cv::Point> pts;
  for (int i = 0; i < sides; ++i) {
    const double a = rotation + 2.0 * M_PI * i / sides;
    pts.emplace_back(centre.x + static_cast<int>(radius * std::cos(a)),
                     centre.y + static_cast<int>(radius * std::sin(a)));
  }
  return pts;
}

std::vector<cv::Point> star(cv::Point centre, int outer, int inner, int points, double rotation) {
  std::vector<cv::Point> pts;
  for (int i = 0; i < 2 * points; ++i) {
    const double a = rotation + M_PI * i / points;
    const int r = i % 2 == 0 ? outer : inner;
    pts.emplace_back(centre.x + static_cast<int>(r * std::cos(a)),
                     centre.y + static_cast<int>(r * std::sin(a)));
  }
  return pts;
}

double number(const boost::json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.as_int64());
  if (v.is_uint64()) return static_cast<double>(v.as_uint64());
  return v.as_double();
}

cv::Mat apply(const cv::Mat& in, const boost::json::object& op) {
  const std::string name(op.at("op").as_string());
  cv::Mat out;
  if (name == "jpeg") {
    const auto bytes = encode(in, "jpeg", static_cast<int>(number(op.at("quality"))));
    return cv::imdecode(bytes, cv::IMREAD_COLOR);
  }
  if (name == "resize") {
    const int size = static_cast<int>(number(op.at("size")));
    cv::resize(in, out, cv::Size(size, size), 0, 0,
               size < in.cols ? cv::INTER_AREA : cv::INTER_CUBIC);
    return out;
  }
  if (name == "crop") {
    const double f = number(op.at("size"));
    const int w = static_cast<int>(in.cols * f);
    const int h = static_cast<int>(in.rows * f);
    const int x = std::min(in.cols - w, static_cast<int>(in.cols * number(op.at("x"))));
    const int y = std::min(in.rows - h, static_cast<int>(in.rows * number(op.at("y"))));
    return in(cv::Rect(x, y, w, h)).clone();
  }
  if (name == "hue") {
    cv::Mat hsv;
    cv::cvtColor(in, hsv, cv::COLOR_BGR2HSV);
    const int shift = static_cast<int>(number(op.at("shift"))) / 2;  // OpenCV hue is 0..179
    for (int r = 0; r < hsv.rows; ++r) {
      for (int c = 0; c < hsv.cols; ++c) {
        auto& px = hsv.at<cv::Vec3b>(r, c);
        px[0] = static_cast<std::uint8_t>((px[0] + shift) % 180);
      }
    }
    cv::cvtColor(hsv, out, cv::COLOR_HSV2BGR);
    return out;
  }
  if (name == "brightness") {
    in.convertTo(out, -1, 1.0, number(op.at("delta")));
    return out;
  }
  if (name == "gray") {
    cv::Mat g;
    cv::cvtColor(in, g, cv::COLOR_BGR2GRAY);
    cv::cvtColor(g, out, cv::COLOR_GRAY2BGR);
    return out;
  }
  if (name == "overlay") {
    out = in.clone();
    const std::string kind(op.at("kind").as_string());
    const int s = out.cols;
    if (kind == "text") {
      cv::putText(out, "OFFICIAL", cv::Point(s / 10, s * 9 / 10), cv::FONT_HERSHEY_DUPLEX,
                  s / 250.0, cv::Scalar(0, 0, 255), std::max(1, s / 100));
    } else if (kind == "badge") {
      cv::circle(out, cv::Point(s * 4 / 5, s * 4 / 5), s / 8, cv::Scalar(240, 160, 30), cv::FILLED);
      cv::line(out, cv::Point(s * 3 / 4, s * 4 / 5), cv::Point(s * 4 / 5, s * 17 / 20),
               cv::Scalar(255, 255, 255), std::max(1, s / 60));
      cv::line(out, cv::Point(s * 4 / 5, s * 17 / 20), cv::Point(s * 7 / 8, s * 3 / 4),
               cv::Scalar(255, 255, 255), std::max(1, s / 60));
    } else if (kind == "frame") {
      cv::rectangle(out, cv::Rect(0, 0, s, s), cv::Scalar(30, 30, 200), std::max(2, s / 20));
    } else if (kind == "band") {
      cv::Mat band = out(cv::Rect(0, s * 2 / 5, s, s / 5));
      cv::Mat tint(band.size(), band.type(), cv::Scalar(0, 0, 0));
      cv::addWeighted(band, 0.5, tint, 0.5, 0, band);
      cv::putText(out, "PR", cv::Point(s * 2 / 5, s * 11 / 20), cv::FONT_HERSHEY_SIMPLEX, s / 200.0,
                  cv::Scalar(255, 255, 255), std::max(1, s / 80));
    } else {
      throw std::runtime_error("unknown overlay " + kind);
    }
    return out;
  }
  throw std::runtime_error("unknown avatar op " + name);
}

}  // namespace

cv::Mat render_emblem(int seed) {
  std::mt19937 rng(static_cast<std::uint32_t>(seed) * 2654435761U + 12345U);
  std::uniform_int_distribution<int> pick(0, 1000000);
  const bool pale_background = pick(rng) % 3 != 0;
  cv::Mat img(kSide, kSide, CV_8UC3,
              pale_background ? random_colour(rng, 215, 255) : random_colour(rng, 20, 120));
  const cv::Point centre(kSide / 2 + pick(rng) % 21 - 10, kSide / 2 + pick(rng) % 21 - 10);
  const cv::Scalar main = random_colour(rng, 0, 200);
  const cv::Scalar accent = random_colour(rng, 100, 255);
  const double rotation = (pick(rng) % 360) * M_PI / 180.0;
  const int outer = 120 + pick(rng) % 60;
  switch (pick(rng) % 5) {
    case 0:
      cv::circle(img, centre, outer, main, cv::FILLED, cv::LINE_AA);
      break;
    case 1:
      cv::fillPoly(img, regular_polygon(centre, outer, 6, rotation), main, cv::LINE_AA);
      break;
    case 2:
      cv::fillPoly(img, regular_polygon(centre, outer, 4, rotation), main, cv::LINE_AA);
      break;
    case 3:
      cv::fillPoly(img, star(centre, outer, outer / 2, 5 + pick(rng) % 4, rotation), main,
                   cv::LINE_AA);
      break;
    default:
      cv::ellipse(img, centre, cv::Size(outer, outer * 3 / 4), (pick(rng) % 180), 0, 360, main,
                  cv::FILLED, cv::LINE_AA);
      break;
  }
  // Inner figure: rings, a star, waves, bars or letters, in the accent colour.
  const int inner = outer / 2;
  switch (pick(rng) % 5) {
    case 0:
      cv::circle(img, centre, inner, accent, 12 + pick(rng) % 12, cv::LINE_AA);
      cv::circle(img, centre, inner / 2, accent, cv::FILLED, cv::LINE_AA);
      break;
    case 1:
      cv::fillPoly(img, star(centre, inner, inner / 2, 3 + pick(rng) % 6, rotation * 2), accent,
                   cv::LINE_AA);
      break;
    case 2:
      for (int k = -1; k <= 1; ++k) {
        std::vector<cv::Point> wave;
        for (int x = -inner; x <= inner; x += 8) {
          wave.emplace_back(centre.x + x, centre.y + k * inner / 2 +
                                              static_cast<int>(12 * std::sin(x / 15.0 + seed)));
        }
        cv::polylines(img, wave, false, accent, 10, cv::LINE_AA);
      }
      break;
    case 3:
      for (int k = 0; k < 3 + pick(rng) % 3; ++k) {
        const int x = centre.x - inner + k * inner / 2;
        cv::rectangle(img, cv::Rect(x, centre.y - inner + (pick(rng) % inner), inner / 4, inner),
                      accent, cv::FILLED);
      }
      break;
    default: {
      const std::string letters{static_cast<char>('A' + pick(rng) % 26),
                                static_cast<char>('A' + pick(rng) % 26)};
      cv::putText(img, letters, cv::Point(centre.x - inner, centre.y + inner / 2),
                  cv::FONT_HERSHEY_DUPLEX, 3.0, accent, 10, cv::LINE_AA);
      break;
    }
  }
  // A few radial strokes make emblems with the same shapes differ.
  const int strokes = pick(rng) % 4;
  for (int k = 0; k < strokes; ++k) {
    const double a = (pick(rng) % 360) * M_PI / 180.0;
    cv::line(img, centre,
             cv::Point(centre.x + static_cast<int>(outer * std::cos(a)),
                       centre.y + static_cast<int>(outer * std::sin(a))),
             accent, 6, cv::LINE_AA);
  }
  return img;
}

cv::Mat render_scene(int seed) {
  std::mt19937 rng(static_cast<std::uint32_t>(seed) * 40503U + 7U);
  std::uniform_int_distribution<int> pick(0, 1000000);
  cv::Mat img(kSide, kSide, CV_8UC3);
  const cv::Scalar sky_top = random_colour(rng, 120, 255);
  const cv::Scalar sky_bottom = random_colour(rng, 80, 255);
  const int horizon = 180 + pick(rng) % 120;
  for (int y = 0; y < kSide; ++y) {
    const double t = static_cast<double>(y) / kSide;
    cv::line(img, cv::Point(0, y), cv::Point(kSide - 1, y), sky_top * (1 - t) + sky_bottom * t);
  }
  cv::rectangle(img, cv::Rect(0, horizon, kSide, kSide - horizon), random_colour(rng, 20, 160),
                cv::FILLED);
  cv::circle(img, cv::Point(pick(rng) % kSide, pick(rng) % horizon), 20 + pick(rng) % 40,
             random_colour(rng, 150, 255), cv::FILLED, cv::LINE_AA);
  for (int k = 0; k < 4 + pick(rng) % 8; ++k) {
    const int w = 20 + pick(rng) % 70;
    const int h = 30 + pick(rng) % 180;
    const int x = pick(rng) % kSide;
    cv::rectangle(img, cv::Rect(x, horizon - h, w, h), random_colour(rng, 0, 200), cv::FILLED);
  }
  return img;
}

cv::Mat render_face(int seed) {
  std::mt19937 rng(static_cast<std::uint32_t>(seed) * 69069U + 3U);
  std::uniform_int_distribution<int> pick(0, 1000000);
  cv::Mat img(kSide, kSide, CV_8UC3, random_colour(rng, 0, 255));
  const cv::Point c(kSide / 2 + pick(rng) % 81 - 40, kSide / 2 + pick(rng) % 61 - 10);
  const int r = 90 + pick(rng) % 60;
  cv::ellipse(img, c + cv::Point(0, r + 60), cv::Size(r + 40, r), 0, 180, 360,
              random_colour(rng, 0, 255), cv::FILLED);
  cv::circle(img, c, r,
             cv::Scalar(150 + pick(rng) % 60, 170 + pick(rng) % 60, 200 + pick(rng) % 55),
             cv::FILLED, cv::LINE_AA);
  cv::ellipse(img, c - cv::Point(0, r / 3), cv::Size(r, r * 3 / 4), 0, 180, 360,
              random_colour(rng, 0, 90), cv::FILLED);
  cv::circle(img, c + cv::Point(-r / 3, r / 6), r / 10, cv::Scalar(20, 20, 20), cv::FILLED);
  cv::circle(img, c + cv::Point(r / 3, r / 6), r / 10, cv::Scalar(20, 20, 20), cv::FILLED);
  cv::ellipse(img, c + cv::Point(0, r / 2), cv::Size(r / 3, r / 8), 0, 0, 180,
              cv::Scalar(40, 40, 160), 4);
  return img;
}

std::vector<std::uint8_t> encode(const cv::Mat& image, const std::string& format, int quality) {
  std::vector<std::uint8_t> out;
  bool ok = false;
  if (format == "jpeg") {
    ok = cv::imencode(".jpg", image, out, {cv::IMWRITE_JPEG_QUALITY, quality});
  } else if (format == "png") {
    ok = cv::imencode(".png", image, out);
  } else if (format == "webp") {
    ok = cv::imencode(".webp", image, out, {cv::IMWRITE_WEBP_QUALITY, quality});
  } else {
    throw std::runtime_error("unknown image format " + format);
  }
  if (!ok) throw std::runtime_error("encoding " + format + " failed");
  return out;
}

std::vector<std::uint8_t> render_recipe(const boost::json::object& recipe) {
  const auto& base = recipe.at("base").as_object();
  cv::Mat img;
  if (const auto* e = base.if_contains("emblem")) {
    img = render_emblem(static_cast<int>(number(*e)));
  } else if (const auto* s = base.if_contains("scene")) {
    img = render_scene(static_cast<int>(number(*s)));
  } else if (const auto* f = base.if_contains("face")) {
    img = render_face(static_cast<int>(number(*f)));
  } else {
    throw std::runtime_error("unknown avatar base " + boost::json::serialize(base));
  }
  if (const auto* ops = recipe.if_contains("ops")) {
    for (const auto& op : ops->as_array()) img = apply(img, op.as_object());
  }
  std::string format = "png";
  if (const auto* f = recipe.if_contains("format")) format = std::string(f->as_string());
  return encode(img, format);
}

}  // namespace mamori::testing::impersonation
