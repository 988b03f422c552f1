// Block and thread scheduling of the SIMT emulator (internal to csrc/cuda/emu).
//
// A launch runs its blocks one after another on the calling OS thread, in the order of the
// current Schedule. Within a block every CUDA thread is a fiber. The scheduler runs each
// runnable thread until it blocks at a synchronisation point or returns (a "pass"), then
// resolves what can proceed: a warp collective whose named, non-exited lanes have all arrived,
// or a __syncthreads that every thread of the block waits at. What cannot proceed is a bug in
// the kernel and is reported with block/thread coordinates and the file:line of the call:
//   - a __syncthreads some threads never reach because they returned,
//   - threads of one block waiting at different __syncthreads calls,
//   - a warp collective whose lanes disagree on the operation, mask or width,
//   - a shuffle that reads a lane which does not take part,
//   - a deadlock (lanes of a collective wait at __syncthreads).
// Checking the launch configuration (block/grid limits, dynamic shared memory) happens
// before any thread runs. The error aborts the block: every suspended fiber is resumed once
// to unwind its stack, then ember::emu::Error is thrown to the launcher.
#pragma once

#include <cstdint>
#include <string>

#include "cuda_emu.h"

namespace ember::emu::detail {

// Limits of the emulated device (sm_80 class), also reported by cudaGetDeviceProperties.
constexpr unsigned kMaxThreadsPerBlock = 1024;
constexpr unsigned kMaxBlockDim[3] = {1024, 1024, 64};
constexpr unsigned kMaxGridDim[3] = {2147483647u, 65535, 65535};
constexpr size_t kDefaultDynamicSmem = 48 * 1024;
constexpr size_t kMaxDynamicSmemOptin = 166912;  // 163 KiB, what an A100 opts in to

// Per-kernel dynamic shared memory limit set with cudaFuncSetAttribute.
size_t dynamic_smem_limit(const void* kernel_key);
void set_dynamic_smem_limit(const void* kernel_key, size_t bytes);

std::string format_dim(dim3 d);

}  // namespace ember::emu::detail
