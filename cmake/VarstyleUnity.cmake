# Unity builds: each library's sources compiled eight at a time as one file, so the headers they
# share (LibTorch's, CLI11's, spdlog's) are parsed once per eight files instead of once per file.
# A cold build with tests on 2 cores takes about a third less than with the precompiled header
# alone (experiments/bench/RESULTS.md, "Build, tests and demo"). The files of one group share
# their file-local names, and two functions of one name but other parameters would compile and may
# call each other's overload:
# tests/arch/unity_names_test.py (ctest unity_names) refuses any file-local name declared in two
# sources of one target, whether or not this build is a unity build. A change to one file
# recompiles its group; -DVARSTYLE_UNITY=OFF compiles file by file (faster for editing one file,
# and, with -DVARSTYLE_PCH=OFF too, a check that each file includes what it uses).
option(VARSTYLE_UNITY "Compile each library's sources in groups of eight (a faster cold build)" ON)

set(VARSTYLE_UNITY_MANIFEST ${CMAKE_BINARY_DIR}/varstyle_unity_sources.txt)
file(WRITE ${VARSTYLE_UNITY_MANIFEST} "")

# varstyle_unity(TARGET): TARGET is built as a unity build (with VARSTYLE_UNITY), and its sources
# are listed for the name check either way.
function(varstyle_unity target)
  get_target_property(sources ${target} SOURCES)
  get_target_property(source_dir ${target} SOURCE_DIR)
  foreach(source IN LISTS sources)
    if(source MATCHES "\\.cpp$")
      get_filename_component(path "${source}" ABSOLUTE BASE_DIR "${source_dir}")
      file(APPEND ${VARSTYLE_UNITY_MANIFEST} "${target}\t${path}\n")
    endif()
  endforeach()
  if(VARSTYLE_UNITY)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
  endif()
endfunction()
