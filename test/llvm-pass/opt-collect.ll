; The plugin in isolation: opt runs the `btfgen-collect` pipeline on IR that
; already went through the BPF target's CO-RE passes.
;
; RUN: opt -load-pass-plugin=%plugin -passes=btfgen-collect -btfgen-manifest=- -disable-output %s | FileCheck %s
; RUN: opt -load-pass-plugin=%plugin -passes=btfgen-collect -btfgen-manifest=%t.json -disable-output %s
; RUN: FileCheck %s --input-file=%t.json
;
; Generated with `clang-19 --target=bpf -O2 -g -S -emit-llvm opt-input.c`
; (directory replaced by /src), then the lines marked "Hand-added" were added.
; opt-input.c:
;   struct sk { int state; struct { unsigned short family; } c; } __attribute__((preserve_access_index));
;   enum tcp { TCP_ESTABLISHED = 1, TCP_CLOSE = 7 };
;   static __attribute__((always_inline)) int family(struct sk *s) { return s->c.family; }
;   int prog(struct sk *s) {
;     return family(s) + __builtin_preserve_enum_value(*(enum tcp *)TCP_CLOSE, 1) +
;            __builtin_preserve_field_info(s->state, 2);
;   }
;
; CHECK:      {
; CHECK-NEXT:   "format": "btfgen-manifest",
; CHECK-NEXT:   "version": 2,
; CHECK-NEXT:   "source": "opt-input.c",
; CHECK-NEXT:   "object": "",
; CHECK-NEXT:   "types": [
; CHECK-NEXT:     {"id":1,"kind":"ENUM","name":"tcp","size":4,"vlen":2,"values":[{"name":"TCP_ESTABLISHED","val":1},{"name":"TCP_CLOSE","val":7}]},
; CHECK-NEXT:     {"id":2,"kind":"STRUCT","name":"sk","size":8,"vlen":2,"members":[{"name":"state","type_id":3,"bits_offset":0},{"name":"c","type_id":4,"bits_offset":32}]},
; CHECK-NEXT:     {"id":3,"kind":"INT","name":"int","size":4,"bits_offset":0,"nr_bits":32,"encoding":"SIGNED"},
; CHECK-NEXT:     {"id":4,"kind":"STRUCT","name":"","size":2,"vlen":1,"members":[{"name":"family","type_id":5,"bits_offset":0}]},
; CHECK-NEXT:     {"id":5,"kind":"INT","name":"unsigned short","size":2,"bits_offset":0,"nr_bits":16,"encoding":"(none)"}
; CHECK-NEXT:   ],
; CHECK-NEXT:   "relocations": [
; The inlined access is attributed to the inlined function.
; CHECK-NEXT:     {"kind":"byte_off","kind_id":0,"type":2,"type_name":"sk","access":"0:1:0","locations":[{"file":"/src/opt-input.c","line":3,"column":78,"function":"family"}]},
; CHECK-NEXT:     {"kind":"field_exists","kind_id":2,"type":2,"type_name":"sk","access":"0:0","locations":[{"file":"/src/opt-input.c","line":5,"column":10,"function":"prog"}]},
; CHECK-NEXT:     {"kind":"local_type_id","kind_id":6,"type":2,"type_name":"sk","access":"0","locations":[{"file":"/src/opt-input.c","line":5,"column":3,"function":"prog"}]},
; CHECK-NEXT:     {"kind":"enumval_value","kind_id":11,"type":1,"type_name":"tcp","access":"1","locations":[{"file":"/src/opt-input.c","line":5,"column":10,"function":"prog"}]}
; CHECK-NEXT:   ],
; Through opt too the code is recorded (codegen level 2: the functions are
; not optnone); the one program has the three CO-RE records codegen keeps.
; CHECK-NEXT:   "code": {
; CHECK-NEXT:     "codegen": {"cpu":"","features":"","opt_level":2},
; CHECK-NEXT:     "root_ids": [{{[0-9]+}},{{[0-9]+}},{{[0-9]+}},{{[0-9]+}}],
; CHECK:          "programs": [
; CHECK-NEXT:       {"function":0,"parts":{{\[\[}}0,0]],"patches":[]}
; CHECK-NEXT:     ]
; CHECK-NEXT:   }
; CHECK-NEXT: }
; The chain above is exhaustive: the hand-added byte_sz relocation (used only
; by an unused passthrough) and the type_exists one (no use) are not recorded.

