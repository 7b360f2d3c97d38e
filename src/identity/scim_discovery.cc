// The discovery documents of RFC 7644 section 4 (ServiceProviderConfig, ResourceTypes, Schemas),
// stating what ScimService really supports: PATCH and filters yes; bulk, sorting, ETags and
// password changes no (docs/design/identity.md, "SCIM").
#include "ward/identity/scim_service.h"

namespace ward::identity {

namespace {

Json attribute(const char* name, const char* type, bool required, const char* mutability,
               const char* uniqueness = "none", bool case_exact = false) {
  return {{"name", name},
          {"type", type},
          {"multiValued", false},
          {"required", required},
          {"caseExact", case_exact},
          {"mutability", mutability},
          {"returned", "default"},
          {"uniqueness", uniqueness}};
}

Json meta(const std::string& base_url, const std::string& type, const std::string& path) {
  return {{"resourceType", type}, {"location", base_url + path}};
}

}  // namespace

Json ScimService::serviceProviderConfig(const std::string& base_url) {
  return {{"schemas", Json::array({"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"})},
          {"patch", {{"supported", true}}},
          {"bulk", {{"supported", false}, {"maxOperations", 0}, {"maxPayloadSize", 0}}},
          {"filter", {{"supported", true}, {"maxResults", kMaxScimPageSize}}},
          {"changePassword", {{"supported", false}}},
          {"sort", {{"supported", false}}},
          {"etag", {{"supported", false}}},
          {"authenticationSchemes",
           Json::array({{{"type", "oauthbearertoken"},
                         {"name", "Ward API key"},
                         {"description",
                          "Authorization: Bearer wk_... of a principal holding the scim role"},
                         {"primary", true}}})},
          {"meta", meta(base_url, "ServiceProviderConfig", "/ServiceProviderConfig")}};
}

Json ScimService::resourceTypes(const std::string& base_url) {
  Json user = {{"schemas", Json::array({"urn:ietf:params:scim:schemas:core:2.0:ResourceType"})},
               {"id", "User"},
               {"name", "User"},
               {"endpoint", "/Users"},
               {"schema", std::string(kScimUserSchema)},
               {"meta", meta(base_url, "ResourceType", "/ResourceTypes/User")}};
  Json group = {{"schemas", Json::array({"urn:ietf:params:scim:schemas:core:2.0:ResourceType"})},
                {"id", "Group"},
                {"name", "Group"},
                {"endpoint", "/Groups"},
                {"schema", std::string(kScimGroupSchema)},
                {"meta", meta(base_url, "ResourceType", "/ResourceTypes/Group")}};
  return {{"schemas", Json::array({std::string(kScimListSchema)})},
          {"totalResults", 2},
          {"itemsPerPage", 2},
          {"startIndex", 1},
          {"Resources", Json::array({user, group})}};
}

Json ScimService::schemas(const std::string& base_url) {
  Json member = attribute("members", "complex", false, "readWrite");
  member["multiValued"] = true;
  member["subAttributes"] = Json::array({attribute("value", "string", true, "immutable"),
                                         attribute("display", "string", false, "readOnly"),
                                         attribute("type", "string", false, "immutable")});
  Json user = {
      {"schemas", Json::array({"urn:ietf:params:scim:schemas:core:2.0:Schema"})},
      {"id", std::string(kScimUserSchema)},
      {"name", "User"},
      {"description", "A Ward user principal"},
      {"attributes", Json::array({attribute("userName", "string", true, "readWrite", "server"),
                                  attribute("externalId", "string", false, "readWrite"),
                                  attribute("active", "boolean", false, "readWrite"),
                                  attribute("displayName", "string", false, "readWrite")})},
      {"meta", meta(base_url, "Schema", "/Schemas/" + std::string(kScimUserSchema))}};
  Json group = {
      {"schemas", Json::array({"urn:ietf:params:scim:schemas:core:2.0:Schema"})},
      {"id", std::string(kScimGroupSchema)},
      {"name", "Group"},
      {"description", "A Ward group principal"},
      {"attributes", Json::array({attribute("displayName", "string", true, "readWrite", "server"),
                                  attribute("externalId", "string", false, "readWrite"), member})},
      {"meta", meta(base_url, "Schema", "/Schemas/" + std::string(kScimGroupSchema))}};
  return {{"schemas", Json::array({std::string(kScimListSchema)})},
          {"totalResults", 2},
          {"itemsPerPage", 2},
          {"startIndex", 1},
          {"Resources", Json::array({user, group})}};
}

}  // namespace ward::identity
