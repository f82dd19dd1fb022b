// The web console's static files, compiled into the binaries by cmake/EmbedAssets.cmake from
// daemon/console/assets/ (no data files to install, nothing fetched from elsewhere at run time).
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace mamori::console {

struct RawAsset {
  const char* name;          // path under assets/, e.g. "app.js"
  const char* content_type;  // e.g. "text/javascript; charset=utf-8"
  const char* etag;          // strong ETag: the quoted SHA-256 of the bytes
  const unsigned char* data;
  std::size_t size;
};

// Every embedded file, sorted by name.
std::span<const RawAsset> raw_assets();

// A short hash over all files: asset URLs carry it (/assets/<version>/app.js), so a browser may
// cache them for a year and still picks up a new console after an upgrade.
std::string_view assets_version();

}  // namespace mamori::console
