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
  EXPECT_TRUE((*names)["secrets"].empty());
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

}  // namespace
}  // namespace ward::testing
