// The tenant secrets store through the gateway: sealed at rest, read back, listed by name only,
// deleted (NotFound naming a missing one), and scoped to the tenant.
#include <gtest/gtest.h>

#include "gateway_env.h"

namespace ward::testing {
namespace {

TEST(GatewaySecrets, StoredSealedReadBackAndDeleted) {
  GatewayEnv env;
  ASSERT_TRUE(env.gateway->putSecret(env.tenant, "svc-token", "s3cret-value").ok());
  auto raw = env.tools->getSecret(env.tenant, "svc-token");
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->find("s3cret-value"), std::string::npos) << "stored in clear";
  auto value = env.gateway->secretValue(env.tenant, "svc-token");
  ASSERT_TRUE(value.ok()) << value.status().toString();
  EXPECT_EQ(*value, "s3cret-value");

  ASSERT_TRUE(env.gateway->deleteSecret(env.tenant, "svc-token").ok());
  auto names = env.gateway->listSecrets(env.tenant);
  ASSERT_TRUE(names.ok());
  EXPECT_TRUE(names->names.empty());
  EXPECT_EQ(env.gateway->secretValue(env.tenant, "svc-token").status().code(),
            StatusCode::kNotFound);
  Status again = env.gateway->deleteSecret(env.tenant, "svc-token");
  EXPECT_EQ(again.code(), StatusCode::kNotFound);
  EXPECT_NE(again.message().find("svc-token"), std::string::npos) << again.message();
}

TEST(GatewaySecrets, DeleteIsScopedToTheTenant) {
  GatewayEnv env;
  ASSERT_TRUE(env.store->ensureTenant("other").ok());
  ASSERT_TRUE(env.gateway->putSecret("other", "shared-name", "theirs").ok());
  EXPECT_EQ(env.gateway->deleteSecret(env.tenant, "shared-name").code(), StatusCode::kNotFound);
  auto theirs = env.gateway->secretValue("other", "shared-name");
  ASSERT_TRUE(theirs.ok());
  EXPECT_EQ(*theirs, "theirs");
}

TEST(GatewaySecrets, ABadNameIsRefusedBeforeTheStore) {
  GatewayEnv env;
  EXPECT_EQ(env.gateway->deleteSecret(env.tenant, "../x").code(), StatusCode::kInvalidArgument);
}

// The unsealed value is cached (a provider's API key is read on every model call), but the
// stored value is read every time: a secret replaced or deleted behind the gateway's back (by
// `ward secrets set` in another process) takes effect on the next read.
TEST(GatewaySecrets, AChangedSecretTakesEffectOnTheNextRead) {
  GatewayEnv env;
  ASSERT_TRUE(env.gateway->putSecret(env.tenant, "upstream_key", "first-value").ok());
  for (int i = 0; i < 2; ++i) {
    auto v = env.gateway->secretValue(env.tenant, "upstream_key");
    ASSERT_TRUE(v.ok()) << v.status().toString();
    EXPECT_EQ(*v, "first-value");
  }
  auto before = env.tools->getSecret(env.tenant, "upstream_key");
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(env.gateway->putSecret(env.tenant, "upstream_key", "second-value").ok());
  auto second_sealed = env.tools->getSecret(env.tenant, "upstream_key");
  ASSERT_TRUE(second_sealed.ok());
  // Put the first sealed value back directly in the store (as another process would write it):
  // the cache must follow the store, not what this gateway wrote last.
  ASSERT_TRUE(env.tools->putSecret(env.tenant, "upstream_key", *before).ok());
  auto v = env.gateway->secretValue(env.tenant, "upstream_key");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, "first-value");
  ASSERT_TRUE(env.tools->putSecret(env.tenant, "upstream_key", *second_sealed).ok());
  v = env.gateway->secretValue(env.tenant, "upstream_key");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, "second-value");
  // Deleted in the store: NotFound at once, never the cached plaintext.
  ASSERT_TRUE(env.tools->deleteSecret(env.tenant, "upstream_key").ok());
  EXPECT_EQ(env.gateway->secretValue(env.tenant, "upstream_key").status().code(),
            StatusCode::kNotFound);
  // A tampered stored value fails authentication even when a good one was cached.
  std::string tampered = *second_sealed;
  tampered.back() = tampered.back() == '0' ? '1' : '0';
  ASSERT_TRUE(env.tools->putSecret(env.tenant, "upstream_key", tampered).ok());
  EXPECT_EQ(env.gateway->secretValue(env.tenant, "upstream_key").status().code(),
            StatusCode::kCorruption);
}

}  // namespace
}  // namespace ward::testing
