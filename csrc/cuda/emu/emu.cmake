# The SIMT emulator as a static library. include() it, then link `ember_cuda_emu`: that brings
# the include roots (csrc for "cuda/launch.h", csrc/include for "ember/error.h"), EMBER_CUDA_EMULATE and the flags .cu sources
# need under a host compiler: -Wno-unknown-pragmas (#pragma unroll) and -fno-strict-aliasing
# (float4 casts of float pointers). Mark .cu files as C++ with ember_cuda_emu_sources(...).
set(_EMBER_EMU_DIR ${CMAKE_CURRENT_LIST_DIR})
add_library(ember_cuda_emu STATIC
  ${_EMBER_EMU_DIR}/fiber.cc ${_EMBER_EMU_DIR}/scheduler.cc ${_EMBER_EMU_DIR}/runtime.cc)
target_include_directories(ember_cuda_emu PUBLIC ${_EMBER_EMU_DIR}/../.. ${_EMBER_EMU_DIR}/../../include)
target_compile_definitions(ember_cuda_emu PUBLIC EMBER_CUDA_EMULATE=1)
target_compile_options(ember_cuda_emu PUBLIC -Wno-unknown-pragmas -fno-strict-aliasing)
target_compile_options(ember_cuda_emu PRIVATE -Wall -Wextra)
set_target_properties(ember_cuda_emu PROPERTIES POSITION_INDEPENDENT_CODE ON)

function(ember_cuda_emu_sources)
  set_source_files_properties(${ARGN} PROPERTIES LANGUAGE CXX)
endfunction()