source_filename = "opt-input.c"
target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpf"

@"llvm.tcp:11:7$1" = external global i64, !llvm.preserve.access.index !0 #0
@"llvm.sk:2:1$0:0" = external global i32, !llvm.preserve.access.index !6 #0
@"llvm.sk:0:4$0:1:0" = external global i64, !llvm.preserve.access.index !6 #0
; Hand-added: a relocation whose only use is an unused passthrough (dead),
; one with no use at all, and a live btf_type_id relocation.
@"llvm.sk:1:2$0:1" = external global i64, !llvm.preserve.access.index !6 #0
@"llvm.sk:9:8$0" = external global i64, !llvm.preserve.access.index !6 #0
@"llvm.btf_type_id.0$6" = external global i64, !llvm.preserve.access.index !6 #3

; Function Attrs: nofree nosync nounwind memory(read, inaccessiblemem: none)
define dso_local i32 @prog(ptr noundef readonly %0) local_unnamed_addr #1 !dbg !23 {
    #dbg_value(ptr %0, !28, !DIExpression(), !29)
    #dbg_value(ptr %0, !30, !DIExpression(), !33)
  %2 = load i64, ptr @"llvm.sk:0:4$0:1:0", align 8
  %3 = getelementptr i8, ptr %0, i64 %2
  %4 = tail call ptr @llvm.bpf.passthrough.p0.p0(i32 2, ptr %3)
  %5 = load i16, ptr %4, align 4, !dbg !35, !tbaa !36
  %6 = zext i16 %5 to i32, !dbg !43
  %7 = load i64, ptr @"llvm.tcp:11:7$1", align 8
  %8 = tail call i64 @llvm.bpf.passthrough.i64.i64(i32 0, i64 %7)
  %9 = load i32, ptr @"llvm.sk:2:1$0:0", align 4
  %10 = tail call i32 @llvm.bpf.passthrough.i32.i32(i32 1, i32 %9)
  %11 = trunc i64 %8 to i32, !dbg !44
  %12 = add i32 %11, %6, !dbg !44
  %13 = add i32 %12, %10, !dbg !44
  %dead = load i64, ptr @"llvm.sk:1:2$0:1", align 8
  %deadp = tail call i64 @llvm.bpf.passthrough.i64.i64(i32 3, i64 %dead)
  %tid = load i64, ptr @"llvm.btf_type_id.0$6", align 8
  %tidp = tail call i64 @llvm.bpf.passthrough.i64.i64(i32 4, i64 %tid)
  %tid32 = trunc i64 %tidp to i32, !dbg !45
  %14 = add i32 %13, %tid32, !dbg !45
  ret i32 %14, !dbg !45
}

; Function Attrs: nofree nosync nounwind memory(none)
declare i64 @llvm.bpf.passthrough.i64.i64(i32, i64) #2

; Function Attrs: nofree nosync nounwind memory(none)
declare i32 @llvm.bpf.passthrough.i32.i32(i32, i32) #2

; Function Attrs: nofree nosync nounwind memory(none)
declare ptr @llvm.bpf.passthrough.p0.p0(i32, ptr) #2

attributes #0 = { "btf_ama" }
attributes #1 = { nofree nosync nounwind memory(read, inaccessiblemem: none) "frame-pointer"="all" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
attributes #2 = { nofree nosync nounwind memory(none) }
attributes #3 = { "btf_type_id" }

!llvm.dbg.cu = !{!15}
!llvm.module.flags = !{!17, !18, !19, !20, !21}
!llvm.ident = !{!22}

