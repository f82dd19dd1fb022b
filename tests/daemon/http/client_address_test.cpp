// Who is asking: trusted proxies, X-Forwarded-For read from the right, IPv6 per /64.
#include "daemon/http/client_address.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace mamori::http {
namespace {

const AddressList kLocalProxy{std::vector<std::string>{"127.0.0.1", "::1"}};

Request from(const std::string& peer, std::vector<std::string> forwarded_lines = {}) {
  Request req;
  req.set(kPeerAddressField, peer);
  for (const auto& line : forwarded_lines) req.insert("X-Forwarded-For", line);
  return req;
}

TEST(ClientAddress, PeerUnlessATrustedProxyForwarded) {
  // A remote client cannot choose its address.
  EXPECT_EQ(client_address(from("192.0.2.7", {"10.9.9.9"}), kLocalProxy), "192.0.2.7");
  // The entry the local proxy appended.
  EXPECT_EQ(client_address(from("127.0.0.1", {"10.9.9.9, 198.51.100.4"}), kLocalProxy),
            "198.51.100.4");
  EXPECT_EQ(client_address(from("127.0.0.1"), kLocalProxy), "127.0.0.1");
  EXPECT_EQ(client_address(Request{}, kLocalProxy), "unknown");
}

// A client sends its own X-Forwarded-For line first; the proxy adds its own line (or appends to
// the client's). Only the rightmost entry not written by a trusted proxy counts — never the
// first line, which the client chose.
TEST(ClientAddress, TheRightEntryOfEveryLineNotTheFirstLine) {
  EXPECT_EQ(client_address(from("127.0.0.1", {"203.0.113.66", "198.51.100.4"}), kLocalProxy),
            "198.51.100.4");
  // Two proxies: the office proxy 10.1.2.3 (trusted) in front of the local one.
  const AddressList both{std::vector<std::string>{"127.0.0.1", "10.0.0.0/8"}};
  EXPECT_EQ(client_address(from("127.0.0.1", {"203.0.113.66, 198.51.100.4, 10.1.2.3"}), both),
            "198.51.100.4");
  // Without trusting the office proxy, the office proxy is the client.
  EXPECT_EQ(
      client_address(from("127.0.0.1", {"203.0.113.66, 198.51.100.4, 10.1.2.3"}), kLocalProxy),
      "10.1.2.3");
  // Garbage where an address belongs stops the walk at the last address a proxy vouched for.
  EXPECT_EQ(client_address(from("127.0.0.1", {"not-an-address, 198.51.100.4"}), kLocalProxy),
            "198.51.100.4");
  EXPECT_EQ(client_address(from("127.0.0.1", {"198.51.100.4, <script>"}), kLocalProxy),
            "127.0.0.1");
  // Nobody trusted: X-Forwarded-For is ignored even from loopback.
  EXPECT_EQ(client_address(from("127.0.0.1", {"198.51.100.4"}), AddressList{}), "127.0.0.1");
}

TEST(AddressKey, IPv6CountsPerSlash64AndMappedIPv4AsIPv4) {
  EXPECT_EQ(address_key("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(address_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
  EXPECT_EQ(address_key("2001:db8:1:2::1"), address_key("2001:db8:1:2:ffff::9"));
  EXPECT_NE(address_key("2001:db8:1:2::1"), address_key("2001:db8:1:3::1"));
  EXPECT_EQ(address_key("::ffff:192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(address_key("unknown"), "unknown");
}

TEST(AddressList, AddressesAndNetworks) {
  const AddressList list{std::vector<std::string>{"192.0.2.7", "10.0.0.0/8", "2001:db8::/32"}};
  EXPECT_TRUE(list.contains(std::string_view("192.0.2.7")));
  EXPECT_FALSE(list.contains(std::string_view("192.0.2.8")));
  EXPECT_TRUE(list.contains(std::string_view("10.200.3.4")));
  EXPECT_TRUE(list.contains(std::string_view("::ffff:10.1.1.1")));
  EXPECT_TRUE(list.contains(std::string_view("2001:db8:ffff::1")));
  EXPECT_FALSE(list.contains(std::string_view("2001:db9::1")));
  EXPECT_FALSE(list.contains(std::string_view("garbage")));
  EXPECT_EQ(AddressList::check("10.0.0.0/8"), "");
  EXPECT_NE(AddressList::check("10.0.0.0/33"), "");
  EXPECT_NE(AddressList::check("intranet"), "");
  EXPECT_THROW(AddressList(std::vector<std::string>{"10.0.0.0/x"}), std::invalid_argument);
}

}  // namespace
}  // namespace mamori::http
