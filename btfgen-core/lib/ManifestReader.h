//===- ManifestReader.h - Typed access to a manifest's JSON ------*- C++ -*-===//
//
// Private to the core: the accessors readManifest (Manifest.cpp) and the
// "code" reader (ManifestCode.cpp) share. Every accessor records the first
// error with the JSON path of the bad value ("types[3].members[1].type_id:
// 77 out of range"); later calls are no-ops.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_LIB_MANIFESTREADER_H
#define BTFGEN_LIB_MANIFESTREADER_H

#include "JSONDocument.h"

#include "btfgen/Errors.h"
#include "btfgen/Manifest.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/FormatVariadic.h"

#include <limits>
#include <optional>
#include <string>

namespace btfgen {

/// Typed accessors over one JSON object that build error messages with the
/// JSON path of the value ("types[3].members[1].type_id"). The first error
/// wins; later calls are no-ops, so callers can read a whole record and
/// check once.
class Reader {
public:
  Reader(llvm::StringRef Input, uint32_t NumTypes)
      : Input(Input), NumTypes(NumTypes) {}

  llvm::StringRef Input;
  uint32_t NumTypes;
  std::optional<std::string> Err;

  bool failed() const { return Err.has_value(); }

  void fail(const llvm::Twine &Path, const llvm::Twine &Msg) {
    if (!Err)
      Err = (Path + ": " + Msg).str();
  }

  llvm::Error takeError() {
    if (!Err)
      return llvm::Error::success();
    return malformed(Input, "{0}", *Err);
  }

  std::optional<JSONValue> get(const JSONObject &O, const llvm::Twine &Path,
                               llvm::StringRef Key) {
    std::optional<JSONValue> V = O.get(Key);
    if (!V)
      fail(Path + "." + Key, "missing");
    return V;
  }

  std::string str(const JSONObject &O, const llvm::Twine &Path, llvm::StringRef Key) {
    std::optional<JSONValue> V = get(O, Path, Key);
    if (!V)
      return {};
    std::optional<llvm::StringRef> S = V->getAsString();
    if (!S) {
      fail(Path + "." + Key, "expected a string");
      return {};
    }
    return S->str();
  }

  /// An integer in [Min, Max].
  int64_t integer(const JSONObject &O, const llvm::Twine &Path, llvm::StringRef Key,
                  int64_t Min, int64_t Max) {
    std::optional<JSONValue> V = get(O, Path, Key);
    if (!V)
      return 0;
    std::optional<int64_t> I = V->getAsInteger();
    if (!I) {
      fail(Path + "." + Key, "expected an integer");
      return 0;
    }
    if (*I < Min || *I > Max) {
      fail(Path + "." + Key,
           llvm::formatv("{0} out of range [{1}, {2}]", *I, Min, Max));
      return 0;
    }
    return *I;
  }

  uint32_t u32(const JSONObject &O, const llvm::Twine &Path, llvm::StringRef Key) {
    return static_cast<uint32_t>(
        integer(O, Path, Key, 0, std::numeric_limits<uint32_t>::max()));
  }

  /// An optional u32 in [0, Max], Default when absent.
  uint32_t optU32(const JSONObject &O, const llvm::Twine &Path, llvm::StringRef Key,
                  uint32_t Max, uint32_t Default) {
    if (!O.get(Key))
      return Default;
    return static_cast<uint32_t>(integer(O, Path, Key, 0, Max));
  }

  /// A type ID. Whether it names a type is checked by validateManifest;
  /// here only that it is one, with the same message.
  TypeId typeRef(const JSONObject &O, const llvm::Twine &Path, llvm::StringRef Key) {
    std::optional<JSONValue> V = get(O, Path, Key);
    if (!V)
      return 0;
    std::optional<int64_t> I = V->getAsInteger();
    if (!I) {
      fail(Path + "." + Key, "expected an integer");
      return 0;
    }
    if (*I < 0 || *I > std::numeric_limits<uint32_t>::max()) {
      fail(Path + "." + Key,
           llvm::formatv("{0} out of range (types {1})", *I, NumTypes));
      return 0;
    }
    return static_cast<TypeId>(*I);
  }

  std::optional<JSONArray> array(const JSONObject &O, const llvm::Twine &Path,
                                 llvm::StringRef Key) {
    std::optional<JSONValue> V = get(O, Path, Key);
    if (!V)
      return std::nullopt;
    std::optional<JSONArray> A = V->getAsArray();
    if (!A)
      fail(Path + "." + Key, "expected an array");
    return A;
  }

  /// V as an object whose keys are unique (llvm::json and many other
  /// readers silently keep the last of two equal keys; a manifest must not
  /// mean different things to different readers).
  std::optional<JSONObject> object(JSONValue V, const llvm::Twine &Path) {
    std::optional<JSONObject> O = V.getAsObject();
    if (!O) {
      fail(Path, "expected an object");
      return std::nullopt;
    }
    if (std::optional<llvm::StringRef> Dup = O->firstDuplicateKey())
      fail(Path + "." + boundedText(*Dup), "duplicate key");
    return O;
  }

  /// Rejects keys that are not in Allowed: a typo must not be ignored.
  void onlyKeys(const JSONObject &O, const llvm::Twine &Path,
                llvm::ArrayRef<llvm::StringRef> Allowed) {
    std::vector<llvm::StringRef> Keys;
    for (JSONObject::Member M : O)
      Keys.push_back(M.Key);
    llvm::sort(Keys);
    for (llvm::StringRef K : Keys)
      if (!llvm::is_contained(Allowed, K))
        fail(Path + "." + boundedText(K), "unknown key");
  }
};

/// Reads the "code" object of a version 2 manifest into M.Code; M's
/// types and relocations are read already (ManifestCode.cpp).
void readManifestCode(Reader &R, JSONValue V, Manifest &M);

/// Writes M.Code as the value of "code" (ManifestCode.cpp).
void writeManifestCode(const ProgramCode &C, llvm::raw_ostream &OS);

} // namespace btfgen

#endif // BTFGEN_LIB_MANIFESTREADER_H
