// Who is asking: the client address of a request, for throttling, per-client connection caps and
// allow-lists.
//  * A request's peer is the TCP peer (set by the server in kPeerAddressField). When that peer
//    is a configured trusted proxy, X-Forwarded-For is read from the right (every header line,
//    in order): the proxies append, so entries from trusted proxies are skipped and the first
//    one that is not trusted is the client. Anything a client wrote further left is ignored.
//  * IPv6 clients are counted per /64 (one subscriber's network: a host can take any address
//    in it); IPv4-mapped IPv6 addresses as IPv4.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/config/ip_address.h"
#include "daemon/http/router.h"

namespace mamori::http {

// Addresses and networks: "127.0.0.1", "::1", "10.0.0.0/8", "2001:db8::/32".
class AddressList {
 public:
  AddressList() = default;
  // Throws std::invalid_argument naming the entry that is neither an address nor a network.
  explicit AddressList(const std::vector<std::string>& entries);
  // "" when `entry` is a valid address or network, else what is wrong.
  static std::string check(std::string_view entry);

  bool contains(const boost::asio::ip::address& address) const;
  bool contains(std::string_view address) const;  // false for what is not an address
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<config::IpNetwork> entries_;
};

// The address a client is counted by: IPv4 as written, IPv4-mapped IPv6 as IPv4, other IPv6 as
// its /64 ("2001:db8:1:2::/64"). Text that is not an address is returned unchanged.
std::string address_key(std::string_view address);
std::string address_key(const boost::asio::ip::address& address);

// The client's address (not yet keyed): the peer, or with a trusted proxy as the peer the
// rightmost X-Forwarded-For entry no trusted proxy wrote. "unknown" without a peer.
std::string client_address(const Request& request, const AddressList& trusted_proxies);

// Did the request come through a proxy (it carries X-Forwarded-For or Forwarded)?
bool forwarded(const Request& request);

}  // namespace mamori::http
