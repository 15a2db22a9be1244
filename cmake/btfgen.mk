#===- btfgen.mk - GNU make rules for BPF programs tailored with btfgen -----===#
#
# Include this file from a Makefile to compile CO-RE BPF programs with the
# btfgen clang plugin and tailor a BTFHub-layout archive for them. Installed
# as <prefix>/share/btfgen/btfgen.mk; the tools default to that prefix.
# Reference: docs/cmake.md ("make").
#
# Set these BEFORE `include` (they are used in rule prerequisites):
#   BTFGEN_OBJECTS    BPF objects to build and tailor for, e.g.
#                     `foo.bpf.o bar.bpf.o` (from foo.bpf.c, bar.bpf.c)
#   BTFGEN_ARCHIVE    BTFHub-layout archive; empty: no tailoring rule
#   BTFGEN_OUTPUT     tailored tree (default: btf)
#   BTFGEN_EMBED      C file to generate from the tree with `btfgen-driver
#                     embed` (e.g. app_btf.c, must end in .c); empty: none
#   BTFGEN_EMBED_HEADER  its header (default: BTFGEN_EMBED with .h; must
#                     end in .h)
# Optional, any time before the rules run:
#   BTFGEN_PREFIX     install prefix of btfgen (default: two levels above
#                     this file, i.e. the prefix it was installed into)
#   BTFGEN_CLANG      clang 19 (default: clang-19)
#   BTFGEN_PLUGIN     libBTFGenPass.so (default: $(BTFGEN_PREFIX)/lib/btfgen/...)
#   BTFGEN_DRIVER     btfgen-driver (default: $(BTFGEN_PREFIX)/bin/btfgen-driver)
#   BTFGEN_BPF_CFLAGS flags for BPF compiles (default: -g -O2 plus the
#                     multiarch include dir holding <asm/types.h>)
#   BTFGEN_BPF_CPPFLAGS  -I/-D flags for BPF compiles
#   BTFGEN_DRIVER_FLAGS  extra driver options (e.g. -j4, --index FILE)
#   BTFGEN_EMBED_SYMBOL  prefix of the embedded names (default: btfgen_btf:
#                     btfgen_btf_entries[], btfgen_btf_count)
# Provides:
#   %.bpf.o %.bpf.o.btfgen.json: %.bpf.c   one clang run writes both (with
#                     -MD: header edits rebuild; the .d files are included)
#   $(BTFGEN_STAMP)   ($(BTFGEN_OUTPUT).stamp) runs the driver over the
#                     manifests of $(BTFGEN_OBJECTS) when a manifest, a
#                     kernel of the archive, or the driver changes
#   $(BTFGEN_EMBED) $(BTFGEN_EMBED_HEADER)   the embedded table and its
#                     header, regenerated (both in one driver run) whenever
#                     the stamp is newer
#   btfgen-bpf, btfgen-btf, btfgen-embed   phony targets for the steps
#   btfgen-clean      removes the objects, manifests, .d files, tree, stamp
#                     and the embedded files
#
#===------------------------------------------------------------------------===#

