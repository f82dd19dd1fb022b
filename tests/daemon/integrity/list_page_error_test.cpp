// What the compliance audit tells staff when the official account list page cannot be read.
#include <gtest/gtest.h>

#include "daemon/integrity/integrity_monitor.h"

namespace mamori::integrity {
namespace {

collectors::HttpResponse answered(int status,
                                  std::vector<std::pair<std::string, std::string>> headers = {}) {
  collectors::HttpResponse r;
  r.outcome = collectors::HttpOutcome::ok;
  r.status = status;
  r.headers = std::move(headers);
  return r;
}

TEST(ListPageError, ARedirectNamesWhereToPointTheConfiguration) {
  const std::string e =
      list_page_error(answered(301, {{"location", "https://www.city.soma.example.lg.jp/sns/"}}));
  EXPECT_EQ(e,
            "HTTP 301。転送先 https://www.city.soma.example.lg.jp/sns/ を設定の "
            "official_account_list_url にしてください");
}

TEST(ListPageError, OtherAnswersAndTransportFailuresAreNamed) {
  EXPECT_EQ(list_page_error(answered(404)), "HTTP 404");
  EXPECT_EQ(list_page_error(answered(302)), "HTTP 302");  // no Location: nothing to suggest
  collectors::HttpResponse refused;
  refused.outcome = collectors::HttpOutcome::host_not_allowed;
  EXPECT_EQ(list_page_error(refused), "host_not_allowed（許可されていないホストです）");
  collectors::HttpResponse slow;
  slow.outcome = collectors::HttpOutcome::timeout;
  EXPECT_EQ(list_page_error(slow), "timeout");
}

TEST(ListPageError, AHostileLocationIsCutShort) {
  const std::string e = list_page_error(answered(302, {{"location", std::string(5000, 'a')}}));
  EXPECT_LT(e.size(), 400u);
}

}  // namespace
}  // namespace mamori::integrity
