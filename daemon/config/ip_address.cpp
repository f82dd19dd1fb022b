#include "daemon/config/ip_address.h"

#include <charconv>
#include <string>

#include "model/text.h"

namespace mamori::config {

namespace ip = boost::asio::ip;

std::optional<ip::address> parse_ip_address(std::string_view text) {
  text = model::trim_blanks(text);
  if (text.empty() || text.size() > 64) return std::nullopt;
  boost::system::error_code ec;
  auto a = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  return a;
}

std::optional<IpNetwork> parse_ip_network(std::string_view text) {
  text = model::trim_blanks(text);
  const auto slash = text.find('/');
  const auto address = parse_ip_address(text.substr(0, slash));
  if (!address) return std::nullopt;
  const unsigned max = address->is_v4() ? 32 : 128;
  unsigned prefix = max;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() ||
        prefix > max) {
      return std::nullopt;
    }
  }
  return IpNetwork{*address, prefix};
}

}  // namespace mamori::config
