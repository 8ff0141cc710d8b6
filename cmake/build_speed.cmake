# What keeps the build fast (docs/BENCHMARKS.md, "Build and CI time"):
#  - ccache, when installed (deploy/bootstrap.sh installs it), with paths made relative to the
#    source root so that every clone on the machine shares one cache;
#  - precompiled headers for the heavy third-party headers, one per family of targets
#    (imgshare_fast_build below): most of a translation unit's time here went to
#    parsing gtest, cppzmq, msgpack, spdlog/fmt, nlohmann and RocksDB again and again;
#  - unity builds (imgshare_fast_build below): each target's files are compiled a batch at a
#    time, as one translation unit, so what they share (CLI11, gtest, msgpack's templates, our
#    own headers) is parsed, instantiated and optimised once per batch instead of once per file;
#  - line tables only (-g1) in the tests, where a backtrace is all that is read.
# IMGSHARE_FAST_BUILD=OFF turns all of it off (e.g. to check that every file includes what it
# uses, which a unity batch can hide); IMGSHARE_UNITY_BATCH=1 keeps the rest but compiles file
# by file, for a quicker edit-compile cycle on one file.
option(IMGSHARE_FAST_BUILD "ccache, precompiled headers and unity builds" ON)
set(IMGSHARE_UNITY_BATCH 8 CACHE STRING
    "files per unity batch (1: no unity build); larger builds everything faster, rebuilds one
     file's batch slower")

if(IMGSHARE_FAST_BUILD AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  find_program(IMGSHARE_CCACHE ccache)
  if(IMGSHARE_CCACHE)
    # pch_defines,time_macros: what ccache needs to cache compiles that use a precompiled header;
    # include_file_*time: a fresh clone's headers are all "new", and would otherwise miss.
    set(CMAKE_CXX_COMPILER_LAUNCHER
        ${CMAKE_COMMAND} -E env CCACHE_BASEDIR=${PROJECT_SOURCE_DIR} CCACHE_NOHASHDIR=1
        CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
        ${IMGSHARE_CCACHE})
  endif()
endif()

# GCC 12's -Warray-bounds, -Wstringop-overflow, -Wstringop-overread and -Wrestrict misfire on
# std::string's operator+ once enough is inlined (GCC bugs 105329 and 105651, fixed in 13); with
# the precompiled headers, files that compiled cleanly before reached that point. The sanitizer
# stage (ASan) and the fuzzers check bounds for real.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  add_compile_options(-Wno-array-bounds -Wno-stringop-overflow -Wno-stringop-overread
                      -Wno-restrict)
endif()

# The third-party headers every part of the project leans on.
set(IMGSHARE_PCH_HEADERS
  <algorithm> <array> <chrono> <cstdint> <filesystem> <functional> <map> <memory> <optional>
  <span> <string> <string_view> <vector> <expected>
  <sodium.h> <zmq.hpp> <msgpack.hpp> <fmt/format.h> <spdlog/spdlog.h> <nlohmann/json.hpp>)

# imgshare_unity_batches(<target>)
# Our own unity files instead of CMake's UNITY_BUILD: CMake writes each member as an absolute
# path (#include "/home/me/clone/common/x.cpp"), so a unity file's text differs from clone to
# clone and ccache never hits across clones (CI's clean clone missed everything a warm cache
# held). Here a member is included by its path from the source root, which is on every
# target's include path: the text, and so ccache's hash, is the same in every clone. A file is
# rewritten only when its list changes (file(CONFIGURE)), so a re-configure rebuilds nothing.
# A member is then HEADER_FILE_ONLY in its directory: a .cpp shared with a target that is not
# batched must be listed in that target's directory apart (the link says so, loudly).
function(imgshare_unity_batches target)
  get_target_property(sources ${target} SOURCES)
  get_target_property(source_dir ${target} SOURCE_DIR)
  set(members "")
  foreach(source IN LISTS sources)
    if(NOT source MATCHES "\\.cpp$")
      continue()
    endif()
    cmake_path(ABSOLUTE_PATH source BASE_DIRECTORY "${source_dir}" NORMALIZE
               OUTPUT_VARIABLE absolute)
    cmake_path(IS_PREFIX PROJECT_SOURCE_DIR "${absolute}" NORMALIZE inside)
    if(inside)
      list(APPEND members "${absolute}")
    endif()
  endforeach()
  list(LENGTH members count)
  if(count LESS 2)
    return()
  endif()
  set(batch 0)
  set(in_batch 0)
  set(content "")
  set(unity_files "")
  foreach(absolute IN LISTS members)
    file(RELATIVE_PATH relative "${PROJECT_SOURCE_DIR}" "${absolute}")
    string(APPEND content "#include \"${relative}\"\n")
    math(EXPR in_batch "${in_batch} + 1")
    if(in_batch EQUAL IMGSHARE_UNITY_BATCH)
      set(unity_file "${CMAKE_CURRENT_BINARY_DIR}/unity/${target}_${batch}.cpp")
      file(CONFIGURE OUTPUT "${unity_file}" CONTENT "// generated (cmake/build_speed.cmake)\n${content}")
      list(APPEND unity_files "${unity_file}")
      math(EXPR batch "${batch} + 1")
      set(in_batch 0)
      set(content "")
    endif()
  endforeach()
  if(in_batch GREATER 0)
    set(unity_file "${CMAKE_CURRENT_BINARY_DIR}/unity/${target}_${batch}.cpp")
    file(CONFIGURE OUTPUT "${unity_file}" CONTENT "// generated (cmake/build_speed.cmake)\n${content}")
    list(APPEND unity_files "${unity_file}")
  endif()
  set_source_files_properties(${members} PROPERTIES HEADER_FILE_ONLY ON)
  target_sources(${target} PRIVATE ${unity_files})
endfunction()

# imgshare_fast_build(<target> <family> [extra headers...])
# Unity batches of IMGSHARE_UNITY_BATCH files. In a batch, file-local names share one
# translation unit: two files' anonymous-namespace helpers of the same name and signature fail
# to compile (loudly; fold them into one shared helper or name each for what it does).
# Precompiled headers: the first target of a family compiles the header; every later one of
# the same family reuses it (REUSE_FROM), so each family's header is compiled once. Targets of
# a family must share compile flags and definitions (they do: each links imgshare_common, and
# the test family gtest).
function(imgshare_fast_build target family)
  if(NOT IMGSHARE_FAST_BUILD)
    return()
  endif()
  if(IMGSHARE_UNITY_BATCH GREATER 1)
    # Deferred to the end of the directory, so that sources added after this call are in too.
    cmake_language(EVAL CODE "cmake_language(DEFER CALL imgshare_unity_batches [[${target}]])")
  endif()
  get_property(owner GLOBAL PROPERTY IMGSHARE_PCH_OWNER_${family})
  if(owner)
    target_precompile_headers(${target} REUSE_FROM ${owner})
  else()
    target_precompile_headers(${target} PRIVATE ${IMGSHARE_PCH_HEADERS} ${ARGN})
    set_property(GLOBAL PROPERTY IMGSHARE_PCH_OWNER_${family} ${target})
  endif()
endfunction()
