//===- JSONDocument.h - A compact read-only JSON tree -------------*- C++ -*-===//
//
// Private to the core: the manifest reader's JSON parser. llvm::json builds
// a json::Value tree whose every object is a hash map (64 buckets at
// least), which made a 20 MB manifest take 2.5 GB. A JSONDocument holds the
// parsed text as one array of 24-byte nodes in document order (a container
// is followed by its subtree, and knows where that ends), with object keys
// and strings as slices of the input text; only strings with escapes are
// decoded, into one arena. Memory is a small multiple of the input.
//
// Values are views (JSONValue, JSONArray, JSONObject) into the document,
// valid while it lives. Objects keep every member in document order, so a
// reader can tell duplicate keys (JSONObject::firstDuplicateKey). Numbers
// read as llvm::json reads them: integers as int64 (or uint64 past
// INT64_MAX), anything else as a double.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_LIB_JSONDOCUMENT_H
#define BTFGEN_LIB_JSONDOCUMENT_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace btfgen {

class JSONDocument;
class JSONArray;
class JSONObject;

/// One value of a JSONDocument.
class JSONValue {
public:
  std::optional<llvm::StringRef> getAsString() const;
  std::optional<bool> getAsBoolean() const;
  /// An integer, or a double with an integral value, that fits int64.
  std::optional<int64_t> getAsInteger() const;
  /// A non-negative integer that fits uint64.
  std::optional<uint64_t> getAsUINT64() const;
  std::optional<JSONArray> getAsArray() const;
  std::optional<JSONObject> getAsObject() const;

private:
  friend class JSONDocument;
  friend class JSONArray;
  friend class JSONObject;
  JSONValue(const JSONDocument &D, uint32_t I) : D(&D), I(I) {}
  const JSONDocument *D;
  uint32_t I; ///< node index
};

/// A JSON array: its elements in order (forward iteration).
class JSONArray {
public:
  class iterator {
  public:
    JSONValue operator*() const { return JSONValue(*D, I); }
    iterator &operator++();
    bool operator!=(const iterator &O) const { return I != O.I; }

  private:
    friend class JSONArray;
    iterator(const JSONDocument &D, uint32_t I) : D(&D), I(I) {}
    const JSONDocument *D;
    uint32_t I;
  };
  size_t size() const;
  iterator begin() const;
  iterator end() const;

private:
  friend class JSONValue;
  JSONArray(const JSONDocument &D, uint32_t I) : D(&D), I(I) {}
  const JSONDocument *D;
  uint32_t I;
};

/// A JSON object: its members in document order, duplicates included.
class JSONObject {
public:
  struct Member {
    llvm::StringRef Key;
    JSONValue Value;
  };
  class iterator {
  public:
    Member operator*() const;
    iterator &operator++();
    bool operator!=(const iterator &O) const { return I != O.I; }

  private:
    friend class JSONObject;
    iterator(const JSONDocument &D, uint32_t I) : D(&D), I(I) {}
    const JSONDocument *D;
    uint32_t I;
  };
  size_t size() const;
  iterator begin() const;
  iterator end() const;
  /// The first member named Key.
  std::optional<JSONValue> get(llvm::StringRef Key) const;
  /// A key that occurs more than once (the smallest), or std::nullopt.
  std::optional<llvm::StringRef> firstDuplicateKey() const;

private:
  friend class JSONValue;
  JSONObject(const JSONDocument &D, uint32_t I) : D(&D), I(I) {}
  const JSONDocument *D;
  uint32_t I;
};

class JSONDocument {
public:
  /// Parse Text (which must outlive the document). Errors are plain
  /// strings ("[3:10, byte=45]: expected ',' or ']' after an array
  /// element"), MaxDepth bounds the nesting of arrays and objects.
  static llvm::Expected<JSONDocument> parse(llvm::StringRef Text,
                                            unsigned MaxDepth);

  JSONValue root() const { return JSONValue(*this, 0); }

private:
  friend class JSONValue;
  friend class JSONArray;
  friend class JSONObject;
  friend class JSONParser;

  enum class NodeKind : uint8_t { Null, Bool, Int, UInt, Double, String,
                                  Array, Object };
  /// 24 bytes. Containers: Payload = subtree end (low 32 bits) and element
  /// count (high 32). Strings: offset (low) and length (high) into the text
  /// or, with StrInArena, into Arena. Numbers and booleans: the value bits.
  /// Object members carry their key the same way (KeyInArena).
  struct Node {
    uint64_t Payload = 0;
    uint32_t KeyOff = 0;
    uint32_t KeyLen = 0;
    NodeKind Kind = NodeKind::Null;
    bool StrInArena = false;
    bool KeyInArena = false;
  };

  uint32_t endOf(uint32_t I) const;
  uint32_t countOf(uint32_t I) const { return Nodes[I].Payload >> 32; }
  llvm::StringRef slice(uint32_t Off, uint32_t Len, bool InArena) const {
    return (InArena ? llvm::StringRef(Arena) : Text).substr(Off, Len);
  }
  llvm::StringRef keyOf(uint32_t I) const {
    return slice(Nodes[I].KeyOff, Nodes[I].KeyLen, Nodes[I].KeyInArena);
  }

  llvm::StringRef Text;
  std::vector<Node> Nodes;
  std::string Arena;
};

} // namespace btfgen

#endif // BTFGEN_LIB_JSONDOCUMENT_H
