// Deterministic avatar images for the impersonation tests: emblem-like icons per municipality and
// unrelated images, transformed as impersonators do (re-compressed, resized, cropped, recoloured,
// overlaid), described as recipes in tests/data/impersonation/*.jsonl (see README there).
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace mamori::testing::impersonation {

// 400x400 BGR renderings.
cv::Mat render_emblem(int seed);
cv::Mat render_scene(int seed);
cv::Mat render_face(int seed);

// Renders a recipe object {"base": {...}, "ops": [...], "format": "..."} and encodes it.
// Throws std::runtime_error on an unknown base, op or format.
std::vector<std::uint8_t> render_recipe(const boost::json::object& recipe);

// Encodes a BGR image as "jpeg", "png" or "webp".
std::vector<std::uint8_t> encode(const cv::Mat& image, const std::string& format, int quality = 90);

}  // namespace mamori::testing::impersonation
