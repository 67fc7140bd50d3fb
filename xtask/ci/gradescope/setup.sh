#!/usr/bin/env bash
# Gradescope autograder setup: runs once, as root, when Gradescope builds the autograder image.
#
# The autograder zip holds this repository (the pristine katas: checks, harness, manifests) with
# this file and `run_autograder` at its top level; Gradescope unpacks it to /autograder/source.
# Build the zip from the repository root with:
#   git archive --format=zip -o autograder.zip HEAD
#   (cd xtask/ci/gradescope && zip ../../../autograder.zip setup.sh run_autograder)
set -euo pipefail

cd /autograder/source

# A C toolchain for linking, curl for rustup, and redis-server (job_queue's checks start one).
if ! command -v cc >/dev/null || ! command -v curl >/dev/null || ! command -v redis-server >/dev/null; then
    apt-get update
    apt-get install -y --no-install-recommends build-essential ca-certificates curl redis-server
fi

# Rust (1.87 or newer), unless the image already has it.
if ! command -v cargo >/dev/null; then
    if [ ! -x "$HOME/.cargo/bin/cargo" ]; then
        curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs |
            sh -s -- -y --profile minimal --default-toolchain stable
    fi
    # shellcheck disable=SC1091
    source "$HOME/.cargo/env"
fi
cargo --version

# Pre-build: the CLI, and the dependencies of every backend (std, loom, shuttle) by grading one
# reference solution, so that grading a submission builds only the learner's own files.
warm=$(mktemp -d)
mkdir -p "$warm/exercises/01-races/hit_counter/src"
cp solutions/hit_counter/lib.rs "$warm/exercises/01-races/hit_counter/src/lib.rs"
cargo xtask grade --submission "$warm" --kata hit_counter --format json --output "$warm/grade.json"
rm -rf "$warm"
