# Precompiled LibTorch headers. Parsing <ATen/ATen.h> and <torch/nn/module.h> takes 10-20 s per
# file on one core, and about 110 of the build's files read them, most through the project's own
# headers. So one target compiles them once, and every file of a LibTorch target that reaches a
# LibTorch header reuses it (varstyle_use_torch_pch). Only those files: loading the 500 MB header
# costs a file that does not need it 2-5 s. Compilation is otherwise unchanged.
# -DVARSTYLE_PCH=OFF builds without it, to check that each file includes what it uses.
option(VARSTYLE_PCH "Precompile the LibTorch headers once and reuse them in every LibTorch target" ON)

if(VARSTYLE_PCH)
  add_library(varstyle_torch_pch OBJECT ${CMAKE_CURRENT_LIST_DIR}/torch_pch.cpp)
  # The same flags as the targets that reuse it, or GCC ignores the header (-Winvalid-pch says so):
  # LibTorch's and the io module's usage requirements, and the warning flags (-Wpedantic
  # undefines __cpp_runtime_arrays, which the header records).
  target_link_libraries(varstyle_torch_pch PRIVATE torch spdlog::spdlog fmt::fmt nlohmann_json::nlohmann_json
                                                   varstyle_warnings)
  target_precompile_headers(varstyle_torch_pch PRIVATE
    <ATen/ATen.h> <torch/nn/module.h> <torch/nn/modules/conv.h> <torch/csrc/autograd/grad_mode.h>
    <fmt/format.h> <spdlog/spdlog.h> <nlohmann/json.hpp>
    <string> <vector> <map> <filesystem> <algorithm>)
endif()

# Whether FILE reaches a heavy LibTorch header through its quoted includes, looked up beside the
# file, then in src/, tests/ and data_prep/. Memoised per file. Light ones (c10's, the grad-mode
# and version headers, ATen/Parallel.h) parse in under 0.6 s, less than loading the header.
function(varstyle_reaches_torch file out)
  get_property(known GLOBAL PROPERTY "VARSTYLE_REACHES_TORCH_${file}" SET)
  if(known)
    get_property(result GLOBAL PROPERTY "VARSTYLE_REACHES_TORCH_${file}")
    set(${out} ${result} PARENT_SCOPE)
    return()
  endif()
  set_property(GLOBAL PROPERTY "VARSTYLE_REACHES_TORCH_${file}" OFF)  # a cycle ends here
  set(result OFF)
  if(EXISTS "${file}")
    file(STRINGS "${file}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
    get_filename_component(dir "${file}" DIRECTORY)
    foreach(line IN LISTS includes)
      if(line MATCHES "<(torch|ATen)/" AND NOT line MATCHES
         "<(ATen/core/grad_mode|torch/csrc/autograd/grad_mode|torch/version|torch/cuda|ATen/Parallel)\\.h>")
        set(result ON)
        break()
      endif()
      if(line MATCHES "\"([^\"]+)\"")
        set(name "${CMAKE_MATCH_1}")
        foreach(root IN ITEMS "${dir}" "${PROJECT_SOURCE_DIR}/src" "${PROJECT_SOURCE_DIR}/tests" "${PROJECT_SOURCE_DIR}/data_prep")
          if(EXISTS "${root}/${name}")
            varstyle_reaches_torch("${root}/${name}" reaches)
            if(reaches)
              set(result ON)
            endif()
            break()
          endif()
        endforeach()
        if(result)
          break()
        endif()
      endif()
    endforeach()
  endif()
  set_property(GLOBAL PROPERTY "VARSTYLE_REACHES_TORCH_${file}" ${result})
  set(${out} ${result} PARENT_SCOPE)
endfunction()

# Reuses the precompiled LibTorch headers in the files of TARGET that reach a LibTorch header
# (a no-op with VARSTYLE_PCH=OFF).
function(varstyle_use_torch_pch target)
  if(NOT VARSTYLE_PCH)
    return()
  endif()
  target_precompile_headers(${target} REUSE_FROM varstyle_torch_pch)
  get_target_property(sources ${target} SOURCES)
  get_target_property(source_dir ${target} SOURCE_DIR)
  foreach(source IN LISTS sources)
    get_filename_component(path "${source}" ABSOLUTE BASE_DIR "${source_dir}")
    varstyle_reaches_torch("${path}" reaches)
    if(NOT reaches)
      set_source_files_properties("${source}" TARGET_DIRECTORY ${target} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
    endif()
  endforeach()
endfunction()
