// TOTP secrets at rest: sealed with a key from the credentials, bound to the user's name.
#include "daemon/signin/totp_vault.h"

#include <gtest/gtest.h>

namespace mamori::signin {
namespace {

const config::Secret kKey("0123456789abcdef0123456789abcdef-totp");
const std::string kSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

TEST(TotpVault, SealedSecretsOpenOnlyWithTheKeyAndTheirUser) {
  const TotpVault vault(kKey);
  const std::string stored = vault.seal("jiro", kSecret);
  EXPECT_TRUE(TotpVault::is_sealed(stored));
  EXPECT_EQ(stored.find(kSecret), std::string::npos);
  EXPECT_NE(vault.seal("jiro", kSecret), stored);  // a fresh nonce each time
  EXPECT_EQ(vault.open("jiro", stored), kSecret);
  EXPECT_EQ(vault.open("hanako", stored), std::nullopt);  // copied to another user's row
  EXPECT_EQ(TotpVault(config::Secret("another-key-another-key-another-key")).open("jiro", stored),
            std::nullopt);
  EXPECT_EQ(TotpVault().open("jiro", stored), std::nullopt);  // the key is missing
  std::string altered = stored;
  altered[altered.size() / 2] = altered[altered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(vault.open("jiro", altered), std::nullopt);
  EXPECT_EQ(vault.open("jiro", "enc1:%%%"), std::nullopt);
  EXPECT_EQ(vault.open("jiro", "enc1:"), std::nullopt);
}

TEST(TotpVault, PlainSecretsFromBeforeTheKeyStillOpen) {
  EXPECT_EQ(TotpVault(kKey).open("jiro", kSecret), kSecret);
  EXPECT_EQ(TotpVault().seal("jiro", kSecret), kSecret);  // without a key: stored as before
  EXPECT_FALSE(TotpVault().has_key());
}

}  // namespace
}  // namespace mamori::signin
