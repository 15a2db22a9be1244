//===- JSONDocument.cpp - A compact read-only JSON tree -------------------===//
//
// A recursive-descent parser (RFC 8259 values; numbers as llvm::json reads
// them) that appends one node per value to JSONDocument::Nodes in document
// order. Recursion is bounded by MaxDepth, so hostile nesting cannot
// overflow the stack; the text is bounded to 4 GiB so offsets fit 32 bits.
//
//===----------------------------------------------------------------------===//

#include "JSONDocument.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

using namespace llvm;

namespace btfgen {

//===----------------------------------------------------------------------===//
// Views
//===----------------------------------------------------------------------===//

uint32_t JSONDocument::endOf(uint32_t I) const {
  const Node &N = Nodes[I];
  if (N.Kind == NodeKind::Array || N.Kind == NodeKind::Object)
    return uint32_t(N.Payload);
  return I + 1;
}

std::optional<StringRef> JSONValue::getAsString() const {
  const JSONDocument::Node &N = D->Nodes[I];
  if (N.Kind != JSONDocument::NodeKind::String)
    return std::nullopt;
  return D->slice(uint32_t(N.Payload), uint32_t(N.Payload >> 32),
                  N.StrInArena);
}

std::optional<bool> JSONValue::getAsBoolean() const {
  const JSONDocument::Node &N = D->Nodes[I];
  if (N.Kind != JSONDocument::NodeKind::Bool)
    return std::nullopt;
  return N.Payload != 0;
}

std::optional<int64_t> JSONValue::getAsInteger() const {
  const JSONDocument::Node &N = D->Nodes[I];
  switch (N.Kind) {
  case JSONDocument::NodeKind::Int:
    return int64_t(N.Payload);
  case JSONDocument::NodeKind::UInt:
    if (N.Payload <= uint64_t(std::numeric_limits<int64_t>::max()))
      return int64_t(N.Payload);
    return std::nullopt;
  case JSONDocument::NodeKind::Double: {
    double V;
    std::memcpy(&V, &N.Payload, sizeof V);
    double Int;
    // 2^63 is the first double past INT64_MAX.
    if (std::modf(V, &Int) == 0.0 && Int >= -9223372036854775808.0 &&
        Int < 9223372036854775808.0)
      return int64_t(Int);
    return std::nullopt;
  }
  default:
    return std::nullopt;
  }
}

std::optional<uint64_t> JSONValue::getAsUINT64() const {
  const JSONDocument::Node &N = D->Nodes[I];
  if (N.Kind == JSONDocument::NodeKind::UInt)
    return N.Payload;
  if (N.Kind == JSONDocument::NodeKind::Int && int64_t(N.Payload) >= 0)
    return N.Payload;
  return std::nullopt;
}

std::optional<JSONArray> JSONValue::getAsArray() const {
  if (D->Nodes[I].Kind != JSONDocument::NodeKind::Array)
    return std::nullopt;
  return JSONArray(*D, I);
}

std::optional<JSONObject> JSONValue::getAsObject() const {
  if (D->Nodes[I].Kind != JSONDocument::NodeKind::Object)
    return std::nullopt;
  return JSONObject(*D, I);
}

JSONArray::iterator &JSONArray::iterator::operator++() {
  I = D->endOf(I);
  return *this;
}
size_t JSONArray::size() const { return D->countOf(I); }
JSONArray::iterator JSONArray::begin() const { return iterator(*D, I + 1); }
JSONArray::iterator JSONArray::end() const {
  return iterator(*D, D->endOf(I));
}

JSONObject::Member JSONObject::iterator::operator*() const {
  return {D->keyOf(I), JSONValue(*D, I)};
}
JSONObject::iterator &JSONObject::iterator::operator++() {
  I = D->endOf(I);
  return *this;
}
size_t JSONObject::size() const { return D->countOf(I); }
JSONObject::iterator JSONObject::begin() const { return iterator(*D, I + 1); }
JSONObject::iterator JSONObject::end() const {
  return iterator(*D, D->endOf(I));
}

std::optional<JSONValue> JSONObject::get(StringRef Key) const {
  for (Member M : *this)
    if (M.Key == Key)
      return M.Value;
  return std::nullopt;
}

std::optional<StringRef> JSONObject::firstDuplicateKey() const {
  std::vector<StringRef> Keys;
  Keys.reserve(size());
  for (Member M : *this)
    Keys.push_back(M.Key);
  llvm::sort(Keys);
  auto It = std::adjacent_find(Keys.begin(), Keys.end());
  if (It == Keys.end())
    return std::nullopt;
  return *It;
}

//===----------------------------------------------------------------------===//
// Parser
//===----------------------------------------------------------------------===//

class JSONParser {
public:
  JSONParser(StringRef Text, unsigned MaxDepth, JSONDocument &D)
      : Text(Text), MaxDepth(MaxDepth), D(D) {}

