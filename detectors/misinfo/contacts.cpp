#include "detectors/misinfo/contacts.h"

#include <algorithm>

#include "detectors/text/normalize.h"
#include "model/text.h"

namespace mamori::detectors::misinfo {
namespace {

bool is_handle_char(char32_t c) {
  return is_ascii_alpha(c) || is_ascii_digit(c) || c == U'_' || c == U'.';
}

bool is_email_char(char32_t c) {
  return is_ascii_alpha(c) || is_ascii_digit(c) || c == U'_' || c == U'.' || c == U'-' ||
         c == U'+' || c == U'%';
}

std::string ascii(std::u32string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char32_t c : s) {
    out.push_back(c < 0x80 ? model::ascii_lower(static_cast<char>(c)) : '?');
  }
  return out;
}

std::string digits_of(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (c >= '0' && c <= '9') out.push_back(c);
  }
  return out;
}

std::string lower(std::string_view s) {
  return model::ascii_lower(s);
}

std::string strip_at(std::string_view h) {
  while (!h.empty() && (h.front() == '@' || h.front() == ' ')) h.remove_prefix(1);
  return lower(h);
}

bool host_matches(std::string_view host, std::string_view official) {
  if (host == official) return true;
  return host.size() > official.size() && host.ends_with(official) &&
         host[host.size() - official.size() - 1] == '.';
}

bool contains_any(std::u32string_view s, std::initializer_list<std::u32string_view> words) {
  for (auto w : words) {
    if (s.find(w) != std::u32string_view::npos) return true;
  }
  return false;
}

// One or two digits changed, or two adjacent digits swapped, in a number of the same length.
bool near_number(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a == b) return false;
  std::size_t differing = 0;
  for (std::size_t i = 0; i < a.size(); ++i) differing += a[i] != b[i] ? 1 : 0;
  return differing <= 2;
}

// Labels of a host or handle that name the city rather than a kind of site:
// "www.city.midorigahama.lg.jp" -> {"midorigahama"}, "midorigahama_pr" -> {"midorigahama"}.
std::vector<std::string> distinctive_parts(std::string_view s) {
  static constexpr std::string_view kGeneric[] = {
      "www", "city", "town",  "vill", "pref", "lg",   "jp",       "go",   "or",     "co",
      "ne",  "ac",   "com",   "net",  "org",  "info", "official", "koho", "kouhou", "pr",
      "shi", "cho",  "machi", "mura", "gov",  "web",  "mail",     "line", "bousai", "news"};
  std::vector<std::string> out;
  std::string part;
  const auto flush = [&] {
    if (part.size() >= 5 &&
        std::find(std::begin(kGeneric), std::end(kGeneric), part) == std::end(kGeneric)) {
      out.push_back(part);
    }
    part.clear();
  };
  for (const char c : s) {
    if (c == '.' || c == '-' || c == '_' || c == '@' || c == '/') {
      flush();
    } else {
      part.push_back(model::ascii_lower(c));
    }
  }
  flush();
  return out;
}

void add_unique(std::vector<std::string>& v, std::string s) {
  if (!s.empty()) v.push_back(std::move(s));
}

// Words in the few characters before a digit run that make it a bank account number.
bool account_cue_before(std::u32string_view f, std::size_t pos) {
  const std::size_t from = pos >= 20 ? pos - 20 : 0;
  const auto window = f.substr(from, pos - from);
  return contains_any(window, {U"口座", U"普通", U"当座", U"記号", U"番号", U"預金", U"振込",
                               U"振り込", U"ゆうちょ", U"銀行", U"金庫", U"名義"});
}

}  // namespace

std::string_view contact_kind_label(ContactKind k) {
  switch (k) {
    case ContactKind::phone:
      return "電話番号";
    case ContactKind::link:
      return "リンク先";
    case ContactKind::handle:
      return "アカウント";
    case ContactKind::email:
      return "メールアドレス";
    case ContactKind::account:
      return "口座・送金先";
  }
  return "連絡先";
}

