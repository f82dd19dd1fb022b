// Contact details in a text — phone numbers, links, account handles, e-mail addresses, bank
// accounts and payment IDs — and the city's genuine ones to compare them with (issue 17: a
// reply presenting a number, link, account or bank account as the city's that is not the city's
// is misinformation; the city's own contacts and national numbers stay benign).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/misinfo/analyzed_text.h"
#include "detectors/misinfo/slots.h"

namespace mamori::detectors::misinfo {

enum class ContactKind { phone, link, handle, email, account };
std::string_view contact_kind_label(ContactKind k);  // 電話番号, リンク, アカウント, …

struct ContactDetail {
  ContactKind kind = ContactKind::phone;
  // Canonical value: phone and account digits, a link's host, a handle without '@' or an e-mail
  // address, lower-cased.
  std::string value;
  std::string written;    // as written, for reasons
  std::size_t begin = 0;  // code points in AnalyzedText::nfkc (links: 0, they are blanked)
  std::size_t end = 0;
};

// The city's genuine contacts, from the configuration ([municipality], the official accounts) and
// from its own posts (every contact a post gives is genuine, including a utility's number the
// city quotes).
struct OfficialContacts {
  std::vector<std::string> phones;   // any spelling ("0478-21-1150"); digits are compared
  std::vector<std::string> hosts;    // homepage URL or host; subdomains count as the same
  std::vector<std::string> handles;  // official accounts, with or without '@'
  std::vector<std::string> emails;
  std::vector<std::string> accounts;  // bank account numbers

  // Canonicalizes and adds the contacts a text gives (an official post).
  void add_from(const AnalyzedText& text, const Slots& slots);
  // Sorts and removes duplicates after adding.
  void finish();

  bool has_phone(std::string_view digits) const;
  bool has_host(std::string_view host) const;  // also true for *.lg.jp and *.go.jp
  bool has_handle(std::string_view handle) const;
  bool has_email(std::string_view email) const;
  bool has_account(std::string_view digits) const;
  bool is_official(const ContactDetail& c) const;

  // A genuine contact of the same kind that the given one imitates (one or two digits changed or
  // swapped; a host or handle containing a distinctive part of the city's), else empty.
  std::string imitated(const ContactDetail& c) const;
};

// Contact details in a text. Handles that open the text (the accounts a reply is addressed to:
// "@midorigahama_pr 何時まで…") are not contacts.
std::vector<ContactDetail> extract_contacts(const AnalyzedText& text, const Slots& slots);

}  // namespace mamori::detectors::misinfo
