//===- Vectors.h - Reader of the shared runtime test vectors ----*- C++ -*-===//
//
// The C library and the Go package (runtime/go) are checked against the
// same cases, kept in test/unit-runtime/vectors/*.txt. This reads that
// line-based format (vectors/README.md): `[KIND NAME]` records of `KEY:
// VALUE` fields, some of them escaped (\n \r \t \\ \xHH). The Go twin is
// runtime/go/vectors_test.go.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_TEST_UNIT_RUNTIME_VECTORS_H
#define BTFGEN_TEST_UNIT_RUNTIME_VECTORS_H

#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace btfgen_test {

struct VectorRecord {
  std::string Kind, Name;
  int Line = 0; // of the [KIND NAME] header, for messages
  std::vector<std::pair<std::string, std::string>> Fields;

  std::vector<std::string> all(const std::string &Key) const {
    std::vector<std::string> Out;
    for (const auto &F : Fields)
      if (F.first == Key)
        Out.push_back(F.second);
    return Out;
  }
  bool has(const std::string &Key) const { return !all(Key).empty(); }
  /// The last value of Key, or Default.
  std::string get(const std::string &Key, const std::string &Default = "") const {
    std::vector<std::string> V = all(Key);
    return V.empty() ? Default : V.back();
  }
  std::string where() const {
    return "[" + Kind + " " + Name + "] (line " + std::to_string(Line) + ")";
  }
};

/// Decodes \n \r \t \\ \xHH; false on any other backslash.
inline bool unescapeVector(const std::string &In, std::string &Out) {
  Out.clear();
  for (size_t I = 0; I < In.size(); ++I) {
    if (In[I] != '\\') {
      Out += In[I];
      continue;
    }
    if (++I >= In.size())
      return false;
    switch (In[I]) {
    case 'n': Out += '\n'; break;
    case 'r': Out += '\r'; break;
    case 't': Out += '\t'; break;
    case '\\': Out += '\\'; break;
    case 'x': {
      if (I + 2 >= In.size())
        return false;
      std::string Hex = In.substr(I + 1, 2);
      if (Hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
        return false;
      Out += static_cast<char>(std::stoi(Hex, nullptr, 16));
      I += 2;
      break;
    }
    default:
      return false;
    }
  }
  return true;
}

/// Splits on single spaces into exactly N fields, the last taking the rest
/// of the line; false if there are fewer.
inline bool splitVector(const std::string &In, size_t N,
                        std::vector<std::string> &Out) {
  Out.clear();
  size_t Pos = 0;
  while (Out.size() + 1 < N) {
    size_t Sp = In.find(' ', Pos);
    if (Sp == std::string::npos)
      return false;
    Out.push_back(In.substr(Pos, Sp - Pos));
    Pos = Sp + 1;
  }
  Out.push_back(In.substr(Pos));
  return true;
}

/// Reads File; on a syntax error returns false and says where in Error.
inline bool readVectors(const std::string &File, std::vector<VectorRecord> &Out,
                        std::string &Error) {
  std::ifstream IS(File, std::ios::binary);
  if (!IS) {
    Error = File + ": cannot open";
    return false;
  }
  std::string Line;
  int No = 0;
  while (std::getline(IS, Line)) {
    ++No;
    if (Line.empty() || Line[0] == '#')
      continue;
    if (Line[0] == '[') {
      size_t Sp = Line.find(' '), End = Line.rfind(']');
      if (Sp == std::string::npos || End != Line.size() - 1 || End < Sp) {
        Error = File + ":" + std::to_string(No) + ": bad record header";
        return false;
      }
      VectorRecord R;
      R.Kind = Line.substr(1, Sp - 1);
      R.Name = Line.substr(Sp + 1, End - Sp - 1);
      R.Line = No;
      Out.push_back(std::move(R));
      continue;
    }
    size_t Colon = Line.find(':');
    if (Out.empty() || Colon == std::string::npos ||
        (Colon + 1 < Line.size() && Line[Colon + 1] != ' ')) {
      Error = File + ":" + std::to_string(No) + ": expected 'KEY: VALUE'";
      return false;
    }
    std::string Value = Colon + 2 <= Line.size() ? Line.substr(Colon + 2) : "";
    Out.back().Fields.emplace_back(Line.substr(0, Colon), Value);
  }
  return true;
}

} // namespace btfgen_test

#endif // BTFGEN_TEST_UNIT_RUNTIME_VECTORS_H
