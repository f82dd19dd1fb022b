#include "collectors/instagram/instagram_webhook_parse.h"

#include <algorithm>
#include <utility>

#include "collectors/common/json_access.h"

namespace mamori::collectors::instagram {
namespace {

namespace od = simdjson::ondemand;
using json::for_each_element;
using json::for_each_field;

std::string at(std::size_t entry, std::size_t change) {
  return "entry[" + std::to_string(entry) + "].changes[" + std::to_string(change) + "]";
}

// One `changes[]` item of an entry; a mention found goes to `out` without its account id.
void read_change(od::value& v, const std::string& where, WebhookMentions& out) {
  std::string field;
  std::optional<std::string> media_id;
  std::optional<std::string> comment_id;
  bool comment_bad = false;
  bool value_seen = false;
  const bool is_object = for_each_field(v, [&](std::string_view key, od::value& f) {
    if (key == "field") {
      json::read_string(f, field);
    } else if (key == "value") {
      value_seen = for_each_field(f, [&](std::string_view k, od::value& x) {
        if (k == "media_id") {
          media_id = json::string_of(x);
        } else if (k == "comment_id") {
          comment_id = json::string_of(x);
          bool null = false;
          // null: a mention in a caption; any other non-string is not a comment id.
          if (!comment_id && (x.is_null().get(null) || !null)) comment_bad = true;
        }
      });
    }
  });
  if (!is_object) {
    out.skipped.push_back(where + ": not an object");
  } else if (field != "mentions") {
    ++out.ignored;
  } else if (!value_seen) {
    out.skipped.push_back(where + ": mentions without a value object");
  } else if (!media_id || !is_graph_id(*media_id)) {
    out.skipped.push_back(where + ": media_id is not a numeric id");
  } else if (comment_bad || (comment_id && !is_graph_id(*comment_id))) {
    out.skipped.push_back(where + ": comment_id is not a numeric id");
  } else {
    out.mentions.push_back(MentionEvent{{}, std::move(*media_id), std::move(comment_id)});
  }
}

void add_unique(std::vector<MentionEvent>& to, MentionEvent m) {
  if (std::find(to.begin(), to.end(), m) == to.end()) to.push_back(std::move(m));
}

// One `entry[]` item: the receiving account's id and its changes (the id may come after them).
void read_entry(od::value& v, std::size_t index, WebhookMentions& out) {
  if (index >= kMaxWebhookEntries) {
    if (index == kMaxWebhookEntries)
      out.skipped.push_back("entry: more than " + std::to_string(kMaxWebhookEntries) +
                            " entries, the rest not read");
    return;
  }
  std::string id;
  WebhookMentions part;
  std::vector<std::string> mention_at;  // where each of part.mentions was
  const bool is_object = for_each_field(v, [&](std::string_view key, od::value& f) {
    if (key == "id") {
      json::read_string(f, id);
    } else if (key == "changes") {
      json::expect_array(f, "changes");
      for_each_element(f, [&](od::value& c, std::size_t i) {
        const std::size_t before = part.mentions.size();
        read_change(c, at(index, i), part);
        if (part.mentions.size() > before) mention_at.push_back(at(index, i));
      });
    }
  });
  if (!is_object) {
    out.skipped.push_back("entry[" + std::to_string(index) + "]: not an object");
    return;
  }
  out.ignored += part.ignored;
  for (auto& s : part.skipped) out.skipped.push_back(std::move(s));
  const bool id_ok = is_graph_id(id);
  for (std::size_t i = 0; i < part.mentions.size(); ++i) {
    if (!id_ok) {
      out.skipped.push_back(mention_at[i] + ": entry without a numeric account id");
      continue;
    }
    part.mentions[i].ig_user_id = id;
    add_unique(out.mentions, std::move(part.mentions[i]));
  }
}

// One delivery object: {"object": "instagram", "entry": [...]}.
template <typename V>
void read_delivery(V& v, WebhookMentions& out) {
  std::string object;
  bool entries = false;
  WebhookMentions part;
  const bool is_object = for_each_field(v, [&](std::string_view key, od::value& f) {
    if (key == "object") {
      json::read_string(f, object);
    } else if (key == "entry") {
      entries = true;
      json::expect_array(f, "entries");
      for_each_element(f, [&](od::value& e, std::size_t i) { read_entry(e, i, part); });
    }
  });
  if (!is_object) json::fail_shape("expected a webhook delivery object");
  if (!entries) json::fail_shape("expected an `entry` array");
  if (object != "instagram") {  // a Page or WhatsApp delivery to the same URL: not mentions
    out.ignored += part.mentions.size() + part.ignored;
    return;
  }
  out.ignored += part.ignored;
  for (auto& s : part.skipped) out.skipped.push_back(std::move(s));
  for (auto& m : part.mentions) add_unique(out.mentions, std::move(m));
}

}  // namespace

bool is_graph_id(std::string_view id) {
  return !id.empty() && id.size() <= 32 &&
         std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

WebhookMentions parse_mention_webhook(std::string_view body) {
  WebhookMentions out;
  // parse_document reports broken JSON with its line and column, as for the API parsers.
  const ParseResult r = json::parse_document(
      model::Platform::instagram, "webhook-mentions", body, ParseContext{},
      [&](od::document& doc, ParseResult&) {
        // Meta's examples show the delivery inside an array; what it sends is the object.
        if (!for_each_element(doc, [&](od::value& d, std::size_t) { read_delivery(d, out); })) {
          read_delivery(doc, out);
        }
      });
  if (r.outcome == ParseOutcome::malformed) {
    WebhookMentions failed;
    const auto& e = std::get<model::ObservationError>(r.observations.front());
    failed.error = e.message;
    return failed;
  }
  return out;
}

}  // namespace mamori::collectors::instagram
