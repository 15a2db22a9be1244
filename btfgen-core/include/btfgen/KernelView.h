//===- KernelView.h - The part of a kernel BTF that tailoring reads -*- C++ -*-===//
//
// A kernel's BTF is mostly about functions and variables: on Debian 6.1,
// 45,000 of its 100,600 types are FUNC, VAR, DATASEC and DECL_TAG records,
// and 31,000 more are the prototypes, pointers and modifiers only those
// refer to. CO-RE never looks at them. A relocation's candidates are the
// named types of the local type's kind (libbpf relo_core.c
// bpf_core_add_cands skips anonymous targets; cilium/ebpf btf/core.go looks
// targets up by name), a local type is never a FUNC, VAR, DATASEC or
// DECL_TAG, and matching, minimization and the load verdicts only follow
// references from a candidate. So the view keeps the named types of every
// other kind and all they refer to, and replaces each other record by an
// anonymous `const void` (12 bytes, no name, referring to void): every kept
// type keeps its ID (TYPE_ID_TARGET values are target IDs); string offsets
// may differ from the kernel's (only names are compared). libbpf 1.1.2's
// FIELD_SIGNED quirk
// reads the first word of the record after a type (CoreMatch.cpp,
// wordAfterType); where that record became a stub the word was a name
// offset or 0 and is now 0, and both have a zero encoding byte (name offsets
// stay below 2^24), so even that answer is unchanged. Matching,
// minimization, the load verdicts and the report give the same answers and
// bytes on the view as on the full table (test/driver/archive-cache-view.test
// checks this on the whole corpus; KernelViewTest the rules).
//
// The driver's kernel cache stores the view (docs/benchmarks.md, "Cache
// design") in a compact form, writeKernelView(): nine in ten of a view's
// records are stubs, so it stores a bitmap of the kept IDs and the kept
// records alone, renumbered densely, as raw BTF with only the strings they
// name; readKernelView() validates that BTF with readBTF() and puts the
// stubs back in place. A cold run tailors on kernelView()'s table, a warm
// one on readKernelView()'s: the same records under the same IDs. The version string is part of the cache key, so a view that
// keeps more, or is stored otherwise, in a later release never meets an
// entry made by this one.
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_KERNELVIEW_H
#define BTFGEN_KERNELVIEW_H

#include "btfgen/TypeTable.h"

#include "llvm/ADT/BitVector.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBufferRef.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>

namespace btfgen {

/// Bumped whenever kernelView() keeps something else or the stored form
/// changes.
constexpr const char *KernelViewVersion = "kernel-view-3";

/// Whether the view replaces records of kind K by `const void`.
bool isDroppedFromView(Kind K);

/// Kernel with every record that is not a named type of a kept kind, nor
/// referred to by a kept record, replaced by an anonymous `const void`.
/// Kept records keep their IDs and contents; the string section is the
/// kernel's.
TypeTable kernelView(TypeTable Kernel);
/// The same, and Kept set to the IDs of the records kept (for the
/// KernelViewWriter that stores this view, which then need not find them).
TypeTable kernelView(TypeTable Kernel, llvm::BitVector &Kept);

/// The stored form of View (a kernelView() result; KernelView.cpp gives the
/// layout): every record but the stubs no record refers to, and the strings
/// those name. readKernelView(writeKernelView(V)) has V's records (names
/// equal, offsets into a smaller section), stubs and pointer size.
std::string writeKernelView(const TypeTable &View);

/// writeKernelView() in two steps, for a writer that streams: plan (what
/// is stored, the strings it keeps; size() is then known), then write.
/// View must outlive the writer.
class KernelViewWriter {
public:
  explicit KernelViewWriter(const TypeTable &View);
  /// View = kernelView(Kernel, Kept): the same plan, without a pass over
  /// every record to find what is stored (a debug build checks Kept).
  KernelViewWriter(const TypeTable &View, llvm::BitVector Kept);
  /// Store exactly the records Stored, those not in Real as stubs: a view
  /// of part of View (KernelBasis.h). Every reference of a Real record
  /// must be in Stored.
  KernelViewWriter(const TypeTable &View, llvm::BitVector Stored,
                   const llvm::BitVector &Real);
  ~KernelViewWriter();
  /// Bytes write() produces.
  uint64_t size() const;
  void write(llvm::raw_ostream &OS) const;

private:
  struct Plan;
  std::unique_ptr<Plan> P;
};

/// Read a stored view, checking everything as readBTF() does, and the
/// bitmap against the records. Errors are MalformedBTF naming Buf.
llvm::Expected<TypeTable> readKernelView(llvm::MemoryBufferRef Buf);

/// readKernelView over a stored view that arrives in pieces (a cache entry
/// as it is decompressed): the view's BTF goes to a BTFStreamReader as it
/// comes, so the stored form is never held whole beside the table it
/// becomes. finish() gives what readKernelView would over the
/// concatenation, however the input was split.
class KernelViewStreamReader {
public:
  /// Size: the stored view's total size, known up front.
  KernelViewStreamReader(llvm::StringRef Name, uint64_t Size);
  ~KernelViewStreamReader();
  KernelViewStreamReader(const KernelViewStreamReader &) = delete;
  KernelViewStreamReader &operator=(const KernelViewStreamReader &) = delete;

  void take(llvm::StringRef Bytes);
  /// After the last piece.
  llvm::Expected<TypeTable> finish();

private:
  struct Impl;
  std::unique_ptr<Impl> P;
};

} // namespace btfgen

#endif // BTFGEN_KERNELVIEW_H
