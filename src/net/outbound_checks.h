// Private to src/net: the checks every outbound request passes before a byte leaves, shared by
// send() (libcurl, http_client.cc) and sendKeepAlive() (keep_alive_client.cc).
#pragma once

#include <string>

#include "ward/net/http_client.h"

namespace ward::net::internal {

// The first resolved address of `t` that the request's reach allows, as numeric text;
// PermissionDenied naming the refused address and the request's refusal_hint.
Result<std::string> resolveChecked(const Origin& t, const OutboundRequest& req);
// InvalidArgument for a header name or value with CR or LF, or a name with ':' or empty.
Status checkHeaders(const OutboundRequest& req);

}  // namespace ward::net::internal
