# varstyle_module(NAME FOLDERS f... SOURCES s... [USES module...] [PUBLIC_LIBS l...] [PRIVATE_LIBS l...])
# One module = one static library, varstyle_NAME, made of the sources of its src/ folders. It
# links the modules it USES, and its files may include headers only from its own folders and from
# the folders of the modules it reaches through USES: an include against that order stops the
# build (VarstyleCheckIncludes.cmake, at configure time and again on every build).
set(VARSTYLE_RULES_FILE ${CMAKE_BINARY_DIR}/varstyle_module_rules.cmake)
file(WRITE ${VARSTYLE_RULES_FILE} "set(VARSTYLE_SOURCE_ROOT \"${PROJECT_SOURCE_DIR}/src\")\n")

function(varstyle_module name)
  cmake_parse_arguments(M "" "" "FOLDERS;SOURCES;USES;PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
  add_library(varstyle_${name} STATIC ${M_SOURCES})
  set(used_targets "")
  set(reach ${M_FOLDERS})
  foreach(used IN LISTS M_USES)
    list(APPEND used_targets varstyle_${used})
    get_property(used_reach GLOBAL PROPERTY VARSTYLE_REACH_${used})
    if(NOT used_reach)
      message(FATAL_ERROR "varstyle_module(${name}): module '${used}' is not defined yet (define the modules in order)")
    endif()
    list(APPEND reach ${used_reach})
  endforeach()
  list(REMOVE_DUPLICATES reach)
  set_property(GLOBAL PROPERTY VARSTYLE_REACH_${name} ${reach})
  # A module that links LibTorch, itself or through a module it uses, reuses its precompiled headers.
  set(uses_torch OFF)
  if("torch" IN_LIST M_PUBLIC_LIBS)
    set(uses_torch ON)
  endif()
  foreach(used IN LISTS M_USES)
    get_property(used_torch GLOBAL PROPERTY VARSTYLE_TORCH_${used})
    if(used_torch)
      set(uses_torch ON)
    endif()
  endforeach()
  set_property(GLOBAL PROPERTY VARSTYLE_TORCH_${name} ${uses_torch})
  if(uses_torch)
    varstyle_use_torch_pch(varstyle_${name})
  endif()
  target_link_libraries(varstyle_${name} PUBLIC ${used_targets} ${M_PUBLIC_LIBS} PRIVATE ${M_PRIVATE_LIBS} varstyle_warnings)
  varstyle_unity(varstyle_${name})
  foreach(folder IN LISTS M_FOLDERS)
    file(APPEND ${VARSTYLE_RULES_FILE}
         "list(APPEND VARSTYLE_CHECKED_FOLDERS ${folder})\nset(VARSTYLE_MODULE_${folder} ${name})\n"
         "list(APPEND VARSTYLE_ALLOWED_${folder} ${reach})\n")
  endforeach()
endfunction()

# After every module is defined: the check now, and a target that repeats it on every build.
function(varstyle_check_modules)
  set(VARSTYLE_RULES ${VARSTYLE_RULES_FILE})
  include(${CMAKE_CURRENT_FUNCTION_LIST_DIR}/VarstyleCheckIncludes.cmake)
  add_custom_target(varstyle_module_check ALL
    COMMAND ${CMAKE_COMMAND} -DVARSTYLE_RULES=${VARSTYLE_RULES_FILE} -P ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/VarstyleCheckIncludes.cmake
    COMMENT "Checking includes against the module order" VERBATIM)
endfunction()
