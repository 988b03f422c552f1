# The CUDA backend (csrc/cuda) arrives with its own issue; this resolves the option so that
# every mode configures today and the build records what it chose.
string(TOUPPER "${EMBER_CUDA}" EMBER_CUDA)
if(NOT EMBER_CUDA MATCHES "^(AUTO|ON|OFF|EMULATE)$")
  message(FATAL_ERROR "EMBER_CUDA must be AUTO, ON, OFF or EMULATE (got '${EMBER_CUDA}')")
endif()
set(EMBER_CUDA_MODE "off")

function(ember_add_cuda_backend target)
  target_compile_definitions(${target} PRIVATE EMBER_CUDA_MODE="${EMBER_CUDA_MODE}")
endfunction()
