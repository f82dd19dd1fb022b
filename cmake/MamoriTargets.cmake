# Project-wide target settings: strict warnings (errors) on mamori's own code only.
function(mamori_strict target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Woverloaded-virtual -Wimplicit-fallthrough -Werror)
  if(MAMORI_FUZZ)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
  endif()
endfunction()

# One static library per top-level folder, made of every .cpp below it (minus `exclude` regex).
# Headers are included by their path from the repository root: "detectors/flameup/series.h".
function(mamori_library name dir)
  cmake_parse_arguments(ARG "" "EXCLUDE" "" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${dir}/*.cpp)
  if(ARG_EXCLUDE)
    list(FILTER sources EXCLUDE REGEX "${ARG_EXCLUDE}")
  endif()
  if(NOT sources)  # a folder whose code has not been written yet
    set(sources ${CMAKE_BINARY_DIR}/generated/${name}_empty.cpp)
    file(WRITE ${sources} "// ${name} has no sources yet.\n")
  endif()
  add_library(${name} STATIC ${sources})
  mamori_strict(${name})
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR})
endfunction()
