//===- Report.cpp - JSON report, JSON index and the stderr summary --------===//
//
// The JSON is written with llvm::json::OStream (escaping, number format),
// one record per line so that the files diff well and are easy to grep;
// keys come in a fixed order. Formats: docs/report.md.
//
//===----------------------------------------------------------------------===//

#include "Report.h"
#include "Commands.h"
#include "Verdicts.h"

#include "btfgen/LoadVerdict.h"

#include "btfgen/BTFFormat.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

#include <map>
#include <tuple>

using namespace llvm;

namespace btfgen {

bool fullySupported(const TargetResult &R) {
  return !R.Poisoned && !R.LoadErrors;
}

namespace {

const char *kindName(uint32_t K) {
  return btfgen::kindName(static_cast<Kind>(K));
}

/// (program index, relocation) for every flat relocation index.
struct FlatReloc {
  size_t Prog;
  const CoreRelocation *R;
};

std::vector<FlatReloc> flatten(ArrayRef<Program> Programs) {
  std::vector<FlatReloc> F;
  for (size_t P = 0; P < Programs.size(); ++P)
    for (const CoreRelocation &R : Programs[P].M.Relocs)
      F.push_back({P, &R});
  return F;
}

/// Relocation R by member names, as libbpf's log shows a spec ("struct
/// task_struct.real_parent (0:3)"), falling back to the access string.
std::string fieldPath(const Program &P, const CoreRelocation &R) {
  Expected<CoreSpec> Spec =
      parseCoreSpec(P.M.Types, R.LocalType, R.Kind, R.Access);
  if (!Spec) {
    consumeError(Spec.takeError());
    return ("'" + P.M.Types.name(R.LocalType) + "' " + R.Access).str();
  }
  return specPath(formatCoreSpec(P.M.Types, *Spec)) + " (" + R.Access + ")";
}

void writePoisons(json::OStream &J, StringRef Key,
                  ArrayRef<PoisonRecord> Ps) {
  J.attributeArray(Key, [&] {
    for (const PoisonRecord &P : Ps)
      J.object([&] {
        J.attribute("spec", P.Spec);
        J.attribute("function", P.Function);
        J.attribute("file", P.File);
        J.attribute("line", int64_t(P.Line));
        J.attribute("column", int64_t(P.Column));
      });
  });
}

void writeVerdicts(json::OStream &J, const RunSummary &S,
                   const TargetResult &R) {
  J.attributeArray("verdicts", [&] {
    for (const VerdictRecord &V : R.Verdicts)
      J.object([&] {
        J.attribute("object", S.Programs[V.Input].Path);
        J.attribute("program", V.Program);
        J.attribute("verdict", verdictKindName(V.Kind));
        J.attributeArray("reasons", [&] {
          for (const std::string &Why : V.Reasons)
            J.value(Why);
        });
        writePoisons(J, "reachable", V.Reachable);
        writePoisons(J, "guarded", V.Guarded);
      });
  });
}

void writeKernelId(json::OStream &J, const KernelJob &Job) {
  const KernelId &Id = Job.Id;
  J.attribute("distro", Id.Distro);
  J.attribute("version", Id.Version);
  J.attribute("arch", Id.Arch);
  J.attribute("release", Id.Release);
}

} // namespace

void writeReportJSON(const RunSummary &S, raw_ostream &OS) {
  std::vector<FlatReloc> Flat = flatten(S.Programs);
  size_t OKCount = 0, Supported = 0;
  for (const KernelSlot &K : S.Slots)
    if (K.OK) {
      ++OKCount;
      Supported += fullySupported(*K.Result);
    }

  OS << "{\"format\":\"btfgen-report\",\"version\":1,\n";
  {
    OS << "\"output_dir\":";
    json::OStream J(OS);
    J.value(S.OutDir);
    OS << ",\n";
  }
  if (!S.Aliases.empty()) {
    OS << "\"aliases\":[";
    for (size_t A = 0; A < S.Aliases.size(); ++A) {
      OS << (A ? ",\n" : "\n");
      json::OStream J(OS);
      J.object([&] {
        J.attribute("path", S.Aliases[A].Path);
        J.attribute("target", S.Aliases[A].Target);
      });
    }
    OS << "],\n";
  }
  OS << "\"summary\":{\"kernels\":" << S.Jobs.size() << ",\"ok\":" << OKCount
     << ",\"failed\":" << S.Jobs.size() - OKCount
     << ",\"fully_supported\":" << Supported
     << ",\"relocations\":" << Flat.size() << "},\n";

  OS << "\"programs\":[";
  for (size_t P = 0; P < S.Programs.size(); ++P) {
    OS << (P ? ",\n" : "\n");
    json::OStream J(OS);
    J.object([&] {
      J.attribute("index", int64_t(P));
      J.attribute("path", S.Programs[P].Path);
      J.attribute("kind", S.Programs[P].IsObject ? "object" : "manifest");
      J.attribute("relocations", int64_t(S.Programs[P].M.Relocs.size()));
    });
  }
  OS << "],\n";

  OS << "\"relocations\":[";
  for (size_t I = 0; I < Flat.size(); ++I) {
    OS << (I ? ",\n" : "\n");
    const Program &P = S.Programs[Flat[I].Prog];
    const CoreRelocation &R = *Flat[I].R;
    json::OStream J(OS);
    J.object([&] {
      J.attribute("id", int64_t(I));
      J.attribute("program", int64_t(Flat[I].Prog));
      J.attribute("kind", reloKindName(R.Kind));
      J.attribute("type", P.M.Types.name(R.LocalType));
      J.attribute("type_kind", kindName(uint32_t(P.M.Types.kind(R.LocalType))));
      J.attribute("access", R.Access);
      J.attributeArray("locations", [&] {
        for (const SourceLoc &L : R.Locs)
          J.object([&] {
            J.attribute("file", L.File);
            J.attribute("line", int64_t(L.Line));
            J.attribute("column", int64_t(L.Column));
            J.attribute("function", L.Function);
          });
      });
    });
  }
  OS << "],\n";

  OS << "\"kernels\":[";
  for (size_t K = 0; K < S.Jobs.size(); ++K) {
    OS << (K ? ",\n" : "\n");
    const KernelJob &Job = S.Jobs[K];
    const KernelSlot &Slot = S.Slots[K];
    json::OStream J(OS);
    J.object([&] {
      J.attribute("path", Job.RelPath);
      writeKernelId(J, Job);
      J.attribute("status", Slot.OK ? "ok" : "failed");
      if (!Slot.OK) {
        J.attribute("error", Slot.Error);
        return;
      }
      const TargetResult &R = *Slot.Result;
      const std::string &File = S.Written.File[K];
      bool Linked = S.Written.Leader[K].has_value();
      J.attribute("output", Linked || File.empty() ? Job.OutRelPath : File);
      J.attribute("size", int64_t(R.Bytes.size()));
      if (Linked)
        J.attribute("dedup_target", File);
      else
        J.attribute("dedup_target", nullptr);
      J.attribute("types", int64_t(R.KeptTypes));
      J.attribute("fully_supported", fullySupported(R));
      J.attributeObject("counts", [&] {
        J.attribute("resolved", int64_t(R.Resolved));
        J.attribute("not_found", int64_t(R.NotFound));
        J.attribute("poisoned", int64_t(R.Poisoned));
        J.attribute("error", int64_t(R.LoadErrors));
      });
      J.attributeArray("relocations", [&] {
        for (size_t I = 0; I < R.Records.size(); ++I) {
          const RelocRecord &Rec = R.Records[I];
          J.object([&] {
            J.attribute("id", int64_t(I));
            J.attribute("outcome", outcomeName(Rec.Outcome));
            if (Rec.Outcome == RelocOutcome::Resolved ||
                Rec.Outcome == RelocOutcome::NotFound)
              J.attribute("value", Rec.Value);
            if (!Rec.TargetName.empty() || Rec.TargetKind)
              J.attributeObject("target", [&] {
                J.attribute("name", Rec.TargetName);
                J.attribute("kind", kindName(Rec.TargetKind));
              });
            if (!Rec.Message.empty())
              J.attribute("message", Rec.Message);
          });
        }
      });
      writeVerdicts(J, S, R);
    });
  }
  OS << "\n]}\n";
}

void writeIndexJSON(const RunSummary &S, StringRef FilePrefix,
                    raw_ostream &OS) {
  OS << "{\"format\":\"btfgen-index\",\"version\":1,\"kernels\":";
  writeIndexRows(OS, S.Written.Rows, FilePrefix);
  OS << "}\n";
}

void printSupportSummary(const RunSummary &S, raw_ostream &OS,
                         unsigned TopGroups) {
  std::vector<FlatReloc> Flat = flatten(S.Programs);
  // A group: unresolved relocations with the same outcome, kind, local type
  // name and access string, merged across programs. Severity: 0 error,
  // 1 poisoned, 2 not-found. std::map keeps everything deterministic.
  using GroupKey = std::tuple<int, unsigned, std::string, std::string>;
  struct Group {
    std::vector<size_t> Kernels; // distinct, increasing
    std::vector<size_t> Relocs;  // flat ids, increasing
    size_t First;                // first flat id (tie-break)
  };
  std::map<GroupKey, Group> Groups;
  std::vector<GroupKey> KeyOf(Flat.size());
  for (size_t I = 0; I < Flat.size(); ++I) {
    const Program &P = S.Programs[Flat[I].Prog];
    KeyOf[I] = GroupKey(0, unsigned(Flat[I].R->Kind),
                        P.M.Types.name(Flat[I].R->LocalType).str(),
                        Flat[I].R->Access);
  }
  size_t OKCount = 0, Supported = 0, Refused = 0;
  for (size_t K = 0; K < S.Jobs.size(); ++K) {
    const KernelSlot &Slot = S.Slots[K];
    if (!Slot.OK)
      continue;
    ++OKCount;
    Supported += fullySupported(*Slot.Result);
    Refused += Slot.Result->LoadErrors != 0;
    const std::vector<RelocRecord> &Recs = Slot.Result->Records;
    for (size_t I = 0; I < Recs.size() && I < Flat.size(); ++I) {
      int Sev;
      switch (Recs[I].Outcome) {
      case RelocOutcome::Error: Sev = 0; break;
      case RelocOutcome::Poisoned: Sev = 1; break;
      case RelocOutcome::NotFound: Sev = 2; break;
      default: continue;
      }
      GroupKey Key = KeyOf[I];
      std::get<0>(Key) = Sev;
      auto [It, New] = Groups.try_emplace(Key, Group{{}, {}, I});
      Group &G = It->second;
      if (G.Kernels.empty() || G.Kernels.back() != K)
        G.Kernels.push_back(K);
      if (!llvm::is_contained(G.Relocs, I))
        G.Relocs.push_back(I);
    }
  }
  OS << ToolName << ": " << Supported << " of " << OKCount
     << " kernels fully supported (no poisoned or failing relocation)\n";
  // Whether a poisoned relocation matters is the verdicts' question (the
  // verifier rejects a poisoned instruction only where it reaches it); a
  // libbpf error refuses the whole object.
  if (Supported != OKCount)
    OS << ToolName << ": of the other " << (OKCount - Supported) << ", "
       << (OKCount - Supported - Refused)
       << " have poisoned relocations only (the program verdicts say where "
          "they are reachable) and "
       << Refused << " would fail to load (libbpf error)\n";
  if (Groups.empty())
    return;
  std::vector<const std::pair<const GroupKey, Group> *> Order;
  for (const auto &G : Groups)
    Order.push_back(&G);
  llvm::stable_sort(Order, [](const auto *A, const auto *B) {
    int SA = std::get<0>(A->first), SB = std::get<0>(B->first);
    if (SA != SB)
      return SA < SB;
    if (A->second.Kernels.size() != B->second.Kernels.size())
      return A->second.Kernels.size() > B->second.Kernels.size();
    return A->second.First < B->second.First;
  });
  static const char *const SevName[] = {"error", "poisoned", "not-found"};
  OS << ToolName << ": relocations not resolved everywhere (" << Groups.size()
     << " groups; most severe and most frequent first):\n";
  for (size_t I = 0; I < Order.size() && I < TopGroups; ++I) {
    const auto &[Key, G] = *Order[I];
    const FlatReloc &F = Flat[G.First];
    OS << "  " << SevName[std::get<0>(Key)] << " in " << G.Kernels.size()
       << " of " << OKCount << " kernels: " << reloKindName(F.R->Kind) << " "
       << fieldPath(S.Programs[F.Prog], *F.R) << " (";
    // Programs using it (distinct, first few).
    std::vector<size_t> Progs;
    for (size_t R : G.Relocs)
      if (!llvm::is_contained(Progs, Flat[R].Prog))
        Progs.push_back(Flat[R].Prog);
    if (Progs.size() > 1)
      OS << Progs.size() << " programs: ";
    for (size_t P = 0; P < Progs.size() && P < 3; ++P)
      OS << (P ? ", " : "") << sys::path::filename(S.Programs[Progs[P]].Path);
    if (Progs.size() > 3)
      OS << ", ...";
    if (!F.R->Locs.empty())
      OS << "; " << sys::path::filename(F.R->Locs.front().File) << ":"
         << F.R->Locs.front().Line;
    OS << "), e.g. " << S.Jobs[G.Kernels.front()].RelPath << "\n";
  }
  if (Order.size() > TopGroups)
    OS << "  ... " << Order.size() - TopGroups
       << " more; see --report for all\n";
}

namespace {

/// A verdict's first reason in one line: the first reachable poison by
/// field path and source line, else its first reason.
std::string firstReason(const VerdictRecord &V) {
  if (!V.Reachable.empty()) {
    const PoisonRecord &P = V.Reachable.front();
    std::string S = specPath(P.Spec);
    if (!P.File.empty())
      S += " at " + sys::path::filename(P.File).str() + ":" +
           std::to_string(P.Line) + ":" + std::to_string(P.Column);
    return S;
  }
  return V.Reasons.empty() ? std::string("(no reason)") : V.Reasons.front();
}

} // namespace

VerdictTally tallyVerdicts(const RunSummary &S, FailOn Level) {
  VerdictTally T;
  // (input, program) in first-seen order; std::map only for lookup.
  std::map<std::pair<uint32_t, std::string>, size_t> Index;
  for (size_t K = 0; K < S.Jobs.size(); ++K) {
    if (!S.Slots[K].OK)
      continue;
    ++T.Kernels;
    for (const VerdictRecord &V : S.Slots[K].Result->Verdicts) {
      auto [It, New] = Index.try_emplace({V.Input, V.Program}, T.Rows.size());
      if (New)
        T.Rows.push_back({V.Input, V.Program, {}, {}, {}});
      VerdictTally::Row &Row = T.Rows[It->second];
      if (V.Kind == VerdictKind::Fails)
        Row.Fails.push_back({K, &V});
      else if (V.Kind == VerdictKind::Unknown)
        Row.Unknown.push_back({K, &V});
      if (tripsFailOn(V, Level))
        Row.Trips.push_back(K);
    }
  }
  return T;
}

void printVerdictSummary(const RunSummary &S, const VerdictTally &T,
                         raw_ostream &OS, unsigned TopPrograms) {
  size_t Loads = 0, Failing = 0, Unknown = 0;
  for (const VerdictTally::Row &R : T.Rows) {
    Loads += R.Fails.empty() && R.Unknown.empty();
    Failing += !R.Fails.empty();
    Unknown += R.Fails.empty() && !R.Unknown.empty();
  }
  OS << ToolName << ": " << Loads << " of " << T.Rows.size()
     << " programs load on all " << T.Kernels << " kernels";
  if (Failing || Unknown)
    OS << "; " << Failing << " fail on some kernel, " << Unknown
       << " unknown on some";
  OS << "\n";
  unsigned Shown = 0;
  for (const VerdictTally::Row &R : T.Rows) {
    const auto &Bad = R.Fails.empty() ? R.Unknown : R.Fails;
    if (Bad.empty())
      continue;
    if (Shown++ == TopPrograms) {
      OS << "  ... see --report for the other programs\n";
      break;
    }
    OS << "  " << sys::path::filename(S.Programs[R.Input].Path) << " "
       << R.Program << ": " << (R.Fails.empty() ? "unknown" : "fails")
       << " on " << Bad.size() << " of " << T.Kernels << " kernels: ";
    // One clause per distinct first reason, in order of appearance.
    std::vector<std::pair<std::string, std::vector<size_t>>> Why;
    for (const auto &[K, V] : Bad) {
      std::string Text = firstReason(*V);
      auto It = llvm::find_if(Why, [&](const auto &W) { return W.first == Text; });
      if (It == Why.end())
        Why.push_back({Text, {K}});
      else
        It->second.push_back(K);
    }
    for (size_t W = 0; W < Why.size() && W < 3; ++W)
      OS << (W ? "; " : "") << Why[W].first << " (" << Why[W].second.size()
         << " kernel" << (Why[W].second.size() == 1 ? "" : "s") << ", e.g. "
         << S.Jobs[Why[W].second.front()].OutRelPath << ")";
    if (Why.size() > 3)
      OS << "; " << Why.size() - 3 << " more reasons";
    OS << "\n";
  }
}

} // namespace btfgen
