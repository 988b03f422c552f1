// User-space fibers for the SIMT emulator: one per CUDA thread of the running block.
// Two implementations: a hand-written x86-64 switch (saves only the callee-saved registers,
// 7-30x faster than swapcontext, which also makes a sigprocmask system call per switch) and
// ucontext as the portable fallback. Under ASan every switch is annotated, or ASan would see
// a jump between stacks as a stack overflow / bad access.
#pragma once

#include <ucontext.h>

#include <cstddef>
#include <memory>

#include "cuda_emu.h"

#if defined(__SANITIZE_ADDRESS__)
#define EMBER_EMU_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EMBER_EMU_ASAN 1
#endif
#endif
#ifndef EMBER_EMU_ASAN
#define EMBER_EMU_ASAN 0
#endif

namespace ember::emu::detail {

// A stack with an inaccessible guard page below it, so that an overflow faults instead of
// silently corrupting the neighbouring fiber's stack.
class FiberStack {
 public:
  explicit FiberStack(size_t usable_bytes);
  ~FiberStack();
  FiberStack(const FiberStack&) = delete;
  FiberStack& operator=(const FiberStack&) = delete;
  char* bottom() const { return bottom_; }
  size_t size() const { return size_; }

 private:
  void* mapping_;
  size_t mapped_bytes_;
  char* bottom_;
  size_t size_;
};

struct Fiber {
  void* sp = nullptr;                  // kAsm: saved stack pointer
  std::unique_ptr<ucontext_t> uc;      // kUcontext (allocated on first use: ~1 KiB)
  // ASan bookkeeping: the stack this fiber runs on and its fake stack while switched out.
  const void* stack_bottom = nullptr;
  size_t stack_size = 0;
  void* fake_stack = nullptr;
};

using FiberEntry = void (*)();

// Makes `fiber` start `entry` on `stack` at its next switch-in. `entry` must never return: it
// ends by switching away with `finished` set.
void fiber_prepare(Fiber& fiber, FiberBackend backend, FiberStack& stack, FiberEntry entry);
// Saves the current context into `from` and resumes `to`. `finished`: `from` is never resumed
// again (before the next fiber_prepare), so ASan may drop its fake stack.
void fiber_switch(Fiber& from, Fiber& to, FiberBackend backend, bool finished);
// First statement of every fiber entry: completes the ASan switch. `record_origin`, if not
// null, receives the bounds of the stack switched from: the scheduler's own stack, which is not
// ours to allocate, when the fiber was started by the scheduler.
void fiber_started(Fiber* record_origin);

}  // namespace ember::emu::detail
