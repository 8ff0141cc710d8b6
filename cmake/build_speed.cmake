# What keeps the build fast (docs/BENCHMARKS.md, "Build and CI time"):
#  - ccache, when installed (deploy/bootstrap.sh installs it), with paths made relative to the
#    source root so that every clone on the machine shares one cache;
#  - precompiled headers for the heavy third-party headers, one per family of targets
#    (imgshare_precompile_headers below): most of a translation unit's time here went to
#    parsing gtest, cppzmq, msgpack, spdlog/fmt, nlohmann and RocksDB again and again;
#  - line tables only (-g1) in the tests, where a backtrace is all that is read.
# IMGSHARE_FAST_BUILD=OFF turns the caching and precompiled headers off (e.g. to check that
# every file includes what it uses).
option(IMGSHARE_FAST_BUILD "ccache and precompiled headers" ON)

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

# imgshare_precompile_headers(<target> <family> [extra headers...])
# The first target of a family compiles the header; every later one of the same family reuses
# it (REUSE_FROM), so each family's header is compiled once. Targets of a family must share
# compile flags and definitions (they do: each links imgshare_common, and the test family gtest).
function(imgshare_precompile_headers target family)
  if(NOT IMGSHARE_FAST_BUILD)
    return()
  endif()
  get_property(owner GLOBAL PROPERTY IMGSHARE_PCH_OWNER_${family})
  if(owner)
    target_precompile_headers(${target} REUSE_FROM ${owner})
  else()
    target_precompile_headers(${target} PRIVATE ${IMGSHARE_PCH_HEADERS} ${ARGN})
    set_property(GLOBAL PROPERTY IMGSHARE_PCH_OWNER_${family} ${target})
  endif()
endfunction()
