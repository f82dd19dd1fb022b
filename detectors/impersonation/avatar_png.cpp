#include "detectors/impersonation/avatar_png.h"

#include <algorithm>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

namespace mamori::detectors::impersonation {
namespace {

EvidencePngResult refuse(AvatarRejection why, std::string message) {
  EvidencePngResult r;
  r.rejection = why;
  r.message = std::move(message);
  return r;
}

}  // namespace

EvidencePngResult render_evidence_png(std::span<const std::uint8_t> bytes,
                                      const DecodeLimits& limits, int max_side) {
  const DecodeCheck check = check_decodable(bytes, limits);
  if (!check.ok()) return refuse(*check.rejection, check.message);
  const ImageHeader& header = *check.header;
  max_side = std::max(max_side, 16);
  const auto target = static_cast<std::uint32_t>(max_side);
  const std::uint32_t short_side = std::min(header.width, header.height);
  int flags = cv::IMREAD_COLOR;
  if (short_side >= 8 * target) {
    flags = cv::IMREAD_REDUCED_COLOR_8;
  } else if (short_side >= 4 * target) {
    flags = cv::IMREAD_REDUCED_COLOR_4;
  } else if (short_side >= 2 * target) {
    flags = cv::IMREAD_REDUCED_COLOR_2;
  }
  flags |= cv::IMREAD_IGNORE_ORIENTATION;
  try {
    const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8UC1,
                         const_cast<std::uint8_t*>(bytes.data()));
    cv::Mat image = cv::imdecode(buffer, flags);
    if (image.empty() || image.type() != CV_8UC3) {
      return refuse(AvatarRejection::decode_failed,
                    std::string(to_string(header.format)) + " data could not be decoded");
    }
    const int longest = std::max(image.cols, image.rows);
    if (longest > max_side) {
      const double scale = static_cast<double>(max_side) / longest;
      cv::Mat small;
      cv::resize(image, small,
                 cv::Size(std::max(1, static_cast<int>(image.cols * scale + 0.5)),
                          std::max(1, static_cast<int>(image.rows * scale + 0.5))),
                 0, 0, cv::INTER_AREA);
      image = std::move(small);
    }
    std::vector<unsigned char> png;
    if (!cv::imencode(".png", image, png, {cv::IMWRITE_PNG_COMPRESSION, 1})) {
      return refuse(AvatarRejection::decode_failed, "PNG encoding failed");
    }
    EvidencePngResult r;
    EvidencePng out;
    out.png.assign(png.begin(), png.end());
    out.width = image.cols;
    out.height = image.rows;
    out.original = header;
    r.image = std::move(out);
    return r;
  } catch (const cv::Exception& e) {
    return refuse(AvatarRejection::decode_failed,
                  std::string(to_string(header.format)) + " decoding failed: " + e.msg);
  }
}

}  // namespace mamori::detectors::impersonation
