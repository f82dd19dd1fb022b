// Rumour files (deploy/rumours/*.toml): the shipped starter set and files staff keep, parsed into
// the detector's plain structs. The format is documented at the top of deploy/rumours/starter.toml.
// Detectors never read files; the daemon and `mamorictl misinfo` load them here.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/misinfo/rumours.h"

namespace mamori::detection {

struct RumourFileOptions {
  // Replaces {municipality} in the correction template (the configured municipality's name).
  std::string municipality = "市";
};

struct RumourFileResult {
  std::vector<detectors::misinfo::Rumour> rumours;
  // One line: "FILE:LINE:COLUMN: what is wrong (what was expected)".
  std::optional<std::string> error;
  bool ok() const { return !error.has_value(); }
};

// Parses TOML text; `source_name` names it in errors. Never throws.
RumourFileResult parse_rumour_toml(std::string_view text, const std::string& source_name,
                                   const RumourFileOptions& options = {});

// Reads and parses a file (at most 8 MiB). Never throws.
RumourFileResult load_rumour_file(const std::filesystem::path& path,
                                  const RumourFileOptions& options = {});

}  // namespace mamori::detection
