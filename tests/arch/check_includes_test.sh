#!/usr/bin/env bash
# The module-order check (cmake/VarstyleCheckIncludes.cmake) on a small tree: an include of a
# module the file's module does not use is refused, naming the file and the include; the same
# tree without it passes. Usage: check_includes_test.sh CHECK_SCRIPT
set -euo pipefail
script=$1
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/src/core" "$tree/src/train" "$tree/src/eval"
echo '#include "core/error.h"' >"$tree/src/train/trainer.cpp"
echo '#include "train/trainer.h"' >"$tree/src/eval/evaluator.cpp"
cat >"$tree/rules.cmake" <<RULES
set(VARSTYLE_SOURCE_ROOT "$tree/src")
list(APPEND VARSTYLE_CHECKED_FOLDERS core train eval)
set(VARSTYLE_MODULE_core io)
list(APPEND VARSTYLE_ALLOWED_core core)
set(VARSTYLE_MODULE_train train)
list(APPEND VARSTYLE_ALLOWED_train train core)
set(VARSTYLE_MODULE_eval eval)
list(APPEND VARSTYLE_ALLOWED_eval eval train core)
RULES
cmake -DVARSTYLE_RULES="$tree/rules.cmake" -P "$script" || { echo "FAIL: a tree in module order was refused"; exit 1; }
# A backward include: train may not use eval.
echo '#include "eval/summary.h"' >>"$tree/src/train/trainer.cpp"
if output=$(cmake -DVARSTYLE_RULES="$tree/rules.cmake" -P "$script" 2>&1); then
  echo "FAIL: the backward include was accepted"; exit 1
fi
grep -q 'src/train/trainer.cpp: #include "eval/summary.h" -- module train may include only train, core' <<<"$output" ||
  { echo "FAIL: the refusal does not name the file and the rule:"; echo "$output"; exit 1; }
echo "ok"
