# Checks that every `#include "folder/..."` in src/ names a folder its module may use. Run at
# configure time (VarstyleModule.cmake) and on every build (the varstyle_module_check target) as
#   cmake -DVARSTYLE_RULES=<rules file> -P VarstyleCheckIncludes.cmake
# The rules file sets VARSTYLE_SOURCE_ROOT, VARSTYLE_CHECKED_FOLDERS and, per folder F,
# VARSTYLE_ALLOWED_<F> (the folders F's files may include) and VARSTYLE_MODULE_<F> (its module).
cmake_minimum_required(VERSION 3.18)  # script mode (-P) starts with no policies set
include(${VARSTYLE_RULES})
set(_violations "")
foreach(_folder IN LISTS VARSTYLE_CHECKED_FOLDERS)
  file(GLOB _files ${VARSTYLE_SOURCE_ROOT}/${_folder}/*.h ${VARSTYLE_SOURCE_ROOT}/${_folder}/*.cpp)
  foreach(_file IN LISTS _files)
    file(STRINGS ${_file} _lines REGEX "^#include \"[a-z_]+/")
    foreach(_line IN LISTS _lines)
      string(REGEX MATCH "^#include \"([a-z_]+)/" _ "${_line}")
      set(_used ${CMAKE_MATCH_1})
      if(NOT _used IN_LIST VARSTYLE_ALLOWED_${_folder})
        file(RELATIVE_PATH _shown ${VARSTYLE_SOURCE_ROOT}/.. ${_file})
        string(REPLACE ";" ", " _may "${VARSTYLE_ALLOWED_${_folder}}")
        string(APPEND _violations "\n  ${_shown}: ${_line} -- module ${VARSTYLE_MODULE_${_folder}} may include only ${_may}")
      endif()
    endforeach()
  endforeach()
endforeach()
if(_violations)
  message(FATAL_ERROR "Includes against the module order (src/CMakeLists.txt, docs/architecture.md):${_violations}")
endif()
