#!/usr/bin/env bash
# CI entry point for the SIMT emulator.
#   run.sh        build and run the self-tests (build/emu-tests), then the nvcc compile check
#   run.sh asan   the same under ASan+UBSan (build/emu-tests-asan), with the planted
#                 out-of-bounds tests that only a sanitized build can catch
#   run.sh nvcc   only the nvcc compile check: every .cu for sm_80 and sm_90, warnings as
#                 errors, ptxas's register/spill report printed
# The nvcc check is skipped (with a message) where nvcc is not installed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
mode="${1:-normal}"

nvcc_check() {
  if ! command -v nvcc >/dev/null; then
    echo "nvcc not found: compile check skipped"
    return 0
  fi
  local out
  out="$(mktemp -d)"
  trap 'rm -rf "$out"' RETURN
  for arch in sm_80 sm_90; do
    for src in "$here"/*.cu; do
      echo "== nvcc -arch=$arch $(basename "$src")"
      nvcc -std=c++17 -arch="$arch" -c "$src" -o "$out/$(basename "$src" .cu).$arch.o" \
        -I"$root/csrc" -I"$root/csrc/include" -Werror all-warnings -Xptxas -v \
        -Xcompiler -Wall,-Wextra,-Werror 2>&1 | sed -n '/ptxas info *: Compiling entry\|Used\|spill\|error\|warning/p'
      test "${PIPESTATUS[0]}" -eq 0
    done
  done
  echo "nvcc compile check passed (sm_80, sm_90)"
}

selftests() {
  local build="$1"
  shift
  cmake -S "$here" -B "$build" -G Ninja "$@" >/dev/null
  cmake --build "$build" -j 2
  ctest --test-dir "$build" --output-on-failure
}

case "$mode" in
  normal) selftests "$root/build/emu-tests"; nvcc_check ;;
  asan) selftests "$root/build/emu-tests-asan" -DEMBER_EMU_SANITIZE=ON; nvcc_check ;;
  nvcc) nvcc_check ;;
  *) echo "usage: $0 [asan|nvcc]" >&2; exit 2 ;;
esac
