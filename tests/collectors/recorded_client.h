// An HttpClient that answers every request at once with a recorded response body, keeping the
// requests it saw: for the collector tests, which check what is asked (URL, headers, quota
// scope) and that the answer comes back parsed. Network behaviour is tested against the fake
// platform server elsewhere.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "collectors/http/http_client.h"

namespace mamori::testing {

class RecordedClient final : public collectors::HttpClient {
 public:
  RecordedClient(int status, std::string body) : status_(status), body_(std::move(body)) {}
  void fetch(collectors::HttpRequest request, Completion done) override {
    requests.push_back(std::move(request));
    collectors::HttpResponse r;
    r.outcome = collectors::HttpOutcome::ok;
    r.status = status_;
    r.body = body_;
    done(std::move(r));
  }
  std::vector<collectors::HttpRequest> requests;

 private:
  int status_;
  std::string body_;
};

}  // namespace mamori::testing
