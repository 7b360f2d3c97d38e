// Little-endian encoding for the persisted index (docs/formats/index-segments.md). The reader
// checks every bound: a short or inconsistent buffer sets a sticky failure flag instead of
// reading past the end, so a damaged file is reported, never trusted.
#pragma once

#include <roaring/roaring.hh>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace ward::index {

constexpr uint32_t kMaxPersistedString = 1u << 20;

class ByteWriter {
 public:
  explicit ByteWriter(std::string& out) : out_(out) {}
  template <typename T>
  void put(T v) {
    static_assert(std::is_integral_v<T>);
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));  // x86-64 and aarch64 are little-endian
    out_.append(b, sizeof(T));
  }
  template <typename T>
  void putArray(const T* data, size_t n) {
    out_.append(reinterpret_cast<const char*>(data), n * sizeof(T));
  }
  void putString(std::string_view s) {
    put<uint32_t>(static_cast<uint32_t>(s.size()));
    out_.append(s.data(), s.size());
  }
  void putBitmap(const Roaring& r) {
    const size_t n = r.getSizeInBytes(true);
    put<uint32_t>(static_cast<uint32_t>(n));
    const size_t at = out_.size();
    out_.resize(at + n);
    r.write(out_.data() + at, true);
  }

 private:
  std::string& out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view data) : data_(data) {}
  bool ok() const { return ok_; }
  bool atEnd() const { return pos_ == data_.size(); }
  size_t remaining() const { return data_.size() - pos_; }

  template <typename T>
  T get() {
    static_assert(std::is_integral_v<T>);
    T v{};
    if (!need(sizeof(T))) return v;
    std::memcpy(&v, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  // Reads n elements into `out` (resized); fails without allocating if the buffer is short.
  template <typename T>
  void getArray(std::vector<T>& out, uint64_t n) {
    if (n > remaining() / sizeof(T) || !need(n * sizeof(T))) {
      ok_ = false;
      return;
    }
    out.resize(n);
    if (n) std::memcpy(out.data(), data_.data() + pos_, n * sizeof(T));
    pos_ += n * sizeof(T);
  }
  std::string getString() {
    const uint32_t n = get<uint32_t>();
    if (n > kMaxPersistedString || !need(n)) {
      ok_ = false;
      return {};
    }
    std::string s(data_.data() + pos_, n);
    pos_ += n;
    return s;
  }
  Roaring getBitmap() {
    const uint32_t n = get<uint32_t>();
    if (!need(n)) return Roaring();
    try {
      Roaring r = Roaring::readSafe(data_.data() + pos_, n);
      if (r.getSizeInBytes(true) != n) ok_ = false;
      pos_ += n;
      return r;
    } catch (const std::exception&) {  // CRoaring throws on malformed input
      ok_ = false;
      return Roaring();
    }
  }
  // A count of items each at least `min_bytes` long: fails if they cannot all fit.
  uint32_t getCount(size_t min_bytes) {
    const uint32_t n = get<uint32_t>();
    if (min_bytes && n > remaining() / min_bytes) ok_ = false;
    return ok_ ? n : 0;
  }
  void fail() { ok_ = false; }

 private:
  bool need(uint64_t n) {
    if (!ok_ || n > data_.size() - pos_) {
      ok_ = false;
      return false;
    }
    return true;
  }
  std::string_view data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace ward::index
