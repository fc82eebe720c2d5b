#!/usr/bin/env bash
# Installs what is missing, builds varstyle with its tests, and runs every test with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."

bash launch/install_deps.sh
bash launch/build.sh -DVARSTYLE_BUILD_TESTS=ON
cd build
ctest --output-on-failure --parallel "${VARSTYLE_TEST_JOBS:-2}" --timeout 600
