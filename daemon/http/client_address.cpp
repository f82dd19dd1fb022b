#include "daemon/http/client_address.h"

#include <stdexcept>

namespace mamori::http {

namespace ip = boost::asio::ip;

namespace {

// The address's bytes, IPv4 as 4 and IPv6 as 16.
std::vector<unsigned char> bytes_of(const ip::address& a) {
  if (a.is_v4()) {
    const auto b = a.to_v4().to_bytes();
    return {b.begin(), b.end()};
  }
  const auto b = a.to_v6().to_bytes();
  return {b.begin(), b.end()};
}

bool same_prefix(const ip::address& a, const ip::address& b, unsigned prefix) {
  if (a.is_v4() != b.is_v4()) return false;
  const auto x = bytes_of(a);
  const auto y = bytes_of(b);
  unsigned bits = prefix;
  for (std::size_t i = 0; i < x.size() && bits > 0; ++i) {
    const unsigned take = bits >= 8 ? 8 : bits;
    const auto mask = static_cast<unsigned char>(0xFFu << (8 - take));
    if ((x[i] & mask) != (y[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

}  // namespace

std::string AddressList::check(std::string_view entry) {
  if (config::parse_ip_network(entry)) return {};
  return "'" + std::string(entry) +
         "' is neither an IP address nor a network (such as \"10.0.0.0/8\" or \"2001:db8::/32\")";
}

AddressList::AddressList(const std::vector<std::string>& entries) {
  for (const auto& e : entries) {
    auto parsed = config::parse_ip_network(e);
    if (!parsed) throw std::invalid_argument(check(e));
    entries_.push_back(*parsed);
  }
}

bool AddressList::contains(const ip::address& address) const {
  ip::address a = address;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) a = ip::make_address_v4(ip::v4_mapped, a.to_v6());
  for (const auto& e : entries_) {
    if (same_prefix(a, e.address, e.prefix)) return true;
  }
  return false;
}

bool AddressList::contains(std::string_view address) const {
  const auto a = config::parse_ip_address(address);
  return a && contains(*a);
}

std::string address_key(const ip::address& address) {
  if (address.is_v4()) return address.to_string();
  const auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, v6).to_string();
  auto bytes = v6.to_bytes();
  for (std::size_t i = 8; i < bytes.size(); ++i) bytes[i] = 0;
  return ip::address_v6(bytes).to_string() + "/64";
}

std::string address_key(std::string_view address) {
  const auto a = config::parse_ip_address(address);
  return a ? address_key(*a) : std::string(address);
}

std::string client_address(const Request& request, const AddressList& trusted_proxies) {
  const auto peer_text = request[kPeerAddressField];
  const auto peer = config::parse_ip_address(peer_text);
  if (!peer) return peer_text.empty() ? std::string("unknown") : std::string(peer_text);
  if (!trusted_proxies.contains(*peer)) return peer->to_string();
  // Every X-Forwarded-For line in order, then entries from the right.
  std::vector<std::string_view> entries;
  const auto lines = request.equal_range("X-Forwarded-For");
  for (auto it = lines.first; it != lines.second; ++it) {
    std::string_view value(it->value().data(), it->value().size());
    while (!value.empty()) {
      const auto comma = value.find(',');
      entries.push_back(value.substr(0, comma));  // blanks: parse_ip_address
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  ip::address client = *peer;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    const auto hop = config::parse_ip_address(*it);
    if (!hop) break;  // garbage: stop at the last address a trusted proxy vouched for
    client = *hop;
    if (!trusted_proxies.contains(*hop)) break;
  }
  return client.to_string();
}

bool forwarded(const Request& request) {
  return request.find("X-Forwarded-For") != request.end() ||
         request.find(boost::beast::http::field::forwarded) != request.end();
}

}  // namespace mamori::http
