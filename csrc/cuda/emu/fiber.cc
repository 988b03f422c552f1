#include "fiber.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <new>

#if EMBER_EMU_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

#if defined(__x86_64__) && defined(__ELF__)
#define EMBER_EMU_HAVE_ASM_SWITCH 1
// ember_emu_switch(save, next): pushes the callee-saved registers of the SysV ABI on the
// current stack, stores the stack pointer to *save, loads `next` and pops the same registers
// from there. Everything else the compiler already treats as clobbered by the call. MXCSR and
// the x87 control word are not switched: kernels do not change the floating-point environment.
// ember_emu_fiber_start is where a fresh fiber "returns" to: it calls the entry held in r12 on
// a 16-byte aligned stack with a zero frame pointer (the end of backtraces).
asm(R"(
  .text
  .p2align 4
  .globl ember_emu_switch
  .hidden ember_emu_switch
  .type ember_emu_switch, @function
ember_emu_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size ember_emu_switch, .-ember_emu_switch

  .p2align 4
  .globl ember_emu_fiber_start
  .hidden ember_emu_fiber_start
  .type ember_emu_fiber_start, @function
ember_emu_fiber_start:
  xorl %ebp, %ebp
  callq *%r12
  ud2
  .size ember_emu_fiber_start, .-ember_emu_fiber_start
)");
extern "C" void ember_emu_switch(void** save_sp, void* next_sp);
extern "C" void ember_emu_fiber_start();
#else
#define EMBER_EMU_HAVE_ASM_SWITCH 0
#endif

namespace ember::emu::detail {

FiberStack::FiberStack(size_t usable_bytes) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_ = (usable_bytes + page - 1) / page * page;
  mapped_bytes_ = size_ + page;
  mapping_ = mmap(nullptr, mapped_bytes_, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mapping_ == MAP_FAILED) throw std::bad_alloc();
  if (mprotect(mapping_, page, PROT_NONE) != 0) {
    munmap(mapping_, mapped_bytes_);
    throw std::bad_alloc();
  }
  bottom_ = static_cast<char*>(mapping_) + page;
}

FiberStack::~FiberStack() { munmap(mapping_, mapped_bytes_); }

void fiber_prepare(Fiber& fiber, FiberBackend backend, FiberStack& stack, FiberEntry entry) {
  fiber.stack_bottom = stack.bottom();
  fiber.stack_size = stack.size();
  fiber.fake_stack = nullptr;
#if EMBER_EMU_ASAN
  // A fiber abandoned by an aborted block may have left poisoned redzones of live frames.
  __asan_unpoison_memory_region(stack.bottom(), stack.size());
#endif
  if (backend == FiberBackend::kUcontext) {
    if (!fiber.uc) fiber.uc = std::make_unique<ucontext_t>();
    getcontext(fiber.uc.get());
    fiber.uc->uc_stack.ss_sp = stack.bottom();
    fiber.uc->uc_stack.ss_size = stack.size();
    fiber.uc->uc_link = nullptr;
    makecontext(fiber.uc.get(), entry, 0);
    return;
  }
#if EMBER_EMU_HAVE_ASM_SWITCH
  // The frame ember_emu_switch pops: r15 r14 r13 r12 rbx rbp, then the return address. After
  // the ret, rsp = top (16-byte aligned), as the call in ember_emu_fiber_start requires.
  auto top = reinterpret_cast<uintptr_t>(stack.bottom() + stack.size()) & ~uintptr_t{15};
  void** sp = reinterpret_cast<void**>(top);
  *--sp = reinterpret_cast<void*>(&ember_emu_fiber_start);
  *--sp = nullptr;                              // rbp
  *--sp = nullptr;                              // rbx
  *--sp = reinterpret_cast<void*>(entry);       // r12
  *--sp = nullptr;                              // r13
  *--sp = nullptr;                              // r14
  *--sp = nullptr;                              // r15
  fiber.sp = sp;
#else
  (void)entry;
  throw Error(cudaErrorNotSupported, "ember emulator: asm fibers are not available here");
#endif
}

void fiber_switch(Fiber& from, Fiber& to, FiberBackend backend, bool finished) {
#if EMBER_EMU_ASAN
  __sanitizer_start_switch_fiber(finished ? nullptr : &from.fake_stack, to.stack_bottom,
                                 to.stack_size);
#else
  (void)finished;
#endif
  if (backend == FiberBackend::kUcontext) {
    if (!from.uc) from.uc = std::make_unique<ucontext_t>();  // the scheduler's context
    swapcontext(from.uc.get(), to.uc.get());
  } else {
#if EMBER_EMU_HAVE_ASM_SWITCH
    ember_emu_switch(&from.sp, to.sp);
#endif
  }
#if EMBER_EMU_ASAN
  __sanitizer_finish_switch_fiber(from.fake_stack, nullptr, nullptr);
#endif
}

void fiber_started(Fiber* record_origin) {
#if EMBER_EMU_ASAN
  __sanitizer_finish_switch_fiber(nullptr, record_origin ? &record_origin->stack_bottom : nullptr,
                                  record_origin ? &record_origin->stack_size : nullptr);
#else
  (void)record_origin;
#endif
}

}  // namespace ember::emu::detail

bool ember::emu::asm_fibers_available() { return EMBER_EMU_HAVE_ASM_SWITCH != 0; }
