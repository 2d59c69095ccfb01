# mha_module(<name> [DEPS <targets>...])
#   One static library per module: mha_<name>, built from src/<name>/*.cc, public headers under
#   include/mha/<name>/. A module without sources yet is an INTERFACE library so dependants link.
#   The purity rule of the architecture is enforced by what each module lists in DEPS: the pure
#   modules (config, topology, health, planner) must never list PkgConfig::MARIADB/LIBSSH2.
function(mha_module name)
  cmake_parse_arguments(M "" "" "DEPS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  if(srcs)
    add_library(mha_${name} STATIC ${srcs})
    target_include_directories(mha_${name} PUBLIC ${PROJECT_SOURCE_DIR}/include
                               PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
    target_link_libraries(mha_${name} PUBLIC ${M_DEPS} PRIVATE mha_warnings)
  else()
    add_library(mha_${name} INTERFACE)
    target_include_directories(mha_${name} INTERFACE ${PROJECT_SOURCE_DIR}/include)
    target_link_libraries(mha_${name} INTERFACE ${M_DEPS})
  endif()
endfunction()

# mha_executable(<name> <source> [DEPS <targets>...]) — a thin main, installed into bin/.
function(mha_executable name source)
  cmake_parse_arguments(E "" "" "DEPS" ${ARGN})
  add_executable(${name} ${source})
  target_link_libraries(${name} PRIVATE ${E_DEPS} mha_warnings)
  install(TARGETS ${name} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endfunction()
