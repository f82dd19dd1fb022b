// Lets several components listen to the poller's observations (the poller takes one listener):
// each stored batch goes to every listener in order; search queries are all of theirs, handles
// to check theirs within the round's quota (the poller drops duplicates).
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
  // Each listener in turn gets what the ones before it left of the round's quota.
  polling::LookupRound handles_to_check(model::Platform platform,
                                        std::size_t max_handles) override {
    polling::LookupRound out;
    for (auto* l : listeners_) {
      const std::size_t left = max_handles - std::min(max_handles, out.handles.size());
      out.merge(l->handles_to_check(platform, left));
    }
    return out;
  }
  bool on_reply_counts(model::Platform platform, const std::string& account,
                       const std::vector<collectors::CountBucket>& counts) override {
    bool risen = false;
    for (auto* l : listeners_) risen = l->on_reply_counts(platform, account, counts) || risen;
    return risen;
  }

 private:
  template <typename F>
  std::vector<std::string> merged(F each) {
    // Tens of thousands of look-alike handles with 2,000 accounts: a linear search per handle
    // stalled the event loop for seconds (issue 20). The poller drops the duplicates.
    std::vector<std::string> out;
    for (auto* l : listeners_) {
      auto more = each(l);
      out.insert(out.end(), std::make_move_iterator(more.begin()),
                 std::make_move_iterator(more.end()));
    }
    return out;
  }
  std::vector<polling::ObservationListener*> listeners_;
};

}  // namespace mamori::integrity
