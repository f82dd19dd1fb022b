// Meta's webhook authentication (developers.facebook.com/docs/graph-api/webhooks/getting-started):
//  * subscribing: Meta sends GET ?hub.mode=subscribe&hub.verify_token=T&hub.challenge=C and
//    expects C back when T is the token typed into the app dashboard;
//  * every delivery: `X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the raw body keyed
//    with the app secret. It is checked on the bytes as received, before any parsing.
// Both comparisons take the same time whatever the input (libsodium), so a forger learns
// nothing from how fast a guess is refused.
#pragma once

#include <string>
#include <string_view>

namespace mamori::webhooks {

// True when `header` is "sha256=" and 64 hex digits (either case) equal to
// HMAC-SHA256(app_secret, body).
bool signature_matches(std::string_view app_secret, std::string_view body, std::string_view header);

// "sha256=<lower-case hex>" for `body` (what Meta sends; the tests sign with it).
std::string signature_header(std::string_view app_secret, std::string_view body);

// True when `given` equals `expected`; neither the content nor the length of `expected` leaks
// through timing. An empty `expected` matches nothing.
bool verify_token_matches(std::string_view expected, std::string_view given);

}  // namespace mamori::webhooks
