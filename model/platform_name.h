// A platform's name as staff read it, from the name stored in the database ("x" → "X"): the
// text form of model::display_name(Platform) for rows that carry the platform as text.
#pragma once

#include <string>
#include <string_view>

#include "model/platform.h"

namespace mamori::model {

// A name mamori does not know is shown as it is.
inline std::string display_name(std::string_view platform) {
  const auto p = platform_from_string(platform);
  return std::string(p ? display_name(*p) : platform);
}

}  // namespace mamori::model
