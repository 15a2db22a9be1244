//===- KernelBasis.h - The part of a kernel one tailoring read ---*- C++ -*-===//
//
// Tailoring a kernel for 43 libbpf-tools objects reads about 120 of the
// 14,000 records of its view (KernelView.h) and looks up 37 names: the
// candidates of each relocation's root, what matching walks through them,
// what the minimizer keeps. A kernel's basis is that part, recorded with a
// TableAccessLog while a tailoring runs on the view: the records read (and
// the records they refer to, as stubs, so that every ID stays in place),
// and the names looked up.
//
// A later tailoring of the same kernel, for any program set, can run on
// the basis instead of the view. It is right exactly when it reads nothing
// the basis lacks: then every record it read is the view's, and every name
// it looked up gives the view's candidate list (all of a looked-up name's
// candidates were read when the basis was recorded), so it computed what
// it would have computed on the view. KernelBasis::covers checks that from
// the second run's own log. Nothing else is assumed: a set that reads more
// (a new program, or fewer programs whose tailoring takes another path) is
// caught, never trusted, and is tailored on the view again; bound() lets
// it stop at its first read past the basis. A subset of the programs the
// basis was recorded for, or the same programs rebuilt with unchanged
// relocations, usually reads nothing more. addTo() merges a basis into the
// log of the view's run, so that the stored basis serves the old sets too.
//
// One record is kept out of a basis: the last type ID, whose word-after
// (libbpf 1.1.2's FIELD_SIGNED quirk, CoreMatch.cpp wordAfterType) is the
// start of the string section, which a basis does not share with its view.
//
// Stored form (little-endian):
//
//   offset  size
//        0     8  magic "BTFGBASE"
//        8     4  R, the number of records read
//       12     4  M, the number of names looked up
//       16     4  S, the bytes of those names
//       20   4*R  the IDs of the records read, ascending
//        *     S  the names, each NUL-terminated, ascending and distinct;
//                 then zero bytes up to a multiple of 4
//        *     *  a stored view (KernelView.cpp) of the records read and
//                 those they refer to, the latter as stubs
//
//===----------------------------------------------------------------------===//

#ifndef BTFGEN_KERNELBASIS_H
#define BTFGEN_KERNELBASIS_H

#include "btfgen/TableAccessLog.h"
#include "btfgen/TypeTable.h"

#include "llvm/ADT/BitVector.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBufferRef.h"

#include <string>
#include <vector>

namespace btfgen {

/// Bumped whenever what a basis holds or its stored form changes.
constexpr const char *KernelBasisVersion = "kernel-basis-1";

/// The basis of View that Log recorded (Log.Records has View.size() bits).
std::string writeKernelBasis(const TypeTable &View, const TableAccessLog &Log);

/// A basis read back: a table with the view's IDs, the records read in
/// place and stubs everywhere else.
struct KernelBasis {
  TypeTable Table;
  /// The records Table holds as the view has them.
  llvm::BitVector Read;
  /// The names whose every candidate Table holds, ascending.
  std::vector<std::string> Names;

  /// Whether a computation that logged Log on Table (its name index built)
  /// read only what the basis holds, and so computed what it would have on
  /// the view.
  bool covers(const TableAccessLog &Log) const;
  /// Bound Log by what the basis holds, so that the first read past it
  /// sets Log.Escaped (Log must not outlive the basis).
  void bound(TableAccessLog &Log) const;
  /// Add what the basis holds to Log (of the view's size), as if it had
  /// been read: a basis written from Log then serves both computations.
  void addTo(TableAccessLog &Log) const;
};

/// Read a stored basis, checking its structure and its view as
/// readKernelView() does. Errors are MalformedBTF naming Buf.
llvm::Expected<KernelBasis> readKernelBasis(llvm::MemoryBufferRef Buf);

} // namespace btfgen

#endif // BTFGEN_KERNELBASIS_H
