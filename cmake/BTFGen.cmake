#===- cmake/BTFGen.cmake - btfgen_add_bpf_object() -------------------------===#
#
# CMake functions for projects that compile CO-RE BPF programs with btfgen.
# Included by BTFGenConfig.cmake (find_package(BTFGen)), after the imported
# targets BTFGen::plugin and BTFGen::driver exist. docs/cmake.md is the
# user's reference; this file is the implementation.
#
#   btfgen_add_bpf_object(<target>
#     SOURCES a.bpf.c [b.bpf.c ...]
#     [INCLUDES dir ...] [DEFINES NAME[=VALUE] ...] [OPTIONS clang-flag ...]
#     [ARCHIVE dir] [OUTPUT dir] [INDEX file (relative: in OUTPUT)]
#     [DRIVER_OPTIONS flag ...]
#     [EXCLUDE_FROM_ALL])
#
#   btfgen_embed_btf(<lib-target> FROM <bpf-target> [SYMBOL name])
#
# Each source becomes ${CMAKE_CURRENT_BINARY_DIR}/<target>/<name>.o (a.bpf.c
# -> a.bpf.o) and its manifest <object>.btfgen.json, written by the plugin
# in the same clang run (manifest rule 3 of docs/manifest.md), so one custom
# command has both OUTPUTS. clang's -MD depfile makes header edits rebuild.
# With ARCHIVE, btfgen-driver tailors every kernel of the archive for all
# the target's manifests into OUTPUT (default
# ${CMAKE_CURRENT_BINARY_DIR}/<target>-btf), recorded by a stamp file.
# btfgen_embed_btf() turns that tree into a static library holding the
# tailored BTFs as C arrays (btfgen-driver embed), re-generated whenever
# the driver re-runs (the stamp) and recompiled only when its bytes change.
#
#===------------------------------------------------------------------------===#
include_guard(GLOBAL)

# Functions record the policies in effect where they are defined, so DEPFILE
# handling (CMP0116) does not depend on the caller's cmake_minimum_required.
cmake_policy(PUSH)
cmake_policy(VERSION 3.20)

# clang-19: the plugin is built against LLVM 19 and only loads into clang 19.
if(NOT BTFGEN_CLANG)
  find_program(BTFGEN_CLANG NAMES clang-19
    HINTS ${BTFGEN_CLANG_HINT_DIR} /usr/lib/llvm-19/bin
    DOC "clang 19 used to compile BPF programs with the btfgen plugin")
endif()
if(BTFGEN_CLANG)
  execute_process(COMMAND ${BTFGEN_CLANG} --version
    OUTPUT_VARIABLE _btfgen_clang_version ERROR_QUIET RESULT_VARIABLE _btfgen_rc)
  if(NOT _btfgen_rc EQUAL 0 OR NOT _btfgen_clang_version MATCHES "clang version 19\\.")
    string(REGEX MATCH "clang version [^ \n]*" _btfgen_found "${_btfgen_clang_version}")
    message(WARNING "BTFGen: BTFGEN_CLANG=${BTFGEN_CLANG} is not clang 19 "
      "(${_btfgen_found}); the btfgen plugin is built for LLVM 19 and will "
      "fail to load")
  endif()
endif()

# With --target=bpf clang does not search the multiarch include directory,
# which holds <asm/types.h> that <linux/types.h> needs on Debian/Ubuntu.
if(NOT DEFINED BTFGEN_BPF_SYSTEM_INCLUDES)
  set(_btfgen_sys "")
  foreach(_btfgen_ma IN ITEMS "${CMAKE_LIBRARY_ARCHITECTURE}"
                             "${CMAKE_HOST_SYSTEM_PROCESSOR}-linux-gnu")
    if(_btfgen_ma AND IS_DIRECTORY "/usr/include/${_btfgen_ma}/asm")
      set(_btfgen_sys "/usr/include/${_btfgen_ma}")
      break()
    endif()
  endforeach()
  set(BTFGEN_BPF_SYSTEM_INCLUDES "${_btfgen_sys}" CACHE STRING
    "Directories added with -idirafter to every BPF compile (multiarch asm/ headers)")
endif()
set(BTFGEN_BPF_FLAGS "-g;-O2" CACHE STRING
  "Optimization/debug flags for BPF compiles (CO-RE needs -g; -O2 is what libbpf expects)")

