# SPDX-License-Identifier: EUPL-1.2
# Writes OUTPUT, a C++ file holding every MAPPING_DIR/*.yml as a string, so that the
# mappings shipped in rules/mappings/ are built into vigie.
file(GLOB files "${MAPPING_DIR}/*.yml")
list(SORT files)
set(body "")
set(table "")
foreach(f IN LISTS files)
  get_filename_component(name "${f}" NAME_WE)
  file(READ "${f}" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND body "constexpr char k_${name}[] = {${bytes}};\n")
  string(APPEND table "    {\"${name}\", std::string_view(k_${name}, sizeof k_${name})},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from rules/mappings/*.yml; do not edit.\n#include \"detector/builtin_mappings.hpp\"\n#include <array>\nnamespace vigie {\nnamespace {\n${body}const BuiltinMapping kMappings[] = {\n${table}};\n}  // namespace\nstd::span<const BuiltinMapping> builtin_mappings() { return kMappings; }\n}  // namespace vigie\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUTPUT}.tmp" "${OUTPUT}")