std::vector<ContactDetail> extract_contacts(const AnalyzedText& text, const Slots& slots) {
  std::vector<ContactDetail> out;
  for (const auto& p : slots.phones) {
    if (p.negated) continue;
    ContactDetail c;
    c.kind = ContactKind::phone;
    c.value = p.value;
    c.written = text::to_utf8(std::u32string_view(text.nfkc).substr(p.begin, p.end - p.begin));
    c.begin = p.begin;
    c.end = p.end;
    out.push_back(std::move(c));
  }
  for (const auto& h : slots.url_hosts) {
    if (h.empty() || h == "t.co") continue;
    ContactDetail c;
    c.kind = ContactKind::link;
    c.value = h;
    c.written = h;
    out.push_back(std::move(c));
  }
  const std::u32string_view s = text.nfkc;
  const std::u32string_view f = text.folded;
  // Handles and e-mail addresses. Mentions opening the text address the reply, not a contact.
  bool leading = true;
  std::size_t i = 0;
  while (i < s.size()) {
    const char32_t ch = s[i];
    if (ch == U'@') {
      std::size_t j = i + 1;
      while (j < s.size() && is_handle_char(s[j])) ++j;
      const bool email = i > 0 && is_email_char(s[i - 1]);
      if (!email && j > i + 1) {
        if (!leading) {
          ContactDetail c;
          c.kind = ContactKind::handle;
          c.value = ascii(s.substr(i + 1, j - i - 1));
          while (!c.value.empty() && c.value.back() == '.') c.value.pop_back();
          c.written = "@" + c.value;
          c.begin = i;
          c.end = j;
          out.push_back(std::move(c));
        }
        i = j;
        continue;
      }
      if (email && j > i + 1) {
        std::size_t b = i;
        while (b > 0 && is_email_char(s[b - 1])) --b;
        std::size_t e = i + 1;
        while (e < s.size() && is_email_char(s[e])) ++e;
        while (e > i + 1 && (s[e - 1] == U'.' || s[e - 1] == U'-')) --e;
        const std::string address = ascii(s.substr(b, e - b));
        if (address.find('.', address.find('@')) != std::string::npos) {
          ContactDetail c;
          c.kind = ContactKind::email;
          c.value = address;
          c.written = address;
          c.begin = b;
          c.end = e;
          out.push_back(std::move(c));
        }
        i = e;
        leading = false;
        continue;
      }
    }
    if (!(ch == U' ' || ch == U'\n' || ch == U'\t') && ch != U'@') leading = false;
    ++i;
  }
  // Payment and messaging IDs: "ID:midori_fukkou", "LINE ID xxx".
  for (std::size_t p = f.find(U"id"); p != std::u32string_view::npos; p = f.find(U"id", p + 2)) {
    if (p > 0 && is_ascii_alpha(f[p - 1])) continue;
    std::size_t j = p + 2;
    while (j < f.size() && (f[j] == U':' || f[j] == U' ' || f[j] == U'=')) ++j;
    const std::size_t start = j;
    while (j < f.size() && (is_handle_char(f[j]) || f[j] == U'-')) ++j;
    if (j - start < 3 || start == p + 2) continue;
    ContactDetail c;
    c.kind = ContactKind::account;  // a payment or messaging ID: where money or messages go
    c.value = ascii(f.substr(start, j - start));
    c.written = "ID:" + c.value;
    c.begin = p;
    c.end = j;
    out.push_back(std::move(c));
  }
  // Named accounts: 「緑ヶ浜こども接種予約」公式アカウント, 「…」というLINE.
  for (std::size_t close = f.find(U'」'); close != std::u32string_view::npos;
       close = f.find(U'」', close + 1)) {
    const std::size_t open = f.rfind(U'「', close);
    if (open == std::u32string_view::npos || close - open < 3 || close - open > 30) continue;
    const auto after = f.substr(close + 1, 10);
    if (!contains_any(after, {U"あかうんと", U"公式", U"ぐるーぷ", U"とーく"})) continue;
    ContactDetail c;
    c.kind = ContactKind::handle;
    c.value = text::to_utf8(f.substr(open + 1, close - open - 1));
    c.written = "「" + text::to_utf8(s.substr(open + 1, close - open - 1)) + "」";
    c.begin = open;
    c.end = close + 1;
    out.push_back(std::move(c));
  }
  // Bank accounts: 5 to 8 digits (ゆうちょ 記号-番号 joined by '-') after an account word.
  i = 0;
  while (i < s.size()) {
    if (!is_ascii_digit(s[i]) ||
        (i > 0 && (is_ascii_digit(s[i - 1]) || s[i - 1] == U'-' || is_ascii_alpha(s[i - 1])))) {
      ++i;
      continue;
    }
    std::size_t j = i;
    std::string digits;
    while (j < s.size() && (is_ascii_digit(s[j]) ||
                            (s[j] == U'-' && j + 1 < s.size() && is_ascii_digit(s[j + 1])))) {
      if (is_ascii_digit(s[j])) digits.push_back(static_cast<char>(s[j]));
      ++j;
    }
    const bool in_phone = std::any_of(slots.phones.begin(), slots.phones.end(),
                                      [&](const auto& p) { return i >= p.begin && i < p.end; });
    const bool unit_follows =
        j < s.size() && !is_ascii_digit(s[j]) && is_kanji(s[j]) &&
        std::u32string_view(U"円戸人件台歳日月時分年号回").find(s[j]) != std::u32string_view::npos;
    // ゆうちょ's 記号-番号 (5 digits, a hyphen, 8 digits) needs no cue.
    const bool postal = digits.size() == 13 && j - i == 14 && s[i + 5] == U'-';
    if (!in_phone && !unit_follows && digits.size() >= 5 && digits.size() <= 16 &&
        (postal || account_cue_before(f, i))) {
      ContactDetail c;
      c.kind = ContactKind::account;
      c.value = digits;
      c.written = text::to_utf8(s.substr(i, j - i));
      c.begin = i;
      c.end = j;
      out.push_back(std::move(c));
    }
    i = j;
  }
  return out;
}

