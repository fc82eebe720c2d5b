# Warning flags on an INTERFACE target, linked by every varstyle target (never by dependencies).
add_library(varstyle_warnings INTERFACE)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(varstyle_warnings INTERFACE -Wall -Wextra -Wpedantic -Wno-unused-parameter)
endif()