!0 = !DICompositeType(tag: DW_TAG_enumeration_type, name: "tcp", file: !1, line: 2, baseType: !2, size: 32, elements: !3)
!1 = !DIFile(filename: "opt-input.c", directory: "/src", checksumkind: CSK_MD5, checksum: "3eb6819c117429bcaaf3c1b94bb92e91")
!2 = !DIBasicType(name: "unsigned int", size: 32, encoding: DW_ATE_unsigned)
!3 = !{!4, !5}
!4 = !DIEnumerator(name: "TCP_ESTABLISHED", value: 1)
!5 = !DIEnumerator(name: "TCP_CLOSE", value: 7)
!6 = distinct !DICompositeType(tag: DW_TAG_structure_type, name: "sk", file: !1, line: 1, size: 64, elements: !7)
!7 = !{!8, !10}
!8 = !DIDerivedType(tag: DW_TAG_member, name: "state", scope: !6, file: !1, line: 1, baseType: !9, size: 32)
!9 = !DIBasicType(name: "int", size: 32, encoding: DW_ATE_signed)
!10 = !DIDerivedType(tag: DW_TAG_member, name: "c", scope: !6, file: !1, line: 1, baseType: !11, size: 16, offset: 32)
!11 = distinct !DICompositeType(tag: DW_TAG_structure_type, scope: !6, file: !1, line: 1, size: 16, elements: !12)
!12 = !{!13}
!13 = !DIDerivedType(tag: DW_TAG_member, name: "family", scope: !11, file: !1, line: 1, baseType: !14, size: 16)
!14 = !DIBasicType(name: "unsigned short", size: 16, encoding: DW_ATE_unsigned)
!15 = distinct !DICompileUnit(language: DW_LANG_C11, file: !1, producer: "Debian clang version 19.1.7 (3~deb12u1)", isOptimized: true, runtimeVersion: 0, emissionKind: FullDebug, enums: !16, splitDebugInlining: false, nameTableKind: None)
!16 = !{!0}
!17 = !{i32 7, !"Dwarf Version", i32 5}
!18 = !{i32 2, !"Debug Info Version", i32 3}
!19 = !{i32 1, !"wchar_size", i32 4}
!20 = !{i32 7, !"frame-pointer", i32 2}
!21 = !{i32 7, !"debug-info-assignment-tracking", i1 true}
!22 = !{!"Debian clang version 19.1.7 (3~deb12u1)"}
!23 = distinct !DISubprogram(name: "prog", scope: !1, file: !1, line: 4, type: !24, scopeLine: 4, flags: DIFlagPrototyped | DIFlagAllCallsDescribed, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !15, retainedNodes: !27)
!24 = !DISubroutineType(types: !25)
!25 = !{!9, !26}
!26 = !DIDerivedType(tag: DW_TAG_pointer_type, baseType: !6, size: 64)
!27 = !{!28}
!28 = !DILocalVariable(name: "s", arg: 1, scope: !23, file: !1, line: 4, type: !26)
!29 = !DILocation(line: 0, scope: !23)
!30 = !DILocalVariable(name: "s", arg: 1, scope: !31, file: !1, line: 3, type: !26)
!31 = distinct !DISubprogram(name: "family", scope: !1, file: !1, line: 3, type: !24, scopeLine: 3, flags: DIFlagPrototyped | DIFlagAllCallsDescribed, spFlags: DISPFlagLocalToUnit | DISPFlagDefinition | DISPFlagOptimized, unit: !15, retainedNodes: !32)
!32 = !{!30}
!33 = !DILocation(line: 0, scope: !31, inlinedAt: !34)
!34 = distinct !DILocation(line: 5, column: 10, scope: !23)
!35 = !DILocation(line: 3, column: 78, scope: !31, inlinedAt: !34)
!36 = !{!37, !42, i64 4}
!37 = !{!"sk", !38, i64 0, !41, i64 4}
!38 = !{!"int", !39, i64 0}
!39 = !{!"omnipotent char", !40, i64 0}
!40 = !{!"Simple C/C++ TBAA"}
!41 = !{!"", !42, i64 0}
!42 = !{!"short", !39, i64 0}
!43 = !DILocation(line: 3, column: 73, scope: !31, inlinedAt: !34)
!44 = !DILocation(line: 5, column: 10, scope: !23)
!45 = !DILocation(line: 5, column: 3, scope: !23)
