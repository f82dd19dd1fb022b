// IP addresses and networks as text: as the configuration writes them ([server] trusted_proxies,
// monitoring_allow) and as a request carries them (the peer, X-Forwarded-For). One parser for
// both, so an entry the configuration check accepts is one the server can use
// (http::AddressList).
#pragma once

#include <boost/asio/ip/address.hpp>
#include <optional>
#include <string_view>

namespace mamori::config {

// "192.0.2.7", "2001:db8::1" (surrounding blanks ignored); an IPv4-mapped IPv6 address is
// returned as the IPv4 address. Nothing for other text.
std::optional<boost::asio::ip::address> parse_ip_address(std::string_view text);

// An address, or a network "10.0.0.0/8", "2001:db8::/32". An address alone is a network of one
// (prefix 32 or 128).
struct IpNetwork {
  boost::asio::ip::address address;
  unsigned prefix = 0;
};
std::optional<IpNetwork> parse_ip_network(std::string_view text);

}  // namespace mamori::config
