#include "daemon/detection/rumour_file.h"

#include <toml++/toml.h>

#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

namespace mamori::detection {
namespace {

constexpr std::size_t kMaxFileBytes = 8 * 1024 * 1024;

std::string where(const std::string& file, const toml::node* node) {
  std::string out = file;
  if (node != nullptr && node->source().begin) {
    out += ":" + std::to_string(node->source().begin.line) + ":" +
           std::to_string(node->source().begin.column);
  }
  return out;
}

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 100) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) {
    s.replace(p, from.size(), to);
  }
}

// Reads one optional string key; sets `error` when present with another type.
std::optional<std::string> read_string(const toml::table& t, std::string_view key,
                                       const std::string& file, const std::string& context,
                                       std::optional<std::string>& error) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::nullopt;
  if (const auto* s = n->as_string()) return s->get();
  error = where(file, n) + ": " + context + "." + std::string(key) + ": expected a string";
  return std::nullopt;
}

}  // namespace

RumourFileResult parse_rumour_toml(std::string_view text, const std::string& source_name,
                                   const RumourFileOptions& options) {
  RumourFileResult result;
  toml::table doc;
  try {
    doc = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    result.error = source_name + ":" + std::to_string(e.source().begin.line) + ":" +
                   std::to_string(e.source().begin.column) +
                   ": TOML syntax error: " + std::string(e.description());
    return result;
  }
  std::optional<std::string>& error = result.error;
  for (const auto& [key, node] : doc) {
    if (key != "format_version" && key != "template" && key != "rumour") {
      error = where(source_name, &node) + ": unknown key '" + std::string(key.str()) +
              "' (expected format_version, template, rumour)";
      return result;
    }
  }
  const toml::node* version = doc.get("format_version");
  if (version == nullptr) {
    error = source_name + ": format_version: missing (expected format_version = 1)";
    return result;
  }
  if (const auto* v = version->as_integer(); v == nullptr || v->get() != 1) {
    error = where(source_name, version) + ": format_version: expected 1";
    return result;
  }
  std::string correction_template;
  if (const toml::node* tn = doc.get("template")) {
    const auto* t = tn->as_table();
    if (t == nullptr) {
      error = where(source_name, tn) + ": template: expected a table";
      return result;
    }
    for (const auto& [key, node] : *t) {
      if (key != "correction") {
        error = where(source_name, &node) + ": template: unknown key '" + std::string(key.str()) +
                "' (expected correction)";
        return result;
      }
    }
    if (auto c = read_string(*t, "correction", source_name, "template", error)) {
      correction_template = *c;
    }
    if (error) return result;
  }
  const toml::node* list = doc.get("rumour");
  if (list == nullptr) return result;  // a file with no rumours yet is valid
  const auto* rumours = list->as_array();
  if (rumours == nullptr) {
    error = where(source_name, list) + ": rumour: expected an array of tables ([[rumour]])";
    return result;
  }
  std::set<std::string> ids;
  for (std::size_t i = 0; i < rumours->size(); ++i) {
    const toml::node& item = (*rumours)[i];
    const std::string context = "rumour[" + std::to_string(i + 1) + "]";
    const auto* t = item.as_table();
    if (t == nullptr) {
      error = where(source_name, &item) + ": " + context + ": expected a table";
      return result;
    }
    for (const auto& [key, node] : *t) {
      if (key != "id" && key != "claim" && key != "wordings" && key != "correction" &&
          key != "correction_url") {
        error = where(source_name, &node) + ": " + context + ": unknown key '" +
                std::string(key.str()) +
                "' (expected id, claim, wordings, correction, correction_url)";
        return result;
      }
    }
    detectors::misinfo::Rumour r;
    const auto id = read_string(*t, "id", source_name, context, error);
    if (error) return result;
    if (!id || !valid_id(*id)) {
      error = where(source_name, id ? t->get("id") : &item) + ": " + context +
              ".id: expected a non-empty id of lowercase letters, digits, '-' or '_'";
      return result;
    }
    if (!ids.insert(*id).second) {
      error = where(source_name, t->get("id")) + ": " + context + ".id: duplicate id '" + *id + "'";
      return result;
    }
    r.id = *id;
    const std::string named = "rumour '" + r.id + "'";
    const auto claim = read_string(*t, "claim", source_name, named, error);
    if (error) return result;
    if (!claim || claim->empty()) {
      error = where(source_name, &item) + ": " + named + ".claim: expected a non-empty string";
      return result;
    }
    r.claim = *claim;
    if (const toml::node* wn = t->get("wordings")) {
      const auto* words = wn->as_array();
      if (words == nullptr) {
        error = where(source_name, wn) + ": " + named + ".wordings: expected an array of strings";
        return result;
      }
      for (const auto& w : *words) {
        const auto* s = w.as_string();
        if (s == nullptr || s->get().empty()) {
          error = where(source_name, &w) + ": " + named + ".wordings: expected non-empty strings";
          return result;
        }
        r.wordings.push_back(s->get());
      }
    }
    const auto correction = read_string(*t, "correction", source_name, named, error);
    if (error) return result;
    if (correction && !correction->empty()) {
      r.correction = *correction;
    } else {
      r.correction = correction_template;
      replace_all(r.correction, "{claim}", r.claim);
      replace_all(r.correction, "{municipality}", options.municipality);
    }
    const auto url = read_string(*t, "correction_url", source_name, named, error);
    if (error) return result;
    if (url && !url->empty()) {
      if (url->rfind("https://", 0) != 0 && url->rfind("http://", 0) != 0) {
        error = where(source_name, t->get("correction_url")) + ": " + named +
                ".correction_url: expected an http:// or https:// URL";
        return result;
      }
      r.correction_url = *url;
    }
    result.rumours.push_back(std::move(r));
  }
  return result;
}

RumourFileResult load_rumour_file(const std::filesystem::path& path,
                                  const RumourFileOptions& options) {
  RumourFileResult result;
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    result.error = path.string() + ": cannot read: " + ec.message();
    return result;
  }
  if (size > kMaxFileBytes) {
    result.error = path.string() + ": file too large (" + std::to_string(size) +
                   " bytes; at most 8 MiB expected)";
    return result;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    result.error = path.string() + ": cannot open for reading";
    return result;
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_rumour_toml(text, path.string(), options);
}

}  // namespace mamori::detection
