// libFuzzer target: the configuration loader on arbitrary bytes. It must return diagnostics,
// never crash, hang or leak, and never echo a credential value.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "daemon/config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mamori::config::CredentialSource credentials;
  credentials.getenv = [](const std::string& name) -> std::optional<std::string> {
    if (name == "FUZZ_TOKEN") return std::string("secret-token-value");
    return std::nullopt;
  };
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto result = mamori::config::load_string(text, "fuzz.toml", credentials);
  if (!result.ok()) {
    const std::string errors = result.error_text();
    // The value may only show up in a diagnostic if the file itself contains it (as a key...).
    if (errors.find("secret-token-value") != std::string::npos &&
        text.find("secret-token-value") == std::string_view::npos) {
      __builtin_trap();
    }
  }
  return 0;
}
