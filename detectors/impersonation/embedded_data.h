// Data files compiled into the detector (detectors/impersonation/data, see its README for
// sources and licences): nothing is read from disk at run time.
#pragma once

#include <string_view>

namespace mamori::detectors::impersonation::data {

std::string_view lookalike_fold_tsv();  // lookalike_fold.tsv
std::string_view localgovjp_csv();      // localgovjp.csv (municipalities and wards)
std::string_view prefjp_csv();          // prefjp.csv (prefectures)

}  // namespace mamori::detectors::impersonation::data