BTFGEN_MK_DIR := $(dir $(lastword $(MAKEFILE_LIST)))
# Targets defined here must not become the including Makefile's default goal.
btfgen_saved_default_goal := $(.DEFAULT_GOAL)
BTFGEN_PREFIX ?= $(abspath $(BTFGEN_MK_DIR)/../..)
BTFGEN_CLANG ?= clang-19
BTFGEN_PLUGIN ?= $(BTFGEN_PREFIX)/lib/btfgen/libBTFGenPass.so
BTFGEN_DRIVER ?= $(BTFGEN_PREFIX)/bin/btfgen-driver
BTFGEN_OUTPUT ?= btf
BTFGEN_STAMP ?= $(BTFGEN_OUTPUT).stamp
# With --target=bpf clang does not search the multiarch directory that holds
# <asm/types.h> on Debian/Ubuntu.
BTFGEN_MULTIARCH_INCLUDE ?= $(firstword $(wildcard \
  /usr/include/$(shell uname -m)-linux-gnu) $(wildcard /usr/include/*-linux-gnu))
BTFGEN_BPF_CFLAGS ?= -g -O2 $(if $(BTFGEN_MULTIARCH_INCLUDE),-idirafter $(BTFGEN_MULTIARCH_INCLUDE))
BTFGEN_BPF_CPPFLAGS ?=
BTFGEN_DRIVER_FLAGS ?=
BTFGEN_EMBED ?=
BTFGEN_EMBED_HEADER ?= $(BTFGEN_EMBED:.c=.h)
BTFGEN_EMBED_SYMBOL ?= btfgen_btf

BTFGEN_MANIFESTS := $(addsuffix .btfgen.json,$(BTFGEN_OBJECTS))

# Multiple target patterns in one pattern rule are always a grouped target
# in GNU make (one recipe run makes both files), so this works with make
# before 4.3 too; `&:` would say the same thing. The plugin writes the
# manifest beside the -o object; an inherited BTFGEN_MANIFEST would redirect
# it, so it is cleared.
BTFGEN_BPF_COMPILE = $(BTFGEN_CLANG) --target=bpf $(BTFGEN_BPF_CFLAGS) $(BTFGEN_BPF_CPPFLAGS) -fpass-plugin=$(BTFGEN_PLUGIN)
%.bpf.o %.bpf.o.btfgen.json: %.bpf.c $(BTFGEN_PLUGIN)
	BTFGEN_MANIFEST= $(BTFGEN_BPF_COMPILE) -MD -MP -MF $*.bpf.o.d -MT $*.bpf.o -c $< -o $*.bpf.o

-include $(addsuffix .d,$(BTFGEN_OBJECTS))

.PHONY: btfgen-bpf btfgen-btf btfgen-embed btfgen-clean
btfgen-bpf: $(BTFGEN_OBJECTS)

ifneq ($(strip $(BTFGEN_ARCHIVE)),)
# Every kernel of the archive is a prerequisite, so adding or replacing one
# re-runs the driver; the tree itself (if it lies in the archive) is not.
BTFGEN_KERNELS := $(filter-out $(abspath $(BTFGEN_OUTPUT))/%, \
  $(shell find $(abspath $(BTFGEN_ARCHIVE)) \( -name '*.btf.tar.xz' -o -name '*.btf' \) \
    \( -type f -o -type l \) 2>/dev/null | LC_ALL=C sort))

# A kernel added with an old mtime (cp -p, tar) or a removed kernel would not
# make the stamp out of date: the list of kernels is a file rewritten (at
# parse time, GNU make >= 4.2) only when the list changes.
BTFGEN_KERNEL_LIST ?= $(BTFGEN_OUTPUT).kernels
ifneq ($(strip $(BTFGEN_KERNELS))|$(BTFGEN_KERNEL_LIST),$(strip $(file <$(BTFGEN_KERNEL_LIST)))|$(wildcard $(BTFGEN_KERNEL_LIST)))
$(file >$(BTFGEN_KERNEL_LIST),$(strip $(BTFGEN_KERNELS)))
endif

$(BTFGEN_STAMP): $(BTFGEN_MANIFESTS) $(BTFGEN_KERNELS) $(BTFGEN_KERNEL_LIST) $(BTFGEN_DRIVER)
	$(BTFGEN_DRIVER) $(BTFGEN_MANIFESTS) --archive $(BTFGEN_ARCHIVE) -o $(BTFGEN_OUTPUT) $(BTFGEN_DRIVER_FLAGS)
	touch $@

btfgen-btf: $(BTFGEN_STAMP)

ifneq ($(strip $(BTFGEN_EMBED)),)
ifneq ($(suffix $(BTFGEN_EMBED))|$(suffix $(BTFGEN_EMBED_HEADER)),.c|.h)
$(error btfgen.mk: BTFGEN_EMBED must end in .c and BTFGEN_EMBED_HEADER in .h)
endif
# One driver run writes both files. A pattern rule with two target patterns
# is a grouped target in every GNU make (as for the objects above); the
# patterns are the two file names with '%' standing for the '.' before the
# suffix. The driver leaves unchanged files alone, so they are touched for
# make, which has no "restat": otherwise they would stay older than the
# stamp and be remade on every run.
$(basename $(BTFGEN_EMBED))%c $(basename $(BTFGEN_EMBED_HEADER))%h: $(BTFGEN_STAMP) $(BTFGEN_DRIVER)
	$(BTFGEN_DRIVER) embed $(BTFGEN_OUTPUT) -o $(BTFGEN_EMBED) --symbol $(BTFGEN_EMBED_SYMBOL) --header $(BTFGEN_EMBED_HEADER)
	touch $(BTFGEN_EMBED) $(BTFGEN_EMBED_HEADER)

# Named here, so make never treats them as intermediate files to delete.
btfgen-embed: $(BTFGEN_EMBED) $(BTFGEN_EMBED_HEADER)
else
btfgen-embed:
	@echo "btfgen.mk: BTFGEN_EMBED is not set; nothing to embed" >&2; exit 1
endif
else
btfgen-btf btfgen-embed:
	@echo "btfgen.mk: BTFGEN_ARCHIVE is not set; nothing to tailor" >&2; exit 1
endif

btfgen-clean:
	rm -rf $(BTFGEN_OBJECTS) $(BTFGEN_MANIFESTS) $(addsuffix .d,$(BTFGEN_OBJECTS)) \
	  $(BTFGEN_OUTPUT) $(BTFGEN_STAMP) $(BTFGEN_KERNEL_LIST) \
	  $(BTFGEN_EMBED) $(if $(BTFGEN_EMBED),$(BTFGEN_EMBED_HEADER))

.DEFAULT_GOAL := $(btfgen_saved_default_goal)
