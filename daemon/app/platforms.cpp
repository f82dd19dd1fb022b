#include "daemon/app/platforms.h"

#include "collectors/bluesky/bluesky_collector.h"
#include "collectors/facebook/facebook_collector.h"
#include "collectors/instagram/instagram_collector.h"
#include "collectors/mastodon/mastodon_collector.h"
#include "collectors/x/x_collector.h"
#include "collectors/youtube/youtube_collector.h"
#include "daemon/app/version.h"

namespace mamori::app {

std::string user_agent(const config::Config& c) {
  if (!c.http_client.user_agent.empty()) return c.http_client.user_agent;
  return std::string("mamori/") + kVersion + " (municipal social-media monitoring; " +
         c.municipality.homepage_url + ")";
}

std::vector<collectors::PlatformCollector*> Platforms::active() const {
  std::vector<collectors::PlatformCollector*> out;
  for (const auto& c : collectors) out.push_back(c.get());
  return out;
}

void Platforms::shutdown() {
  if (governed) governed->shutdown();
  if (curl) curl->shutdown();
}

namespace {

// Facebook and Instagram (Graph API) and YouTube (Data API v3): tokens only in headers.
void add_graph_and_youtube_collectors(Platforms& p, const config::Config& c,
                                      std::chrono::milliseconds timeout) {
  const auto reveal = [](const std::optional<config::Credential>& cred) {
    return cred ? cred->value.reveal() : std::string();
  };
  if (c.platforms.facebook.enabled) {
    collectors::facebook::FacebookCollectorOptions fo;
    fo.graph_base = c.platforms.facebook.graph_base;
    fo.page_access_token = reveal(c.platforms.facebook.page_access_token);
    fo.timeout = timeout;
    fo.max_response_bytes = c.http_client.max_response_bytes;
    p.collectors.push_back(
        std::make_unique<collectors::facebook::FacebookCollector>(*p.governed, fo));
  }
  if (c.platforms.instagram.enabled) {
    collectors::instagram::InstagramCollectorOptions io;
    io.graph_base = c.platforms.instagram.graph_base;
    io.access_token = reveal(c.platforms.instagram.access_token);
    io.ig_user_id = c.platforms.instagram.ig_user_id;
    io.timeout = timeout;
    io.max_response_bytes = c.http_client.max_response_bytes;
    p.collectors.push_back(
        std::make_unique<collectors::instagram::InstagramCollector>(*p.governed, io));
  }
  if (c.platforms.youtube.enabled) {
    collectors::youtube::YoutubeCollectorOptions yo;
    yo.api_base = c.platforms.youtube.api_base;
    yo.api_key = reveal(c.platforms.youtube.api_key);
    yo.search_max_results = c.platforms.youtube.search_max_results;
    yo.timeout = timeout;
    yo.max_response_bytes = c.http_client.max_response_bytes;
    p.collectors.push_back(
        std::make_unique<collectors::youtube::YoutubeCollector>(*p.governed, yo));
  }
}

}  // namespace

long long youtube_polling_units_per_day(const config::Config& c) {
  long long accounts = 0;
  for (const auto& a : c.accounts) accounts += a.platform == model::Platform::youtube ? 1 : 0;
  const auto per_day = [](std::chrono::seconds interval) {
    return 86400 / std::max<long long>(1, interval.count());
  };
  const config::PollingIntervals& i = c.polling.of(model::Platform::youtube);
  return accounts * (per_day(i.profiles) + per_day(i.posts) + per_day(i.replies));
}

collectors::PriceTable price_table(const config::ApiSpendConfig& spend) {
  collectors::PriceTable t = collectors::PriceTable::defaults();
  for (const auto& p : spend.prices) {
    t.set(p.platform, p.endpoint,
          collectors::Price{p.usd_per_request, p.usd_per_resource, p.usd_per_included_user,
                            p.usd_per_included_post, p.units_per_request});
  }
  return t;
}

void apply_budgets(collectors::SpendMeter& meter, const config::ApiSpendConfig& spend) {
  for (const auto& [platform, b] : meter.platforms()) {
    if (spend.budget_usd.count(platform) == 0) meter.set_budget(platform, 0);
  }
  for (const auto& [platform, usd] : spend.budget_usd) meter.set_budget(platform, usd);
}

Platforms make_platforms(boost::asio::io_context& io, const config::Config& c,
                         prometheus::Registry& registry, const collectors::Clock& clock) {
  collectors::CurlClientOptions o;
  o.user_agent = user_agent(c);
  o.proxy = c.http_client.proxy;
  o.max_in_flight = c.http_client.max_in_flight;
  o.max_response_bytes = c.http_client.max_response_bytes;
  for (const auto& h : c.http_client.allowed_hosts) o.allowed_hosts.add(h);
  const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(c.http_client.timeout);
  if (c.platforms.x.enabled) {
    for (const auto& h : collectors::default_platform_hosts(model::Platform::x))
      o.allowed_hosts.add(h);
    o.allowed_hosts.add_url_host(c.platforms.x.api_base);
  }
  if (c.platforms.bluesky.enabled) {
    for (const auto& h : collectors::default_platform_hosts(model::Platform::bluesky))
      o.allowed_hosts.add(h);
    o.allowed_hosts.add_url_host(c.platforms.bluesky.api_base);
    o.allowed_hosts.add_url_host(c.platforms.bluesky.pds_base);
  }
  if (c.platforms.mastodon.enabled) o.allowed_hosts.add_url_host(c.platforms.mastodon.instance);
  const struct {
    bool enabled;
    model::Platform platform;
    const std::string& base;
  } graph_and_youtube[] = {
      {c.platforms.facebook.enabled, model::Platform::facebook, c.platforms.facebook.graph_base},
      {c.platforms.instagram.enabled, model::Platform::instagram, c.platforms.instagram.graph_base},
      {c.platforms.youtube.enabled, model::Platform::youtube, c.platforms.youtube.api_base}};
  for (const auto& p : graph_and_youtube) {
    if (!p.enabled) continue;
    for (const auto& h : collectors::default_platform_hosts(p.platform)) o.allowed_hosts.add(h);
    o.allowed_hosts.add_url_host(p.base);
  }
  // The compliance audit reads each town's official-account list page.
  if (!c.municipality.official_account_list_url.empty()) {
    o.allowed_hosts.add_url_host(c.municipality.official_account_list_url);
  }
  for (const auto& town : c.municipalities) {
    if (!town.official_account_list_url.empty())
      o.allowed_hosts.add_url_host(town.official_account_list_url);
  }
  Platforms p;
  p.curl = std::make_unique<collectors::CurlMultiClient>(io, o);
  p.metrics = std::make_unique<metrics::CollectorMetrics>(registry);
  p.spend = std::make_unique<collectors::SpendMeter>(price_table(c.api_spend));
  apply_budgets(*p.spend, c.api_spend);
  p.governed =
      std::make_unique<collectors::GovernedHttpClient>(io, *p.curl, p.metrics.get(), clock);
  p.governed->set_spend_meter(p.spend.get());
  if (c.platforms.x.enabled) {
    collectors::x::XCollectorOptions xo;
    xo.api_base = c.platforms.x.api_base;
    if (c.platforms.x.bearer_token) xo.bearer_token = c.platforms.x.bearer_token->value.reveal();
    xo.timeout = timeout;
    xo.max_response_bytes = c.http_client.max_response_bytes;
    p.collectors.push_back(std::make_unique<collectors::x::XCollector>(*p.governed, xo));
  }
  if (c.platforms.bluesky.enabled) {
    collectors::bluesky::BlueskyCollectorOptions bo;
    bo.api_base = c.platforms.bluesky.api_base;
    bo.pds_base = c.platforms.bluesky.pds_base;
    bo.identifier = c.platforms.bluesky.identifier;
    if (c.platforms.bluesky.app_password)
      bo.app_password = c.platforms.bluesky.app_password->value.reveal();
    bo.timeout = timeout;
    bo.max_response_bytes = c.http_client.max_response_bytes;
    p.collectors.push_back(
        std::make_unique<collectors::bluesky::BlueskyCollector>(*p.governed, bo));
  }
  if (c.platforms.mastodon.enabled) {
    collectors::mastodon::MastodonCollectorOptions mo;
    mo.instance = c.platforms.mastodon.instance;
    if (c.platforms.mastodon.access_token)
      mo.access_token = c.platforms.mastodon.access_token->value.reveal();
    mo.token_account = c.platforms.mastodon.token_account;
    mo.timeout = timeout;
    mo.max_response_bytes = c.http_client.max_response_bytes;
    p.collectors.push_back(
        std::make_unique<collectors::mastodon::MastodonCollector>(*p.governed, mo));
  }
  add_graph_and_youtube_collectors(p, c, timeout);
  return p;
}

}  // namespace mamori::app
