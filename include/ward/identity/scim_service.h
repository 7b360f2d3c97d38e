// The SCIM 2.0 service provider (RFC 7643 resources, RFC 7644 protocol) behind /scim/v2: Users
// and Groups as JSON in and out, PATCH operations, list filters and paging, and the discovery
// documents. It maps resources onto Ward principals through a ScimDirectory
// (docs/design/identity.md, "SCIM"). Stateless apart from the directory; thread-safe when the
// directory is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/identity/scim_directory.h"

namespace ward::identity {

// Limits (docs/design/identity.md, "SCIM"; the filter's own is kMaxScimFilterBytes).
inline constexpr size_t kMaxScimBodyBytes = 1 << 20;  // a request body, else 413
inline constexpr size_t kMaxScimMembersPerRequest =
    1000;                                               // members in one POST/PUT/PATCH, else 413
inline constexpr size_t kMaxScimPatchOperations = 100;  // Operations of one PATCH, else 413
inline constexpr int64_t kMaxScimPageSize = 200;        // a larger `count` is capped to it
inline constexpr int64_t kDefaultScimPageSize = 100;    // `count` when absent

inline constexpr std::string_view kScimUserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
inline constexpr std::string_view kScimGroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group";
inline constexpr std::string_view kScimErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error";
inline constexpr std::string_view kScimPatchOpSchema =
    "urn:ietf:params:scim:api:messages:2.0:PatchOp";
inline constexpr std::string_view kScimListSchema =
    "urn:ietf:params:scim:api:messages:2.0:ListResponse";

// RFC 7644 section 3.12's scimType values Ward returns (kNone: the error has none).
enum class ScimErrorType {
  kNone,
  kInvalidFilter,
  kUniqueness,
  kMutability,
  kInvalidSyntax,
  kInvalidPath,
  kNoTarget,
  kInvalidValue,
};
std::string_view scimErrorTypeName(ScimErrorType type);  // "" for kNone

// An operation's outcome: `body` when status is ok, else the error and its scimType. The HTTP
// status comes from the Status code (http/error_mapping.h).
struct ScimReply {
  Status status;
  ScimErrorType error_type = ScimErrorType::kNone;
  Json body;

  bool ok() const { return status.ok(); }
  static ScimReply of(Json body);
  static ScimReply fail(Status status, ScimErrorType type);
};

// Who calls and where the resources live (for meta.location: "<base_url>/Users/<id>").
struct ScimCall {
  std::string tenant;
  std::string base_url;  // e.g. "http://ward.example/scim/v2"
};

// The query parameters of a list, as sent ("" when absent).
struct ScimListParams {
  std::string filter;
  std::string start_index;
  std::string count;
  std::string excluded_attributes;  // "members" leaves Groups' members out
};

class ScimService {
 public:
  explicit ScimService(ScimDirectory& dir) : dir_(dir) {}

  ScimReply list(const ScimCall& call, ScimResourceType type, const ScimListParams& params);
  ScimReply get(const ScimCall& call, ScimResourceType type, const std::string& id,
                bool with_members = true);
  ScimReply create(const ScimCall& call, ScimResourceType type, const Json& body);
  ScimReply replace(const ScimCall& call, ScimResourceType type, const std::string& id,
                    const Json& body);
  ScimReply patch(const ScimCall& call, ScimResourceType type, const std::string& id,
                  const Json& body);
  ScimReply remove(const ScimCall& call, ScimResourceType type, const std::string& id);

  // Discovery documents (RFC 7644 section 4), describing exactly what this service supports.
  static Json serviceProviderConfig(const std::string& base_url);
  static Json resourceTypes(const std::string& base_url);
  static Json schemas(const std::string& base_url);

 private:
  ScimDirectory& dir_;
};

// The Ward principal name for a userName or group displayName: every character outside
// [A-Za-z0-9._@-] becomes '_', a leading '.' or '-' becomes '_', cut to 64 characters
// (validateName). InvalidArgument for an empty name.
Result<std::string> scimPrincipalName(std::string_view name);

}  // namespace ward::identity
