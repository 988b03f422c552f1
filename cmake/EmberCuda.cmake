# The CUDA backend (csrc/cuda). EMBER_CUDA picks how it is built:
#   AUTO     with nvcc when one is found, else none (the CPU library still works)
#   ON       with nvcc, or fail
#   EMULATE  as host code against the SIMT emulator (csrc/cuda/emu): device="cuda" runs on the CPU
#   OFF      none
string(TOUPPER "${EMBER_CUDA}" EMBER_CUDA)
if(NOT EMBER_CUDA MATCHES "^(AUTO|ON|OFF|EMULATE)$")
  message(FATAL_ERROR "EMBER_CUDA must be AUTO, ON, OFF or EMULATE (got '${EMBER_CUDA}')")
endif()

set(EMBER_CUDA_MODE "off")
if(EMBER_CUDA STREQUAL "AUTO" OR EMBER_CUDA STREQUAL "ON")
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    set(EMBER_CUDA_MODE "on")
  elseif(EMBER_CUDA STREQUAL "ON")
    message(FATAL_ERROR "EMBER_CUDA=ON but no CUDA compiler was found (set CUDACXX or PATH)")
  endif()
elseif(EMBER_CUDA STREQUAL "EMULATE")
  set(EMBER_CUDA_MODE "emulated")
endif()
option(EMBER_CUDA_WERROR "Treat nvcc and ptxas warnings as errors" OFF)
option(EMBER_CUDA_PTXAS_VERBOSE "Print ptxas register and spill counts" OFF)

if(EMBER_CUDA_MODE STREQUAL "on")
  if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
    set(CMAKE_CUDA_ARCHITECTURES 80 90)
  endif()
  set(CMAKE_CUDA_STANDARD 17)
  set(CMAKE_CUDA_STANDARD_REQUIRED ON)
  enable_language(CUDA)
  find_package(CUDAToolkit REQUIRED)
endif()
message(STATUS "ember: CUDA backend ${EMBER_CUDA_MODE} (EMBER_CUDA=${EMBER_CUDA})")

function(ember_add_cuda_backend target)
  target_compile_definitions(${target} PRIVATE EMBER_CUDA_MODE="${EMBER_CUDA_MODE}")
  if(EMBER_CUDA_MODE STREQUAL "off")
    target_sources(${target} PRIVATE ${PROJECT_SOURCE_DIR}/csrc/cuda/unavailable.cc)
    return()
  endif()
  file(GLOB kernels CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/csrc/cuda/*.cu)
  target_compile_definitions(${target} PRIVATE EMBER_WITH_CUDA=1)
  if(EMBER_CUDA_MODE STREQUAL "on")
    target_sources(${target} PRIVATE ${kernels})
    # Static runtime: importing ember on a machine without a driver still works.
    set_target_properties(${target} PROPERTIES CUDA_RUNTIME_LIBRARY Static)
    target_link_libraries(${target} PRIVATE CUDA::cudart_static)
    target_compile_options(${target} PRIVATE
      "$<$<COMPILE_LANGUAGE:CUDA>:--expt-relaxed-constexpr;-lineinfo>"
      $<$<AND:$<COMPILE_LANGUAGE:CUDA>,$<BOOL:${EMBER_CUDA_WERROR}>>:-Werror=all-warnings>
      $<$<AND:$<COMPILE_LANGUAGE:CUDA>,$<BOOL:${EMBER_CUDA_PTXAS_VERBOSE}>>:-Xptxas=-v>)
  else()
    # The same .cu sources as host C++ against the SIMT emulator.
    include(${PROJECT_SOURCE_DIR}/csrc/cuda/emu/emu.cmake)
    ember_cuda_emu_sources(${kernels})
    target_sources(${target} PRIVATE ${kernels})
    target_link_libraries(${target} PRIVATE ember_cuda_emu)
  endif()
endfunction()