void OfficialContacts::add_from(const AnalyzedText& text, const Slots& slots) {
  // Every handle a post names is the city's or one it vouches for, including the leading ones.
  const std::u32string_view s = text.nfkc;
  for (std::size_t i = s.find(U'@'); i != std::u32string_view::npos; i = s.find(U'@', i + 1)) {
    std::size_t j = i + 1;
    while (j < s.size() && is_handle_char(s[j])) ++j;
    if (j > i + 1 && !(i > 0 && is_email_char(s[i - 1])))
      add_unique(handles, ascii(s.substr(i + 1, j - i - 1)));
  }
  for (const auto& c : extract_contacts(text, slots)) {
    switch (c.kind) {
      case ContactKind::phone:
        add_unique(phones, c.value);
        break;
      case ContactKind::link:
        add_unique(hosts, c.value);
        break;
      case ContactKind::handle:
        add_unique(handles, c.value);
        break;
      case ContactKind::email:
        add_unique(emails, c.value);
        break;
      case ContactKind::account:
        add_unique(accounts, c.value);
        break;
    }
  }
}

void OfficialContacts::finish() {
  for (auto& p : phones) p = digits_of(p);
  for (auto& h : hosts) {
    std::string host = url_host(h);
    h = host.empty() ? lower(h) : host;
  }
  for (auto& h : handles) h = strip_at(h);
  for (auto& e : emails) e = lower(e);
  for (auto& a : accounts) a = digits_of(a);
  for (auto* v : {&phones, &hosts, &handles, &emails, &accounts}) {
    std::erase_if(*v, [](const std::string& x) { return x.empty(); });
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
}

bool OfficialContacts::has_phone(std::string_view digits) const {
  return std::binary_search(phones.begin(), phones.end(), digits);
}

bool OfficialContacts::has_host(std::string_view host) const {
  if (host.empty()) return false;
  if (host.ends_with(".lg.jp") || host.ends_with(".go.jp")) return true;
  return std::any_of(hosts.begin(), hosts.end(),
                     [&](const std::string& o) { return host_matches(host, o); });
}

bool OfficialContacts::has_handle(std::string_view handle) const {
  return std::binary_search(handles.begin(), handles.end(), handle);
}

bool OfficialContacts::has_email(std::string_view email) const {
  if (std::find(emails.begin(), emails.end(), email) != emails.end()) return true;
  const auto at = email.find('@');
  return at != std::string_view::npos && has_host(email.substr(at + 1));
}

bool OfficialContacts::has_account(std::string_view digits) const {
  return std::find(accounts.begin(), accounts.end(), digits) != accounts.end();
}

bool OfficialContacts::is_official(const ContactDetail& c) const {
  switch (c.kind) {
    case ContactKind::phone:
      return has_phone(c.value);
    case ContactKind::link:
      return has_host(c.value);
    case ContactKind::handle:
      return has_handle(c.value);
    case ContactKind::email:
      return has_email(c.value);
    case ContactKind::account:
      // An official account number written with its branch or symbol prefix still matches.
      return std::any_of(accounts.begin(), accounts.end(), [&](const std::string& a) {
        return c.value == a || (c.value.size() > a.size() && c.value.ends_with(a));
      });
  }
  return false;
}

std::string OfficialContacts::imitated(const ContactDetail& c) const {
  const auto near_in = [&](const std::vector<std::string>& v) -> std::string {
    for (const auto& o : v) {
      if (near_number(c.value, o)) return o;
    }
    return {};
  };
  switch (c.kind) {
    case ContactKind::phone:
      return near_in(phones);
    case ContactKind::account:
      return near_in(accounts);
    case ContactKind::link:
    case ContactKind::handle:
    case ContactKind::email: {
      const std::vector<std::string>* sources[] = {&hosts, &handles};
      for (const auto* v : sources) {
        for (const auto& o : *v) {
          for (const auto& part : distinctive_parts(o)) {
            if (c.value.find(part) != std::string::npos) return o;
          }
        }
      }
      return {};
    }
  }
  return {};
}

}  // namespace mamori::detectors::misinfo
