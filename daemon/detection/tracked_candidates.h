// Look-alike accounts the hub keeps re-checking (DetectionHub::tracked_), rebuilt from the
// database: every live impersonation incident is one, with the handle its newest finding saw.
// After a restart, or on the instance that takes over the look-alike search (leases.h), the
// flagged accounts are still looked up every round and a re-check at the same verdict records
// nothing new.
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace mamori::detection {

struct TrackedCandidate {
  std::string subject;         // "<platform>:<account id>"
  std::string handle;          // empty when no finding named one
  bool impersonation = false;  // verdict impersonation (severity high), else suspicious
  std::string municipality;    // the town whose incident it is
};

// Throws pqxx errors.
std::vector<TrackedCandidate> load_tracked_candidates(pqxx::connection& c);

}  // namespace mamori::detection
