# Project-wide target settings: strict warnings (errors) on mamori's own code only.
function(mamori_strict target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Woverloaded-virtual -Wimplicit-fallthrough -Werror)
  # GCC 12 (Debian 12's compiler) reports -Wrestrict inside libstdc++'s own std::string code
  # (operator+ and replace inlined at -O3 in C++20: "accessing 9223372036854775810 or more
  # bytes ... may overlap"), a known false positive of that release that broke Release builds in
  # several unrelated files. Off for GCC 12 at -O3 (Release) only; on everywhere else.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
     AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE $<$<CONFIG:Release>:-Wno-restrict>)
  endif()
  if(MAMORI_FUZZ)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
  endif()
endfunction()

# A folder of library code: every subfolder with .cpp files becomes its own static library
# mamori_<folder>_<sub> (tests of tests/<folder>/<sub>/ link just that one), and mamori_<folder>
# links them all. `deps` are linked to every part; parts named in COMMON are linked to the rest.
# Headers are included by their path from the repository root: "detectors/flameup/series.h".
function(mamori_folder_library folder)
  cmake_parse_arguments(ARG "" "" "DEPS;COMMON" ${ARGN})
  set(dir ${CMAKE_SOURCE_DIR}/${folder})
  file(GLOB children LIST_DIRECTORIES true CONFIGURE_DEPENDS ${dir}/*)
  add_library(mamori_${folder} INTERFACE)
  set(parts "")
  foreach(child IN LISTS children)
    if(NOT IS_DIRECTORY ${child})
      continue()
    endif()
    get_filename_component(sub ${child} NAME)
    file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${child}/*.cpp)
    if(NOT sources)
      continue()
    endif()
    set(target mamori_${folder}_${sub})
    if(target IN_LIST MAMORI_SKIP_PARTS)  # developer aid: build without a part in progress
      continue()
    endif()
    add_library(${target} STATIC ${sources})
    mamori_strict(${target})
    target_include_directories(${target} PUBLIC ${CMAKE_SOURCE_DIR})
    target_link_libraries(${target} PUBLIC ${ARG_DEPS})
    list(APPEND parts ${sub})
    target_link_libraries(mamori_${folder} INTERFACE ${target})
  endforeach()
  foreach(sub IN LISTS parts)
    foreach(common IN LISTS ARG_COMMON)
      if(NOT sub STREQUAL common AND common IN_LIST parts)
        target_link_libraries(mamori_${folder}_${sub} PUBLIC mamori_${folder}_${common})
      endif()
    endforeach()
  endforeach()
  target_include_directories(mamori_${folder} INTERFACE ${CMAKE_SOURCE_DIR})
  target_link_libraries(mamori_${folder} INTERFACE ${ARG_DEPS})
endfunction()
