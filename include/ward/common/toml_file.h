// Reading ward.toml's sections: one home for what every module's loader does first.
//
// Each module reads its own sections of ward.toml (config.h, the gateway's untrusted gate, models,
// budgets, upstreams, sources, alerts, the store URL, answers). They share the reading and the
// shape checks here, so a syntax error or a section of the wrong shape reads the same whatever
// section it is in.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <vector>

#include "ward/common/status.h"

namespace ward {

// Parses a TOML file. A file that does not exist is an empty table (every section keeps its
// defaults); a syntax error is InvalidArgument "<label>: <what> at line N".
Result<toml::table> readTomlFile(const std::string& path, std::string_view label = "ward.toml");

// The table `[name]` of `root`: nullptr when absent; InvalidArgument "ward.toml: 'name' must be a
// table" when it is something else.
Result<const toml::table*> tomlSection(const toml::table& root, std::string_view name);

// The tables of `[[name]]`, in order: none when absent; InvalidArgument when it is not an array
// ("'name' must be an array of tables ([[name]])"), has more than `max` entries ("at most MAX
// name"), or an entry is not a table ("name[i] must be a table").
Result<std::vector<const toml::table*>> tomlArrayOfTables(const toml::table& root,
                                                          std::string_view name, size_t max);

}  // namespace ward
