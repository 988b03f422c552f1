# Kernels in csrc/cpu/*.simd.cc are compiled once per instruction set; the dispatcher
# (csrc/cpu/dispatch.h) picks one at run time from the CPU's features. Nothing that ships is
# built with -march=native.
set(EMBER_SIMD_CAPABILITIES DEFAULT AVX2 AVX512)
set(EMBER_SIMD_FLAGS_DEFAULT "")
set(EMBER_SIMD_FLAGS_AVX2 -mavx2 -mfma -mf16c)
set(EMBER_SIMD_FLAGS_AVX512 -mavx512f -mavx512dq -mavx512bw -mavx512vl -mavx2 -mfma -mf16c
                            -mprefer-vector-width=512)

function(ember_add_simd_variants target)
  if(NOT ARGN)
    return()
  endif()
  foreach(cap IN LISTS EMBER_SIMD_CAPABILITIES)
    set(objlib ${target}_simd_${cap})
    add_library(${objlib} OBJECT ${ARGN})
    target_include_directories(${objlib} PRIVATE
      ${PROJECT_SOURCE_DIR}/csrc/include ${PROJECT_SOURCE_DIR}/csrc)
    target_compile_definitions(${objlib} PRIVATE EMBER_CPU_CAPABILITY=${cap})
    # -fno-trapping-math: ember never observes floating-point traps, and without it GCC will not
    # if-convert the selects of the vectorized math (csrc/cpu/elementwise_math.h), so those
    # loops would stay scalar. Results are unchanged; this is not fast-math.
    target_compile_options(${objlib} PRIVATE -O3 -Wall -Wextra -fno-math-errno -fno-trapping-math
                           ${EMBER_SIMD_FLAGS_${cap}})
    target_link_libraries(${objlib} PRIVATE OpenMP::OpenMP_CXX)
    target_sources(${target} PRIVATE $<TARGET_OBJECTS:${objlib}>)
  endforeach()
endfunction()
