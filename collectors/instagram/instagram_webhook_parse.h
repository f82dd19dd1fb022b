// A Meta webhook delivery for the `instagram` object -> the @mentions it announces.
//
// Instagram lists no mentions of an account: Meta posts them to the app's webhook (field
// `mentions`), and the app reads each one with `mentioned_media` / `mentioned_comment`
// (instagram_parse.h). A delivery batches entries, one per receiving professional account:
//
//   {"object": "instagram",
//    "entry": [{"id": "17841405726653026", "time": 1520622968,
//               "changes": [{"field": "mentions",
//                            "value": {"media_id": "17918195224117851",
//                                      "comment_id": "17895695668004550"}}]}]}
//
// `comment_id` is there when the mention is in a comment, absent (or null) when it is in a
// media's caption. Other fields (`comments`, `story_insights`...) and other objects are counted
// as ignored, not errors: Meta sends whatever the app subscribed to. Ids are numeric strings;
// anything else is skipped (they are put into Graph request paths). The parser is pure.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::collectors::instagram {

struct MentionEvent {
  std::string ig_user_id;  // the receiving (mentioned) professional account: entry.id
  std::string media_id;
  std::optional<std::string> comment_id;  // a mention in a comment
  bool operator==(const MentionEvent&) const = default;
};

struct WebhookMentions {
  std::vector<MentionEvent> mentions;  // in delivery order, repeats removed
  std::size_t ignored = 0;             // changes of other fields or objects
  std::vector<std::string> skipped;    // "entry[0].changes[1]: media_id is not a numeric id"
  std::string error;                   // not JSON or not a webhook delivery; empty when read
  bool ok() const { return error.empty(); }
};

// The largest delivery read (the HTTP route refuses larger bodies before this).
inline constexpr std::size_t kMaxWebhookEntries = 1000;

WebhookMentions parse_mention_webhook(std::string_view body);

// True for a non-empty string of ASCII digits of at most 32 characters (a Graph id).
bool is_graph_id(std::string_view id);

}  // namespace mamori::collectors::instagram
