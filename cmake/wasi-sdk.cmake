# Toolchain file for wasm32-wasi, in the wasi-sdk layout:
#   clang --target=wasm32-wasi --sysroot=<sysroot>
#
# With the environment variable WASI_SDK_PATH set (an upstream wasi-sdk), the compiler is
# $WASI_SDK_PATH/bin/clang and the sysroot $WASI_SDK_PATH/share/wasi-sysroot.
# Without it, Debian's packages are used: clang + lld + wasi-libc + libclang-rt-dev-wasm32,
# whose sysroot is /usr (headers in /usr/include/wasm32-wasi, libc in /usr/lib/wasm32-wasi).
#
#   cmake -S . -B build/wasi -DCMAKE_TOOLCHAIN_FILE=cmake/wasi-sdk.cmake

set(CMAKE_SYSTEM_NAME WASI)            # cmake/Platform/WASI.cmake: sets WASI and the .wasm suffix
set(CMAKE_SYSTEM_VERSION 1)
set(CMAKE_SYSTEM_PROCESSOR wasm32)
list(APPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_LIST_DIR}")

set(WASI_TRIPLE wasm32-wasi)

if(DEFINED ENV{WASI_SDK_PATH} AND NOT "$ENV{WASI_SDK_PATH}" STREQUAL "")
  file(TO_CMAKE_PATH "$ENV{WASI_SDK_PATH}" WASI_SDK_PREFIX)
  set(CMAKE_C_COMPILER "${WASI_SDK_PREFIX}/bin/clang")
  set(CMAKE_AR "${WASI_SDK_PREFIX}/bin/llvm-ar" CACHE FILEPATH "")
  set(CMAKE_RANLIB "${WASI_SDK_PREFIX}/bin/llvm-ranlib" CACHE FILEPATH "")
  set(CMAKE_SYSROOT "${WASI_SDK_PREFIX}/share/wasi-sysroot")
else()
  find_program(WASI_CLANG NAMES clang clang-14 REQUIRED)
  set(CMAKE_C_COMPILER "${WASI_CLANG}")
  set(CMAKE_SYSROOT /usr)
endif()

set(CMAKE_C_COMPILER_TARGET ${WASI_TRIPLE})
# Search headers and libraries in the sysroot only, programs (wasm-opt) on the host.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
