// Exceptions thrown by the core. The Python module translates each kind to the Python
// exception of the same name; a C++ embedder catches ember::Error.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace ember {

struct Error : std::runtime_error {              // -> RuntimeError
  using std::runtime_error::runtime_error;
};
struct ValueError : Error { using Error::Error; };
struct TypeError : Error { using Error::Error; };
struct IndexError : Error { using Error::Error; };
using RuntimeError = Error;

namespace detail {
template <class... Args>
std::string concat(Args&&... args) {
  std::ostringstream out;
  (out << ... << std::forward<Args>(args));
  return out.str();
}
}  // namespace detail

}  // namespace ember

// EMBER_CHECK(cond, Kind, message parts...): throw ember::Kind(concatenated parts) unless cond.
#define EMBER_CHECK(cond, Kind, ...)                                   \
  do {                                                                 \
    if (!(cond)) throw ::ember::Kind(::ember::detail::concat(__VA_ARGS__)); \
  } while (0)
