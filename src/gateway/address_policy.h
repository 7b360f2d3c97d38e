// The address policy moved to the net module (include/ward/net/address_policy.h), which model
// providers share; these names keep the gateway's code and tests unchanged.
#pragma once

#include "ward/net/address_policy.h"

namespace ward::gateway {

using net::addressText;
using net::classifyAddress;
using net::classifyAddressText;

}  // namespace ward::gateway
