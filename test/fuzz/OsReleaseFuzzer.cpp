//===- OsReleaseFuzzer.cpp - libFuzzer target for btfgen_parse_os_release -===//
//
// Feeds arbitrary bytes to the runtime's os-release parser
// (runtime/src/probe.c). Besides "no crash, no undefined behaviour", checks
// what it promises: a status of 0 or BTFGEN_ETOOLONG (with the message),
// NUL-terminated fields within their arrays, a lowercase distro, and a
// round trip: the values written back single-quoted and double-quoted (with
// \ " $ ` escaped) parse to the same values.
//
//===----------------------------------------------------------------------===//

#include "btfgen/btfgen_runtime.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

[[noreturn]] void fail(const char *What, const std::string &Text) {
  std::fprintf(stderr, "OsReleaseFuzzer: %s\ninput (%zu bytes): %s\n", What,
               Text.size(), Text.c_str());
  std::abort();
}

bool terminated(const char *Field, size_t Size) {
  return std::memchr(Field, '\0', Size) != nullptr;
}

std::string doubleQuoted(const char *S) {
  std::string Out = "\"";
  for (const char *P = S; *P; ++P) {
    if (std::strchr("\\\"$`", *P))
      Out += '\\';
    Out += *P;
  }
  return Out + "\"";
}

/// Parses Text and checks it gives Distro and Version with status 0.
void expectRoundTrip(const std::string &Text, const btfgen_kernel_id &Want) {
  btfgen_kernel_id Id;
  std::memset(&Id, 0x55, sizeof(Id));
  int Rc = btfgen_parse_os_release(Text.data(), Text.size(), &Id, nullptr);
  if (Rc != 0 || std::strcmp(Id.distro, Want.distro) != 0 ||
      std::strcmp(Id.version, Want.version) != 0)
    fail("written-back values parse differently", Text);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  std::string Text(reinterpret_cast<const char *>(Data), Size);
  btfgen_kernel_id Id;
  std::memset(&Id, 0x55, sizeof(Id)); // no stale NULs to hide a bug
  btfgen_error Err{};
  int Rc = btfgen_parse_os_release(Size ? Text.data() : nullptr, Size, &Id,
                                   &Err);
  if (Rc != 0 && Rc != BTFGEN_ETOOLONG)
    fail("unexpected status", Text);
  if (Rc == BTFGEN_ETOOLONG &&
      (Err.code != Rc || !std::strstr(Err.message, "value longer than")))
    fail("ETOOLONG without its message", Text);
  if (!terminated(Id.distro, sizeof(Id.distro)) ||
      !terminated(Id.version, sizeof(Id.version)))
    fail("unterminated field", Text);
  for (const char *P = Id.distro; *P; ++P)
    if (*P >= 'A' && *P <= 'Z')
      fail("uppercase distro", Text);

  // Single quotes hold anything but ' (values never span lines).
  bool Plain = !std::strpbrk(Id.distro, "'\n") && !std::strpbrk(Id.version, "'\n");
  if (Plain)
    expectRoundTrip(std::string("ID='") + Id.distro + "'\nVERSION_ID='" +
                        Id.version + "'\n",
                    Id);
  if (!std::strchr(Id.distro, '\n') && !std::strchr(Id.version, '\n'))
    expectRoundTrip("# written back\n  VERSION_ID=" + doubleQuoted(Id.version) +
                        "\r\nID=" + doubleQuoted(Id.distro) + " # comment",
                    Id);
  return 0;
}
