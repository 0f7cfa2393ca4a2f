#!/usr/bin/env bash
# The test command: builds and runs every test (unit, golden image, end-to-end CLI),
# then checks the shipped data.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build
.build/debug/frontline validate