  Error parse();

private:
  using Node = JSONDocument::Node;
  using NodeKind = JSONDocument::NodeKind;

  bool fail(const Twine &Msg) {
    if (!Err)
      Err = Msg.str();
    return false;
  }
  bool atEnd() const { return P >= Text.size(); }
  char peek() const { return atEnd() ? '\0' : Text[P]; }
  void skipSpace() {
    while (!atEnd() &&
           (Text[P] == ' ' || Text[P] == '\t' || Text[P] == '\n' ||
            Text[P] == '\r'))
      ++P;
  }
  bool parseValue(unsigned Depth, const Node &Key);
  bool parseContainer(unsigned Depth, uint32_t Idx, bool IsObject);
  bool parseString(uint32_t &Off, uint32_t &Len, bool &InArena);
  bool decodeEscaped(size_t Start);
  bool parseUnicodeEscape(uint32_t &CodePoint);
  bool parseNumber(Node &N);

  StringRef Text;
  size_t P = 0;
  unsigned MaxDepth;
  JSONDocument &D;
  std::optional<std::string> Err;
};

Error JSONParser::parse() {
  if (Text.size() > std::numeric_limits<uint32_t>::max())
    return createStringError(inconvertibleErrorCode(),
                             "document larger than 4 GiB");
  skipSpace();
  if (parseValue(0, Node())) {
    skipSpace();
    if (!atEnd())
      fail("text after the end of the document");
  }
  if (!Err)
    return Error::success();
  // Position as line:column (1-based), like llvm::json's messages.
  StringRef Before = Text.take_front(std::min(P, Text.size()));
  size_t Line = Before.count('\n') + 1;
  size_t Col = P - (Before.rfind('\n') == StringRef::npos
                        ? 0
                        : Before.rfind('\n') + 1) + 1;
  return createStringError(
      inconvertibleErrorCode(),
      formatv("[{0}:{1}, byte={2}]: {3}", Line, Col, P, *Err).str());
}

bool JSONParser::parseValue(unsigned Depth, const Node &Key) {
  uint32_t Idx = D.Nodes.size();
  D.Nodes.push_back(Key);
  switch (peek()) {
  case '{':
  case '[': {
    if (Depth + 1 > MaxDepth)
      return fail(formatv("nested deeper than {0} levels", MaxDepth));
    return parseContainer(Depth + 1, Idx, peek() == '{');
  }
  case '"': {
    uint32_t Off, Len;
    bool InArena;
    if (!parseString(Off, Len, InArena))
      return false;
    Node &N = D.Nodes[Idx];
    N.Kind = NodeKind::String;
    N.Payload = uint64_t(Len) << 32 | Off;
    N.StrInArena = InArena;
    return true;
  }
  case 't':
  case 'f':
  case 'n':
    for (StringRef Word : {"true", "false", "null"})
      if (Text.substr(P).starts_with(Word)) {
        P += Word.size();
        Node &N = D.Nodes[Idx];
        N.Kind = Word == "null" ? NodeKind::Null : NodeKind::Bool;
        N.Payload = Word == "true";
        return true;
      }
    return fail("invalid JSON value");
  default:
    return parseNumber(D.Nodes[Idx]);
  }
}

bool JSONParser::parseContainer(unsigned Depth, uint32_t Idx, bool IsObject) {
  D.Nodes[Idx].Kind = IsObject ? NodeKind::Object : NodeKind::Array;
  char Close = IsObject ? '}' : ']';
  ++P;
  skipSpace();
  uint32_t Count = 0;
  if (peek() == Close) {
    ++P;
  } else {
    for (;;) {
      Node Key;
      if (IsObject) {
        if (peek() != '"')
          return fail("expected an object key");
        if (!parseString(Key.KeyOff, Key.KeyLen, Key.KeyInArena))
          return false;
        skipSpace();
        if (peek() != ':')
          return fail("expected ':' after an object key");
        ++P;
        skipSpace();
      }
      if (!parseValue(Depth, Key))
        return false;
      ++Count;
      skipSpace();
      if (peek() == ',') {
        ++P;
        skipSpace();
        continue;
      }
      if (peek() == Close) {
        ++P;
        break;
      }
      return fail(IsObject ? "expected ',' or '}' after an object member"
                           : "expected ',' or ']' after an array element");
    }
  }
  D.Nodes[Idx].Payload = uint64_t(Count) << 32 | uint32_t(D.Nodes.size());
  return true;
}

bool JSONParser::parseString(uint32_t &Off, uint32_t &Len, bool &InArena) {
  ++P; // the opening quote
  size_t Start = P;
  while (!atEnd() && Text[P] != '"' && Text[P] != '\\' &&
         uint8_t(Text[P]) >= 0x20)
    ++P;
  if (atEnd())
    return fail("unterminated string");
  InArena = Text[P] == '\\';
  if (Text[P] != '"' && !InArena)
    return fail("control character in a string");
  if (InArena) {
    Off = D.Arena.size();
    if (!decodeEscaped(Start))
      return false;
    Len = D.Arena.size() - Off;
  } else {
    Off = Start;
    Len = P - Start;
  }
  if (!json::isUTF8(D.slice(Off, Len, InArena))) {
    P = Start - 1; // report the string's opening quote
    return fail("invalid UTF-8 in a string");
  }
  ++P; // the closing quote
  return true;
}

bool JSONParser::decodeEscaped(size_t Start) {
  // P is at the first backslash; copy what came before it, then decode.
  D.Arena.append(Text.data() + Start, P - Start);
  while (!atEnd() && Text[P] != '"') {
    char C = Text[P++];
    if (uint8_t(C) < 0x20)
      return fail("control character in a string");
    if (C != '\\') {
      D.Arena.push_back(C);
      continue;
    }
    if (atEnd())
      break;
    switch (char E = Text[P++]) {
    case '"':
    case '\\':
    case '/':
      D.Arena.push_back(E);
      break;
    case 'b':
      D.Arena.push_back('\b');
      break;
    case 'f':
      D.Arena.push_back('\f');
      break;
    case 'n':
      D.Arena.push_back('\n');
      break;
    case 'r':
      D.Arena.push_back('\r');
      break;
    case 't':
      D.Arena.push_back('\t');
      break;
    case 'u': {
      uint32_t CP;
      if (!parseUnicodeEscape(CP))
        return false;
      char Buf[UNI_MAX_UTF8_BYTES_PER_CODE_POINT];
      char *Out = Buf;
      if (!ConvertCodePointToUTF8(CP, Out))
        return fail("invalid \\u escape");
      D.Arena.append(Buf, Out - Buf);
      break;
    }
    default:
      return fail("invalid escape sequence");
    }
  }
  if (atEnd())
    return fail("unterminated string");
  return true;
}

bool JSONParser::parseUnicodeEscape(uint32_t &CodePoint) {
  // P is past "\u". A UTF-16 surrogate pair becomes one code point; a lone
  // surrogate becomes U+FFFD, as llvm::json decodes it.
  auto Hex4 = [&](uint32_t &V) {
    if (P + 4 > Text.size())
      return fail("truncated \\u escape");
    V = 0;
    for (char C : Text.substr(P, 4)) {
      unsigned Digit = llvm::hexDigitValue(C);
      if (Digit == ~0U)
        return fail("invalid \\u escape");
      V = V << 4 | Digit;
    }
    P += 4;
    return true;
  };
  if (!Hex4(CodePoint))
    return false;
  if (CodePoint >= 0xDC00 && CodePoint <= 0xDFFF) {
    CodePoint = 0xFFFD;
  } else if (CodePoint >= 0xD800 && CodePoint <= 0xDBFF) {
    uint32_t Low = 0;
    size_t Save = P;
    if (Text.substr(P).starts_with("\\u")) {
      P += 2;
      if (!Hex4(Low))
        return false;
    }
    if (Low >= 0xDC00 && Low <= 0xDFFF) {
      CodePoint = 0x10000 + ((CodePoint - 0xD800) << 10) + (Low - 0xDC00);
    } else {
      P = Save; // the next escape is decoded on its own
      CodePoint = 0xFFFD;
    }
  }
  return true;
}

bool JSONParser::parseNumber(Node &N) {
  // What llvm::json accepts: the characters a number can have, then all of
  // them as an int64, else (no sign) a uint64, else a double.
  size_t Start = P;
  while (!atEnd() && (isDigit(Text[P]) || Text[P] == '-' || Text[P] == '+' ||
                      Text[P] == '.' || Text[P] == 'e' || Text[P] == 'E'))
    ++P;
  StringRef S = Text.slice(Start, P);
  if (S.empty())
    return fail("invalid JSON value");
  if (S.find_first_of(".eE") == StringRef::npos) {
    int64_t I;
    if (!S.getAsInteger(10, I)) {
      N.Kind = NodeKind::Int;
      N.Payload = uint64_t(I);
      return true;
    }
    uint64_t U;
    if (S[0] != '-' && !S.getAsInteger(10, U)) {
      N.Kind = NodeKind::UInt;
      N.Payload = U;
      return true;
    }
  }
  std::string Copy = S.str();
  char *End = nullptr;
  double V = std::strtod(Copy.c_str(), &End);
  if (End != Copy.c_str() + Copy.size())
    return fail("invalid JSON value (number?)");
  N.Kind = NodeKind::Double;
  std::memcpy(&N.Payload, &V, sizeof V);
  return true;
}

Expected<JSONDocument> JSONDocument::parse(StringRef Text, unsigned MaxDepth) {
  JSONDocument D;
  D.Text = Text;
  if (Error E = JSONParser(Text, MaxDepth, D).parse())
    return std::move(E);
  return D;
}

} // namespace btfgen
