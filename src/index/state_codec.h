// Encodes and decodes the index state file's payload (docs/formats/index-segments.md, "State
// payload"): everything but frozen postings.
#pragma once

#include <string>

#include "byte_io.h"
#include "index_state.h"
#include "segment_set.h"

namespace ward::index {

// Appends the whole state payload, the open segment of `segments` last.
void encodeState(const IndexState& state, const SegmentSet& segments, std::string& out);

// Reads every section before the open segment into `state` (which must be empty), leaving `r`
// at the open segment (SegmentSet::restore reads it). False if a section is malformed or
// inconsistent with the others.
bool decodeState(ByteReader& r, IndexState* state);

}  // namespace ward::index
