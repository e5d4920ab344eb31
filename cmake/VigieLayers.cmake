# SPDX-License-Identifier: EUPL-1.2
# The layers of vigie (docs/architecture.md) as the build sees them.
#
# vigie_library(<name> <folder> SOURCES ... [PUBLIC deps...] [PRIVATE deps...])
#
# Includes are written from the repository root ("pipeline/alerts/alert_format.hpp"), but no
# library gets the repository root as an include directory: each one exports a directory of
# its own in the build tree that holds a single symbolic link, <folder> -> the source folder.
# A library therefore sees its own folder and the folders of the libraries it links, and
# nothing else: an include of a higher layer is "file not found", not a silent new edge.
# Links only ever point down the layers, so the include graph cannot gain a cycle.
function(vigie_library name folder)
  cmake_parse_arguments(ARG "INTERFACE" "" "SOURCES;PUBLIC;PRIVATE" ${ARGN})
  set(view ${CMAKE_BINARY_DIR}/layers/${name})
  get_filename_component(parent ${view}/${folder} DIRECTORY)
  file(MAKE_DIRECTORY ${parent})
  file(CREATE_LINK ${CMAKE_SOURCE_DIR}/${folder} ${view}/${folder} SYMBOLIC)
  if(ARG_INTERFACE)
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${view})
    target_link_libraries(${name} INTERFACE ${ARG_PUBLIC})
  else()
    add_library(${name} ${ARG_SOURCES})
    target_include_directories(${name} PUBLIC ${view})
    target_link_libraries(${name} PUBLIC ${ARG_PUBLIC} PRIVATE ${ARG_PRIVATE})
  endif()
  set_property(GLOBAL APPEND PROPERTY VIGIE_LIBRARIES ${name})
  set_property(TARGET ${name} PROPERTY VIGIE_FOLDER ${folder})
endfunction()
