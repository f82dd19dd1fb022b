#include "playbooks/engine/template.h"

#include <algorithm>

#include "model/text.h"
#include "playbooks/engine/utf8.h"

namespace mamori::playbooks {

// --- Value --------------------------------------------------------------------------------------

Value Value::of_flag(bool b) {
  Value v;
  v.kind = Kind::flag;
  v.flag = b;
  return v;
}

Value Value::list() {
  Value v;
  v.kind = Kind::list;
  return v;
}

Value Value::table() {
  Value v;
  v.kind = Kind::table;
  return v;
}

Value& Value::set(std::string name, Value v) {
  kind = Kind::table;
  fields.insert_or_assign(std::move(name), std::move(v));
  return *this;
}

Value& Value::push(Value v) {
  kind = Kind::list;
  items.push_back(std::move(v));
  return *this;
}

const Value* Value::get(std::string_view name) const {
  if (kind != Kind::table) return nullptr;
  const auto it = fields.find(name);
  return it == fields.end() ? nullptr : &it->second;
}

bool Value::truthy() const {
  switch (kind) {
    case Kind::text:
      return !text.empty();
    case Kind::flag:
      return flag;
    case Kind::list:
      return !items.empty();
    case Kind::table:
      return true;
  }
  return false;
}

// --- escaping -----------------------------------------------------------------------------------

namespace {

// Characters that have no business in a drafted document and can mislead a reader: C0/C1
// controls (except tab and newline), and the bidi embedding/override/isolate controls that can
// make "moc.ytic" read as "city.com" (Trojan Source style).
bool dropped(char32_t cp) {
  if (cp == '\n' || cp == '\t') return false;
  if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return true;
  if (cp >= 0x202A && cp <= 0x202E) return true;
  if (cp >= 0x2066 && cp <= 0x2069) return true;
  if (cp == 0x200E || cp == 0x200F || cp == 0x061C) return true;
  return false;
}

}  // namespace

std::string escape_value(std::string_view value, Escaping escaping) {
  std::string out;
  out.reserve(value.size());
  std::size_t pos = 0;
  while (pos < value.size()) {
    const char32_t cp = utf8::next(value, pos);
    if (cp == '\r') {
      // CRLF and lone CR become LF; a lone CR would otherwise be dropped as a control.
      if (pos < value.size() && value[pos] == '\n') continue;
      out.push_back('\n');
      continue;
    }
    if (dropped(cp)) continue;
    if (escaping == Escaping::html) {
      switch (cp) {
        case '&':
          out += "&amp;";
          continue;
        case '<':
          out += "&lt;";
          continue;
        case '>':
          out += "&gt;";
          continue;
        case '"':
          out += "&quot;";
          continue;
        case '\'':
          out += "&#39;";
          continue;
        default:
          break;
      }
    }
    utf8::append(out, cp);
  }
  return out;
}

// --- parsing ------------------------------------------------------------------------------------

namespace {

struct Token {
  enum class Kind { text, variable, open, inverted, close, comment };
  Kind kind = Kind::text;
  std::string_view text;  // literal text, or the trimmed tag name
  std::size_t offset = 0;
  // For text tokens: the part kept after standalone-line trimming.
  std::size_t keep_begin = 0;
  std::size_t keep_end = 0;
};

void position_of(std::string_view src, std::size_t offset, int& line, int& column) {
  line = 1;
  column = 1;
  std::size_t pos = 0;
  while (pos < offset && pos < src.size()) {
    const char32_t cp = utf8::next(src, pos);
    if (cp == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
}

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

bool valid_name(std::string_view name) {
  if (name == ".") return true;
  if (name.empty() || name.front() == '.' || name.back() == '.') return false;
  char prev = 0;
  for (char c : name) {
    const bool word =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!word && c != '.') return false;
    if (c == '.' && prev == '.') return false;
    prev = c;
  }
  return true;
}

bool tokenize(std::string_view src, std::vector<Token>& tokens, TemplateError* error) {
  std::size_t pos = 0;
  const auto fail = [&](std::size_t at, std::string message) {
    if (error != nullptr) {
      position_of(src, at, error->line, error->column);
      error->message = std::move(message);
    }
    return false;
  };
  while (pos < src.size()) {
    const std::size_t open = src.find("{{", pos);
    if (open == std::string_view::npos) {
      tokens.push_back({Token::Kind::text, src.substr(pos), pos, 0, src.size() - pos});
      break;
    }
    if (open > pos) {
      tokens.push_back({Token::Kind::text, src.substr(pos, open - pos), pos, 0, open - pos});
    }
    const std::size_t close = src.find("}}", open + 2);
    if (close == std::string_view::npos) return fail(open, "'{{' が '}}' で閉じられていません");
    std::string_view inner = src.substr(open + 2, close - open - 2);
    if (inner.find("{{") != std::string_view::npos) {
      return fail(open, "'{{' が '}}' で閉じられていません");
    }
    Token t;
    t.offset = open;
    if (!inner.empty() && inner.front() == '!') {
      t.kind = Token::Kind::comment;
    } else {
      if (!inner.empty() &&
          (inner.front() == '#' || inner.front() == '^' || inner.front() == '/')) {
        t.kind = inner.front() == '#'   ? Token::Kind::open
                 : inner.front() == '^' ? Token::Kind::inverted
                                        : Token::Kind::close;
        inner.remove_prefix(1);
      } else if (!inner.empty() && (inner.front() == '{' || inner.front() == '&' ||
                                    inner.front() == '>' || inner.front() == '=')) {
        return fail(
            open, "'{{" + std::string(1, inner.front()) +
                      "' は使えません（エスケープなし出力・部分テンプレート・区切り変更は非対応）");
      } else {
        t.kind = Token::Kind::variable;
      }
      t.text = model::trim_blanks(inner);
      if (!valid_name(t.text)) {
        return fail(open, "変数名 '" + std::string(t.text) +
                              "' が不正です（英数字と _ を . でつないだ名前）");
      }
    }
    tokens.push_back(t);
    pos = close + 2;
  }
  return true;
}

// A section/comment tag alone on its line takes the line (its indentation and newline) with it.
void trim_standalone(std::vector<Token>& tokens) {
  struct Cut {
    std::size_t index;
    bool prev;
    bool next;
  };
  std::vector<Cut> cuts;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const auto kind = tokens[i].kind;
    if (kind == Token::Kind::text || kind == Token::Kind::variable) continue;
    bool line_start = false;
    bool has_prev_text = false;
    if (i == 0) {
      line_start = true;
    } else if (tokens[i - 1].kind == Token::Kind::text) {
      has_prev_text = true;
      const std::string_view t = tokens[i - 1].text;
      const std::size_t nl = t.rfind('\n');
      if (nl != std::string_view::npos) {
        line_start = is_blank(t.substr(nl + 1));
      } else {
        line_start = i - 1 == 0 && is_blank(t);
      }
    }
    if (!line_start) continue;
    bool line_end = false;
    bool has_next_text = false;
    if (i + 1 == tokens.size()) {
      line_end = true;
    } else if (tokens[i + 1].kind == Token::Kind::text) {
      has_next_text = true;
      const std::string_view t = tokens[i + 1].text;
      const std::size_t nl = t.find('\n');
      if (nl != std::string_view::npos) {
        std::string_view head = t.substr(0, nl);
        if (!head.empty() && head.back() == '\r') head.remove_suffix(1);
        line_end = is_blank(head);
      } else {
        line_end = i + 2 == tokens.size() && is_blank(t);
      }
    }
    if (line_end) cuts.push_back({i, has_prev_text, has_next_text});
  }
  for (const auto& cut : cuts) {
    if (cut.prev) {
      Token& p = tokens[cut.index - 1];
      const std::size_t nl = p.text.rfind('\n');
      const std::size_t end = nl == std::string_view::npos ? 0 : nl + 1;
      p.keep_end = std::min(p.keep_end, end);
    }
    if (cut.next) {
      Token& n = tokens[cut.index + 1];
      const std::size_t nl = n.text.find('\n');
      const std::size_t begin = nl == std::string_view::npos ? n.text.size() : nl + 1;
      n.keep_begin = std::max(n.keep_begin, begin);
    }
  }
}

}  // namespace

std::shared_ptr<const Template> Template::parse(std::string_view source, TemplateError* error) {
  if (source.size() > kMaxBytes) {
    if (error != nullptr) {
      *error = {1, 1, "テンプレートが大きすぎます（" + std::to_string(kMaxBytes) + " バイトまで）"};
    }
    return nullptr;
  }
  std::vector<Token> tokens;
  if (!tokenize(source, tokens, error)) return nullptr;
  trim_standalone(tokens);

  auto result = std::make_shared<Template>();
  // Stack of open sections: the node list being filled and the section's token.
  std::vector<std::vector<Node>*> stack{&result->nodes_};
  std::vector<const Token*> open_tokens;
  for (const Token& t : tokens) {
    Node node;
    position_of(source, t.offset, node.line, node.column);
    switch (t.kind) {
      case Token::Kind::comment:
        break;
      case Token::Kind::text:
        if (t.keep_end > t.keep_begin) {
          node.kind = Node::Kind::text;
          node.text = std::string(t.text.substr(t.keep_begin, t.keep_end - t.keep_begin));
          stack.back()->push_back(std::move(node));
        }
        break;
      case Token::Kind::variable:
        node.kind = Node::Kind::variable;
        node.text = std::string(t.text);
        stack.back()->push_back(std::move(node));
        break;
      case Token::Kind::open:
      case Token::Kind::inverted:
        if (t.text == ".") {
          if (error != nullptr) {
            *error = {node.line, node.column, "'.' はセクション名に使えません"};
          }
          return nullptr;
        }
        if (static_cast<int>(open_tokens.size()) >= kMaxDepth) {
          if (error != nullptr) {
            *error = {node.line, node.column,
                      "セクションの入れ子が深すぎます（" + std::to_string(kMaxDepth) + " 段まで）"};
          }
          return nullptr;
        }
        node.kind = t.kind == Token::Kind::open ? Node::Kind::section : Node::Kind::inverted;
        node.text = std::string(t.text);
        stack.back()->push_back(std::move(node));
        stack.push_back(&stack.back()->back().children);
        open_tokens.push_back(&t);
        break;
      case Token::Kind::close:
        if (open_tokens.empty()) {
          if (error != nullptr) {
            *error = {node.line, node.column,
                      "'{{/" + std::string(t.text) + "}}' に対応する開始タグがありません"};
          }
          return nullptr;
        }
        if (open_tokens.back()->text != t.text) {
          if (error != nullptr) {
            *error = {node.line, node.column,
                      "'{{/" + std::string(t.text) + "}}' は '{{#" +
                          std::string(open_tokens.back()->text) + "}}' を閉じていません"};
          }
          return nullptr;
        }
        open_tokens.pop_back();
        stack.pop_back();
        break;
    }
  }
  if (!open_tokens.empty()) {
    if (error != nullptr) {
      int line = 0;
      int column = 0;
      position_of(source, open_tokens.back()->offset, line, column);
      *error = {line, column,
                "セクション '" + std::string(open_tokens.back()->text) + "' が閉じられていません"};
    }
    return nullptr;
  }
  return result;
}

// --- rendering ----------------------------------------------------------------------------------

namespace {

// Resolves a possibly dotted name against the scope stack (innermost first, as Mustache does).
const Value* lookup(const std::vector<const Value*>& scopes, std::string_view name) {
  if (name == ".") return scopes.back();
  const std::size_t dot = name.find('.');
  const std::string_view head = name.substr(0, dot);
  const Value* found = nullptr;
  for (auto it = scopes.rbegin(); it != scopes.rend(); ++it) {
    if (const Value* v = (*it)->get(head); v != nullptr) {
      found = v;
      break;
    }
  }
  if (found == nullptr || dot == std::string_view::npos) return found;
  std::string_view rest = name.substr(dot + 1);
  while (found != nullptr && !rest.empty()) {
    const std::size_t d = rest.find('.');
    found = found->get(rest.substr(0, d));
    rest = d == std::string_view::npos ? std::string_view{} : rest.substr(d + 1);
  }
  return found;
}

void render_nodes(const std::vector<Template::Node>& nodes, std::vector<const Value*>& scopes,
                  Escaping escaping, std::string& out) {
  for (const auto& node : nodes) {
    switch (node.kind) {
      case Template::Node::Kind::text:
        out += node.text;
        break;
      case Template::Node::Kind::variable: {
        const Value* v = lookup(scopes, node.text);
        if (v != nullptr && v->kind == Value::Kind::text) out += escape_value(v->text, escaping);
        break;
      }
      case Template::Node::Kind::section: {
        const Value* v = lookup(scopes, node.text);
        if (v == nullptr || !v->truthy()) break;
        if (v->kind == Value::Kind::list) {
          for (const Value& item : v->items) {
            scopes.push_back(&item);
            render_nodes(node.children, scopes, escaping, out);
            scopes.pop_back();
          }
        } else {
          scopes.push_back(v);
          render_nodes(node.children, scopes, escaping, out);
          scopes.pop_back();
        }
        break;
      }
      case Template::Node::Kind::inverted: {
        const Value* v = lookup(scopes, node.text);
        if (v == nullptr || !v->truthy()) render_nodes(node.children, scopes, escaping, out);
        break;
      }
    }
  }
}

// --- checking -----------------------------------------------------------------------------------

void check_nodes(const std::vector<Template::Node>& nodes, const TemplateSchema& schema,
                 std::vector<const TemplateVariable*>& lists, std::vector<TemplateError>& errors) {
  for (const auto& node : nodes) {
    if (node.kind == Template::Node::Kind::text) continue;
    const std::string& name = node.text;
    const TemplateVariable* item_of = lists.empty() ? nullptr : lists.back();
    const TemplateVariable* var = nullptr;
    if (name == ".") {
      if (item_of == nullptr || item_of->kind != TemplateVariable::Kind::text_list) {
        errors.push_back(
            {node.line, node.column, "'{{.}}' は文字列のリストのセクション内でのみ使えます"});
      }
    } else if (item_of != nullptr && item_of->kind == TemplateVariable::Kind::table_list &&
               std::find(item_of->fields.begin(), item_of->fields.end(), name) !=
                   item_of->fields.end()) {
      // A field of the current list item.
    } else if (const auto it = schema.find(name); it != schema.end()) {
      var = &it->second;
    } else {
      std::string known;
      if (item_of != nullptr && item_of->kind == TemplateVariable::Kind::table_list) {
        for (const auto& f : item_of->fields) known += (known.empty() ? "" : ", ") + f;
        errors.push_back({node.line, node.column,
                          "未知の変数 '" + name + "'（この繰り返しの中で使える項目: " + known +
                              "、または全体の変数）"});
      } else {
        errors.push_back({node.line, node.column, "未知の変数 '" + name + "'"});
      }
    }
    const bool is_list = var != nullptr && (var->kind == TemplateVariable::Kind::text_list ||
                                            var->kind == TemplateVariable::Kind::table_list);
    if (node.kind == Template::Node::Kind::variable) {
      if (is_list) {
        errors.push_back({node.line, node.column,
                          "'" + name + "' はリストです。{{#" + name + "}}…{{/" + name +
                              "}} で繰り返してください"});
      } else if (var != nullptr && var->kind == TemplateVariable::Kind::flag) {
        errors.push_back({node.line, node.column,
                          "'" + name + "' は真偽値です。{{#" + name + "}}…{{/" + name +
                              "}} で条件として使ってください"});
      }
      continue;
    }
    if (node.kind == Template::Node::Kind::section && is_list) {
      lists.push_back(var);
      check_nodes(node.children, schema, lists, errors);
      lists.pop_back();
    } else {
      check_nodes(node.children, schema, lists, errors);
    }
  }
}

}  // namespace

std::string Template::render(const Value& root, Escaping escaping) const {
  std::string out;
  std::vector<const Value*> scopes{&root};
  render_nodes(nodes_, scopes, escaping, out);
  return out;
}

std::vector<TemplateError> Template::check(const TemplateSchema& schema) const {
  std::vector<TemplateError> errors;
  std::vector<const TemplateVariable*> lists;
  check_nodes(nodes_, schema, lists, errors);
  return errors;
}

}  // namespace mamori::playbooks
