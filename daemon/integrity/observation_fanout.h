// Lets several components listen to the poller's observations (the poller takes one listener):
// each stored batch goes to every listener in order; search queries and handles to check are
// the union of theirs.
#pragma once

#include <algorithm>
#include <vector>

#include "daemon/polling/poller.h"

namespace mamori::integrity {

class ObservationFanout final : public polling::ObservationListener {
 public:
  explicit ObservationFanout(std::vector<polling::ObservationListener*> listeners)
      : listeners_(std::move(listeners)) {}

  void on_stored(model::Platform platform, const std::string& account,
                 const store::StoredBatch& batch) override {
    for (auto* l : listeners_) l->on_stored(platform, account, batch);
  }
  std::vector<std::string> search_queries(model::Platform platform) override {
    return merged([&](polling::ObservationListener* l) { return l->search_queries(platform); });
  }
  std::vector<std::string> handles_to_check(model::Platform platform) override {
    return merged([&](polling::ObservationListener* l) { return l->handles_to_check(platform); });
  }

 private:
  template <typename F>
  std::vector<std::string> merged(F each) {
    std::vector<std::string> out;
    for (auto* l : listeners_) {
      for (auto& s : each(l)) {
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
      }
    }
    return out;
  }
  std::vector<polling::ObservationListener*> listeners_;
};

}  // namespace mamori::integrity