# btfgen_driver_has_option(<var> <option>): sets <var> to TRUE if the
# imported btfgen-driver's --help documents <option> (e.g. --index), so a
# project can use newer driver options only when the installed one has them.
function(btfgen_driver_has_option out option)
  get_target_property(_loc BTFGen::driver LOCATION)
  execute_process(COMMAND "${_loc}" --help OUTPUT_VARIABLE _help
    ERROR_VARIABLE _help RESULT_VARIABLE _rc)
  string(FIND "${_help}" "${option}" _pos)
  if(_rc EQUAL 0 AND NOT _pos EQUAL -1)
    set(${out} TRUE PARENT_SCOPE)
  else()
    set(${out} FALSE PARENT_SCOPE)
  endif()
endfunction()

function(btfgen_add_bpf_object target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "EXCLUDE_FROM_ALL"
    "ARCHIVE;OUTPUT;INDEX" "SOURCES;INCLUDES;DEFINES;OPTIONS;DRIVER_OPTIONS")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "btfgen_add_bpf_object(${target}): unknown arguments "
      "'${ARG_UNPARSED_ARGUMENTS}'")
  endif()
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "btfgen_add_bpf_object(${target}): SOURCES is required")
  endif()
  if(NOT BTFGEN_CLANG)
    message(FATAL_ERROR "btfgen_add_bpf_object(${target}): clang-19 not found; "
      "set BTFGEN_CLANG")
  endif()
  if((ARG_OUTPUT OR ARG_INDEX OR ARG_DRIVER_OPTIONS) AND NOT ARG_ARCHIVE)
    message(FATAL_ERROR "btfgen_add_bpf_object(${target}): OUTPUT, INDEX and "
      "DRIVER_OPTIONS need ARCHIVE")
  endif()

  set(_objdir "${CMAKE_CURRENT_BINARY_DIR}/${target}")
  set(_plugin "$<TARGET_FILE:BTFGen::plugin>")
  set(_flags --target=bpf ${BTFGEN_BPF_FLAGS} "-fpass-plugin=${_plugin}")
  foreach(_inc IN LISTS ARG_INCLUDES)
    get_filename_component(_inc "${_inc}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND _flags "-I${_inc}")
  endforeach()
  foreach(_inc IN LISTS BTFGEN_BPF_SYSTEM_INCLUDES)
    list(APPEND _flags -idirafter "${_inc}")
  endforeach()
  foreach(_def IN LISTS ARG_DEFINES)
    list(APPEND _flags "-D${_def}")
  endforeach()
  list(APPEND _flags ${ARG_OPTIONS})

  set(_objects "")
  set(_manifests "")
  foreach(_src IN LISTS ARG_SOURCES)
    get_filename_component(_src "${_src}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    get_filename_component(_name "${_src}" NAME)
    string(REGEX REPLACE "\\.c$" "" _stem "${_name}")
    set(_obj "${_objdir}/${_stem}.o")
    if(_obj IN_LIST _objects)
      message(FATAL_ERROR "btfgen_add_bpf_object(${target}): two sources give "
        "the object '${_obj}'")
    endif()
    # One clang run writes both files: the plugin puts the manifest beside
    # the -o object (an inherited BTFGEN_MANIFEST would redirect it, so it
    # is cleared). The depfile names the object; CMP0116 makes CMake
    # rewrite its paths for Ninja.
    add_custom_command(
      OUTPUT "${_obj}" "${_obj}.btfgen.json"
      COMMAND "${CMAKE_COMMAND}" -E env --unset=BTFGEN_MANIFEST
              "${BTFGEN_CLANG}" ${_flags} -MD -MF "${_obj}.d" -MT "${_obj}"
              -c "${_src}" -o "${_obj}"
      DEPENDS "${_src}" "${_plugin}"
      DEPFILE "${_obj}.d"
      WORKING_DIRECTORY "${_objdir}"
      COMMENT "Compiling BPF object ${target}/${_stem}.o (btfgen manifest)"
      VERBATIM COMMAND_EXPAND_LISTS)
    list(APPEND _objects "${_obj}")
    list(APPEND _manifests "${_obj}.btfgen.json")
  endforeach()
  file(MAKE_DIRECTORY "${_objdir}")

  set(_outputs ${_objects} ${_manifests})
  set(_out "")
  set(_index "")
  if(ARG_ARCHIVE)
    get_filename_component(_archive "${ARG_ARCHIVE}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT IS_DIRECTORY "${_archive}")
      message(FATAL_ERROR "btfgen_add_bpf_object(${target}): ARCHIVE '${_archive}' "
        "is not a directory")
    endif()
    if(ARG_OUTPUT)
      get_filename_component(_out "${ARG_OUTPUT}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
    else()
      set(_out "${CMAKE_CURRENT_BINARY_DIR}/${target}-btf")
    endif()
    # The kernels are inputs of the driver step. CONFIGURE_DEPENDS re-globs
    # at every build, so adding or removing a kernel re-runs CMake and then
    # the driver. Files under the output tree (when it lies inside the
    # archive) are not inputs.
    file(GLOB_RECURSE _kernels CONFIGURE_DEPENDS
      "${_archive}/*.btf.tar.xz" "${_archive}/*.btf")
    set(_kept "")
    foreach(_k IN LISTS _kernels)
      string(FIND "${_k}" "${_out}/" _pos)
      if(NOT _pos EQUAL 0)
        list(APPEND _kept "${_k}")
      endif()
    endforeach()
    set(_kernels ${_kept})
    list(SORT _kernels)
    list(LENGTH _kernels _nkernels)
    if(_nkernels EQUAL 0)
      message(WARNING "btfgen_add_bpf_object(${target}): ARCHIVE '${_archive}' "
        "holds no *.btf.tar.xz or *.btf kernel")
    endif()

    set(_index_args "")
    set(_byproducts "")
    if(ARG_INDEX)
      btfgen_driver_has_option(_has_index --index)
      if(NOT _has_index)
        message(FATAL_ERROR "btfgen_add_bpf_object(${target}): INDEX given but "
          "this btfgen-driver has no --index option")
      endif()
      # A relative INDEX is inside the tree. The index names files relative
      # to its own directory (docs/runtime.md), but the driver (as of 0.1.0)
      # writes them relative to OUTPUT, so only OUTPUT/<file> is right.
      get_filename_component(_index "${ARG_INDEX}" ABSOLUTE BASE_DIR "${_out}")
      get_filename_component(_index_dir "${_index}" DIRECTORY)
      if(NOT _index_dir STREQUAL _out)
        message(WARNING "btfgen_add_bpf_object(${target}): INDEX '${_index}' is "
          "not directly in OUTPUT '${_out}'; btfgen-driver writes the index's "
          "file names relative to OUTPUT, so readers will not find them")
      endif()
      set(_index_args --index "${_index}")
      set(_byproducts "${_index}")
    endif()

    # A kernel added with an old mtime (cp -p, tar) or a removed kernel
    # would not make Ninja/make re-run the driver on its own: the list of
    # kernels is a file that is rewritten only when the list changes.
    set(_list "${CMAKE_CURRENT_BINARY_DIR}/${target}-btf.kernels")
    string(REPLACE ";" "\n" _list_text "${_kernels}")
    file(CONFIGURE OUTPUT "${_list}" CONTENT "${_list_text}\n" @ONLY)

    set(_stamp "${CMAKE_CURRENT_BINARY_DIR}/${target}-btf.stamp")
    set(_drv "$<TARGET_FILE:BTFGen::driver>")
    add_custom_command(
      OUTPUT "${_stamp}" ${_byproducts}
      COMMAND "${_drv}" ${_manifests} --archive "${_archive}" -o "${_out}"
              ${_index_args} ${ARG_DRIVER_OPTIONS}
      COMMAND "${CMAKE_COMMAND}" -E touch "${_stamp}"
      DEPENDS ${_manifests} ${_kernels} "${_list}" "${_drv}"
      COMMENT "Tailoring BTF for ${target}: ${_nkernels} kernels -> ${_out}"
      VERBATIM COMMAND_EXPAND_LISTS)
    list(APPEND _outputs "${_stamp}" ${_byproducts})
  endif()

  if(ARG_EXCLUDE_FROM_ALL)
    add_custom_target(${target} DEPENDS ${_outputs})
  else()
    add_custom_target(${target} ALL DEPENDS ${_outputs})
  endif()
  if(NOT _out)
    set(_stamp "")
  endif()
  set_target_properties(${target} PROPERTIES
    BTFGEN_STAMP "${_stamp}"
    BTFGEN_OBJECTS "${_objects}"
    BTFGEN_MANIFESTS "${_manifests}"
    BTFGEN_OUTPUT_DIR "${_out}"
    BTFGEN_INDEX "${_index}")
  # Also as variables, for configure-time use (install(), configure_file()).
  set(${target}_OBJECTS "${_objects}" PARENT_SCOPE)
  set(${target}_MANIFESTS "${_manifests}" PARENT_SCOPE)
  set(${target}_BTF_DIR "${_out}" PARENT_SCOPE)
  set(${target}_BTF_INDEX "${_index}" PARENT_SCOPE)
endfunction()

# btfgen_embed_btf(<lib> FROM <bpf-target> [SYMBOL name]): a static library
# <lib> with one generated C file, <lib>/<symbol>.c, that defines
#   const struct btfgen_entry <symbol>_entries[]; const size_t <symbol>_count;
# for the tailored tree of <bpf-target> (a btfgen_add_bpf_object() target
# with ARCHIVE), and the header <lib>/include/<symbol>.h declaring them
# (PUBLIC include directory; the library links BTFGen::runtime PUBLIC for
# <btfgen/btfgen_runtime.h>). SYMBOL defaults to <lib> with every character
# that is not allowed in a C identifier replaced by '_'.
#
# The generator depends on the driver run's stamp: whenever the driver
# re-runs (an edited .bpf.c, a changed archive), `btfgen-driver embed`
# re-runs too. It rewrites the .c/.h only when their bytes change, and
# CMake marks custom commands `restat` for Ninja, so an unchanged table is
# not recompiled and nothing is relinked.
function(btfgen_embed_btf lib)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "FROM;SYMBOL" "")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "btfgen_embed_btf(${lib}): unknown arguments "
      "'${ARG_UNPARSED_ARGUMENTS}'")
  endif()
  if(NOT ARG_FROM OR NOT TARGET "${ARG_FROM}")
    message(FATAL_ERROR "btfgen_embed_btf(${lib}): FROM must name a target "
      "made by btfgen_add_bpf_object()")
  endif()
  get_target_property(_tree ${ARG_FROM} BTFGEN_OUTPUT_DIR)
  get_target_property(_stamp ${ARG_FROM} BTFGEN_STAMP)
  if(NOT _tree OR NOT _stamp)
    message(FATAL_ERROR "btfgen_embed_btf(${lib}): '${ARG_FROM}' has no "
      "tailored tree; give btfgen_add_bpf_object(${ARG_FROM}) an ARCHIVE")
  endif()
  if(NOT CMAKE_C_COMPILER_LOADED)
    message(FATAL_ERROR "btfgen_embed_btf(${lib}): the generated table is C; "
      "enable the C language (project(... C) or enable_language(C))")
  endif()
  if(ARG_SYMBOL)
    set(_sym "${ARG_SYMBOL}")
  else()
    string(MAKE_C_IDENTIFIER "${lib}" _sym)
  endif()
  if(NOT _sym MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR "btfgen_embed_btf(${lib}): SYMBOL '${_sym}' is not a "
      "C identifier")
  endif()
  btfgen_driver_has_option(_has_embed "btfgen-driver embed")
  if(NOT _has_embed)
    message(FATAL_ERROR "btfgen_embed_btf(${lib}): this btfgen-driver has no "
      "embed command")
  endif()

  set(_dir "${CMAKE_CURRENT_BINARY_DIR}/${lib}")
  set(_src "${_dir}/${_sym}.c")
  set(_hdr "${_dir}/include/${_sym}.h")
  file(MAKE_DIRECTORY "${_dir}/include")
  set(_drv "$<TARGET_FILE:BTFGen::driver>")
  add_custom_command(
    OUTPUT "${_src}" "${_hdr}"
    COMMAND "${_drv}" embed "${_tree}" -o "${_src}" --symbol "${_sym}"
            --header "${_hdr}"
    DEPENDS "${_stamp}" "${_drv}"
    COMMENT "Embedding tailored BTF of ${ARG_FROM} as ${_sym}_entries"
    VERBATIM)
  add_library(${lib} STATIC "${_src}" "${_hdr}")
  set_target_properties(${lib} PROPERTIES
    LINKER_LANGUAGE C
    POSITION_INDEPENDENT_CODE ON
    BTFGEN_EMBED_SYMBOL "${_sym}"
    BTFGEN_EMBED_SOURCE "${_src}"
    BTFGEN_EMBED_HEADER "${_hdr}")
  target_include_directories(${lib} PUBLIC "$<BUILD_INTERFACE:${_dir}/include>")
  target_link_libraries(${lib} PUBLIC BTFGen::runtime)
  # Ordering for generators that do not see the stamp across directories.
  add_dependencies(${lib} ${ARG_FROM})
  set(${lib}_SYMBOL "${_sym}" PARENT_SCOPE)
  set(${lib}_SOURCE "${_src}" PARENT_SCOPE)
  set(${lib}_HEADER "${_hdr}" PARENT_SCOPE)
endfunction()

cmake_policy(POP)
