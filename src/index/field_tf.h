// Term frequencies of one posting, by field.
#pragma once

#include <cstdint>

namespace ward::index {

// Saturating: body up to 255, title and headings up to 15 (they share one byte on disk and in
// frozen segments).
struct FieldTf {
  uint8_t body = 0;
  uint8_t title = 0;
  uint8_t heading = 0;
};

}  // namespace ward::index
