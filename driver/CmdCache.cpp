//===- CmdCache.cpp - "cache": show or trim the cache of run --------------===//
//
// `btfgen-driver cache stats|prune|clear [--cache-dir DIR] [--max SIZE]`:
// what the cache of run holds (Cache.h), and cutting it by hand to a size
// (CacheSpace.cpp does the work; run does the same after every run).
//
//===----------------------------------------------------------------------===//

#include "Cache.h"
#include "Commands.h"
#include "Options.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace btfgen {

namespace {

void printUsage(const CacheUsage &U, raw_ostream &OS) {
  OS << "kernels:     " << U.Kernels << " entries, " << formatSize(U.KernelBytes)
     << "\n"
     << "results:     " << U.Results << " entries, " << formatSize(U.ResultBytes)
     << "\n"
     << "verdicts:    " << U.Verdicts << " entries, "
     << formatSize(U.VerdictBytes) << "\n"
     << "bases:       " << U.Bases << " entries, " << formatSize(U.BaseBytes)
     << "\n";
  if (U.Temps)
    OS << "temporaries: " << U.Temps << ", " << formatSize(U.TempBytes)
       << " (runs writing now, or killed ones: the next run sweeps those)\n";
  if (U.OldBytes)
    OS << "old format:  " << formatSize(U.OldBytes)
       << " (no longer read; the next run or `cache prune` removes it)\n";
  OS << "total:       " << formatSize(U.total()) << "\n";
}

} // namespace

Error cmdCache(ArrayRef<StringRef> Args) {
  std::string Dir;
  std::optional<uint64_t> Max;
  const OptionSpec Table[] = {
      {"--cache-dir", "", true,
       [&](StringRef V) -> Error {
         if (V.empty())
           return usageError("cache: empty --cache-dir");
         Dir = V.str();
         return Error::success();
       }},
      {"--max", "", true,
       [&](StringRef V) -> Error {
         Max = parseCacheSize(V);
         if (!Max || *Max == NoCacheCap)
           return usageError("cache: invalid --max '" + V +
                             "' (bytes, or a number with K, M, G or T)");
         return Error::success();
       }},
  };
  Expected<std::vector<std::string>> Pos = parseOptions("cache", Table, Args);
  if (!Pos)
    return Pos.takeError();
  if (Pos->size() != 1 ||
      !is_contained({"stats", "prune", "clear"}, StringRef(Pos->front())))
    return usageError("cache: expected one action: stats, prune or clear");
  StringRef Action = Pos->front();
  if (Max && Action != "prune")
    return usageError("cache: --max goes with prune only");
  if (Dir.empty())
    Dir = Cache::defaultDir();
  if (Dir.empty())
    return createStringError(inconvertibleErrorCode(),
                             "cache: no cache directory: neither "
                             "XDG_CACHE_HOME nor HOME is set; give --cache-dir");

  outs() << "cache: " << Dir << "\n";
  if (!sys::fs::is_directory(Dir)) {
    // Nothing to show or remove; do not create it.
    outs() << "total:       0 B (no cache there yet)\n";
    return Error::success();
  }
  Expected<Cache> C = Cache::open(Dir);
  if (!C)
    return C.takeError();
  if (Action == "stats") {
    Expected<CacheUsage> U = C->usage();
    if (!U)
      return U.takeError();
    printUsage(*U, outs());
    outs() << "cap:         " << formatSize(DefaultCacheMax)
           << " by default (run --cache-max)\n";
    return Error::success();
  }
  uint64_t To = Action == "clear" ? 0 : Max.value_or(DefaultCacheMax);
  Expected<CacheEviction> Ev = C->evictTo(To);
  if (!Ev)
    return Ev.takeError();
  outs() << "removed:     " << Ev->Removed << " entries, "
         << formatSize(Ev->RemovedBytes);
  if (Ev->OldBytes)
    outs() << ", and " << formatSize(Ev->OldBytes) << " of an old format";
  outs() << "\n";
  printUsage(Ev->After, outs());
  return Error::success();
}

} // namespace btfgen
