#===- cmake/BTFGenPackaging.cmake - install the CMake package --------------===#
#
# Included at the end of the top-level CMakeLists.txt, after every target
# exists. The targets' own install() rules live beside them (btfgen-core/,
# llvm-pass/, driver/, runtime/, all in the export set BTFGenTargets); this
# file names the exported targets, installs the export set, the package
# config + version files, the CMake functions and the make include:
#
#   <prefix>/lib/cmake/BTFGen/{BTFGenConfig,BTFGenConfigVersion,
#                              BTFGenTargets*,BTFGen}.cmake
#   <prefix>/share/btfgen/btfgen.mk
#
#===------------------------------------------------------------------------===#
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(BTFGEN_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/BTFGen)
set(BTFGEN_INSTALL_DATADIR ${CMAKE_INSTALL_DATADIR}/btfgen)

# Names inside the BTFGen:: namespace.
foreach(_pair IN ITEMS btfgen-driver:driver btfgen-which:which BTFGenPass:plugin
                       btfgen_runtime:runtime btfgenCore:core)
  string(REPLACE ":" ";" _pair "${_pair}")
  list(GET _pair 0 _tgt)
  list(GET _pair 1 _name)
  if(TARGET ${_tgt})
    set_target_properties(${_tgt} PROPERTIES EXPORT_NAME ${_name})
  endif()
endforeach()
# The driver links libLLVM from LLVM's own lib directory: keep that path in
# the installed binary's RUNPATH (CMake strips build RPATHs on install).
if(TARGET btfgen-driver)
  set_target_properties(btfgen-driver PROPERTIES INSTALL_RPATH_USE_LINK_PATH TRUE)
endif()

install(EXPORT BTFGenTargets
  NAMESPACE BTFGen::
  FILE BTFGenTargets.cmake
  DESTINATION ${BTFGEN_INSTALL_CMAKEDIR}
  COMPONENT btfgen)

get_filename_component(BTFGEN_CLANG_DIR "${BTFGEN_CLANG}" DIRECTORY)
configure_package_config_file(
  ${CMAKE_CURRENT_LIST_DIR}/BTFGenConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/BTFGenConfig.cmake
  INSTALL_DESTINATION ${BTFGEN_INSTALL_CMAKEDIR}
  PATH_VARS BTFGEN_INSTALL_DATADIR)
# 0.x: minor versions may break the interface.
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/cmake/BTFGenConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)

install(FILES
  ${PROJECT_BINARY_DIR}/cmake/BTFGenConfig.cmake
  ${PROJECT_BINARY_DIR}/cmake/BTFGenConfigVersion.cmake
  ${CMAKE_CURRENT_LIST_DIR}/BTFGen.cmake
  DESTINATION ${BTFGEN_INSTALL_CMAKEDIR}
  COMPONENT btfgen)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/btfgen.mk
  DESTINATION ${BTFGEN_INSTALL_DATADIR}
  COMPONENT btfgen)
