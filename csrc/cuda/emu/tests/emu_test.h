// A minimal test harness for the emulator self-tests. The test files compile both against the
// emulator (g++) and with nvcc; what only the emulator can check sits under EMBER_CUDA_EMULATED.
#pragma once

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "cuda/launch.h"

namespace emu_test {

struct Case {
  const char* name;
  void (*run)();
};

inline std::vector<Case>& registry() {
  static std::vector<Case> cases;
  return cases;
}

struct Register {
  Register(const char* name, void (*run)()) { registry().push_back(Case{name, run}); }
};

struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] inline void fail(const char* file, int line, const std::string& what) {
  throw Failure(std::string(file) + ":" + std::to_string(line) + ": " + what);
}

// The message of the exception `f` throws; a test failure if it throws none.
template <class F>
std::string error_of(F f, const char* file, int line) {
  try {
    f();
  } catch (const Failure&) {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  }
  fail(file, line, "expected an exception, none was thrown");
}

// Printable form of a checked value.
inline std::string show(const std::string& s) { return "\"" + s + "\""; }
template <class T>
std::string show(const T& v) {
  return std::to_string(v);
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

// Device memory for n elements of T, freed on scope exit.
template <class T>
class DeviceArray {
 public:
  explicit DeviceArray(size_t n) : n_(n) { EMBER_CUDA_CHECK(cudaMalloc(&p_, n * sizeof(T))); }
  explicit DeviceArray(const std::vector<T>& host) : DeviceArray(host.size()) {
    EMBER_CUDA_CHECK(cudaMemcpy(p_, host.data(), n_ * sizeof(T), cudaMemcpyHostToDevice));
  }
  ~DeviceArray() { (void)cudaFree(p_); }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  T* get() const { return p_; }
  std::vector<T> to_host() const {
    std::vector<T> out(n_);
    EMBER_CUDA_CHECK(cudaMemcpy(out.data(), p_, n_ * sizeof(T), cudaMemcpyDeviceToHost));
    return out;
  }
  void fill(int byte) { EMBER_CUDA_CHECK(cudaMemset(p_, byte, n_ * sizeof(T))); }

 private:
  T* p_ = nullptr;
  size_t n_;
};

#if defined(EMBER_CUDA_EMULATED)
// Restores the schedule in force when it was made.
class ScheduleScope {
 public:
  explicit ScheduleScope(ember::emu::Schedule s) : saved_(ember::emu::schedule()) {
    ember::emu::set_schedule(s);
  }
  ~ScheduleScope() { ember::emu::set_schedule(saved_); }

 private:
  ember::emu::Schedule saved_;
};

inline std::vector<ember::emu::Schedule> all_schedules() {
  using ember::emu::Order;
  return {{Order::kForward, 0}, {Order::kReverse, 0}, {Order::kRandom, 1},
          {Order::kRandom, 2}, {Order::kRandom, 20261122}};
}
#endif

// Runs `compute` (returning a host vector) under every schedule order and checks that all
// results are bitwise identical; returns the result. On a GPU: runs it once.
template <class F>
auto same_under_every_schedule(F compute, const char* file, int line) {
#if defined(EMBER_CUDA_EMULATED)
  decltype(compute()) first;
  bool have_first = false;
  for (const ember::emu::Schedule& s : all_schedules()) {
    ScheduleScope scope(s);
    auto result = compute();
    if (!have_first) {
      first = result;
      have_first = true;
    } else if (!same_bits(first, result)) {
      fail(file, line, "result under schedule " + ember::emu::to_string(s) +
                           " differs from the forward schedule's");
    }
  }
  return first;
#else
  (void)file;
  (void)line;
  return compute();
#endif
}

}  // namespace emu_test

#define EMU_TEST(name)                                                 \
  static void name();                                                  \
  static ::emu_test::Register name##_registration(#name, &name);       \
  static void name()

#define EMU_CHECK(cond)                                                             \
  do {                                                                              \
    if (!(cond)) ::emu_test::fail(__FILE__, __LINE__, "check failed: " #cond);      \
  } while (0)

#define EMU_CHECK_EQ(a, b)                                                          \
  do {                                                                              \
    const auto emu_a_ = (a);                                                        \
    const auto emu_b_ = (b);                                                        \
    if (!(emu_a_ == emu_b_)) {                                                      \
      ::emu_test::fail(__FILE__, __LINE__,                                          \
                       "check failed: " #a " == " #b " (" + ::emu_test::show(emu_a_) + \
                           " vs " + ::emu_test::show(emu_b_) + ")");             \
    }                                                                               \
  } while (0)

#define EMU_CHECK_CONTAINS(text, part)                                                   \
  do {                                                                                   \
    const std::string emu_text_ = (text);                                                \
    if (!::emu_test::contains(emu_text_, (part))) {                                      \
      ::emu_test::fail(__FILE__, __LINE__,                                               \
                       std::string("message lacks '") + (part) + "': " + emu_text_);     \
    }                                                                                    \
  } while (0)

#define EMU_ERROR_OF(...) ::emu_test::error_of([&] { __VA_ARGS__; }, __FILE__, __LINE__)
#define EMU_SAME_UNDER_EVERY_SCHEDULE(...) \
  ::emu_test::same_under_every_schedule([&] { return __VA_ARGS__; }, __FILE__, __LINE__)
