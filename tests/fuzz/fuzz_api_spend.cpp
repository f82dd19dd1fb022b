// Fuzzes the API spend meter's reading of platform answers (collectors/ratelimit/api_spend.h):
// any body, priced as any endpoint, with the request URL taken from the input too. Nothing may
// crash, and a cost is never negative nor counted on a non-2xx answer.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/ratelimit/api_spend.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mamori::collectors;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  static const PriceTable prices = PriceTable::defaults();
  const Price* price = prices.find("x", "users/:id/mentions");
  const Cost c = price_response(*price, 200, input);
  if (c.usd < 0 || c.resources < 0) std::abort();
  if (price_response(*price, 500, input).usd != 0) std::abort();
  const Cost w = worst_case(*price, input);
  if (w.usd < 0 || w.resources < 1) std::abort();
  SpendMeter meter;
  meter.mark_restored();
  meter.set_budget("x", 1.0);
  const auto now = mamori::model::TimePoint{} + std::chrono::hours(24 * 20000);
  meter.record("x", "users/:id/mentions", 200, input, now);
  (void)meter.refusal("x", "users/:id/mentions", input, now);
  if (meter.month_to_date("x", now) < 0) std::abort();
  return 0;
}
