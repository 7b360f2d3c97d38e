#include "ward/common/toml_file.h"

#include <filesystem>
#include <system_error>

namespace ward {

Result<toml::table> readTomlFile(const std::string& path, std::string_view label) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return toml::table{};
  try {
    return toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Status::invalidArgument(std::string(label) + ": " + std::string(e.description()) +
                                   " at line " + std::to_string(e.source().begin.line));
  }
}

Result<const toml::table*> tomlSection(const toml::table& root, std::string_view name) {
  const toml::node* node = root.get(name);
  if (node == nullptr) return static_cast<const toml::table*>(nullptr);
  const toml::table* t = node->as_table();
  if (t == nullptr) {
    return Status::invalidArgument("ward.toml: '" + std::string(name) + "' must be a table");
  }
  return t;
}

Result<std::vector<const toml::table*>> tomlArrayOfTables(const toml::table& root,
                                                          std::string_view name, size_t max) {
  std::vector<const toml::table*> out;
  const toml::node* node = root.get(name);
  if (node == nullptr) return out;
  const std::string n(name);
  const toml::array* list = node->as_array();
  if (list == nullptr) {
    return Status::invalidArgument("ward.toml: '" + n + "' must be an array of tables ([[" + n +
                                   "]])");
  }
  if (list->size() > max) {
    return Status::invalidArgument("ward.toml: at most " + std::to_string(max) + " " + n);
  }
  out.reserve(list->size());
  for (size_t i = 0; i < list->size(); ++i) {
    const toml::table* t = (*list)[i].as_table();
    if (t == nullptr) {
      return Status::invalidArgument("ward.toml: " + n + "[" + std::to_string(i) +
                                     "] must be a table");
    }
    out.push_back(t);
  }
  return out;
}

}  // namespace ward
