#!/usr/bin/env bash
# Bounded fuzzing for CI: installs the pinned cargo-fuzz, builds the fuzz
# targets in fuzz/, replays the committed seeds and regression inputs, then
# fuzzes each target for a fixed time. Exits non-zero if any input makes a
# target panic, hang (-timeout) or allocate too much (-rss_limit_mb /
# -malloc_limit_mb), after printing the input. See docs/FUZZING.md.
#
# Runs on the stable toolchain: without a sanitizer (`--sanitizer none`),
# cargo-fuzz needs no nightly flags. Overflow checks and debug assertions are
# on, as cargo-fuzz builds by default.
#
# Knobs (environment): FUZZ_SCENARIO_SECONDS (default 60),
# FUZZ_CLI_SECONDS (default 30).
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_FUZZ_VERSION=0.13.2
SCENARIO_SECONDS=${FUZZ_SCENARIO_SECONDS:-60}
CLI_SECONDS=${FUZZ_CLI_SECONDS:-30}
SANITIZER=none

echo "== cargo-fuzz $CARGO_FUZZ_VERSION"
if [ "$(cargo fuzz --version 2>/dev/null || true)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi
cargo fuzz --version

echo "== fuzz/Cargo.lock is up to date"
if ! cargo fetch --locked --manifest-path fuzz/Cargo.toml; then
    echo "fuzz/Cargo.lock does not match the dependencies (did Cargo.toml change?)." >&2
    echo "Run \`cargo fetch --manifest-path fuzz/Cargo.toml\` and commit fuzz/Cargo.lock." >&2
    exit 1
fi

echo "== cargo fuzz build (sanitizer: $SANITIZER)"
cargo fuzz build --sanitizer "$SANITIZER"

# Scratch space: the growing corpora, and TMPDIR, where the scenario target
# makes the folder its includes resolve in. Crash reproducers go to
# fuzz/artifacts/TARGET/.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export TMPDIR="$scratch/tmp"
mkdir -p "$TMPDIR"

# fuzz TARGET SECONDS MAX_LEN [EXTRA_SEED_DIR...]: fuzzes TARGET, starting from
# its seeds, its regression inputs and any extra folders that exist (all read
# only: libFuzzer writes new inputs to the first folder, the scratch corpus).
fuzz() {
    local target=$1 seconds=$2 max_len=$3
    shift 3
    local corpus="$scratch/corpus/$target"
    local dirs=("$corpus")
    mkdir -p "$corpus"
    for d in "fuzz/seeds/$target" "fuzz/regressions/$target" "$@"; do
        if [ -d "$d" ]; then
            dirs+=("$d")
        fi
    done
    rm -rf "fuzz/artifacts/$target"
    echo "== cargo fuzz run $target: ${seconds}s"
    local status=0
    cargo fuzz run --sanitizer "$SANITIZER" "$target" "${dirs[@]}" -- \
        -max_total_time="$seconds" \
        -max_len="$max_len" \
        -timeout=10 \
        -rss_limit_mb=2048 \
        -malloc_limit_mb=1024 \
        -print_final_stats=1 \
        >"$scratch/$target.log" 2>&1 || status=$?
    # Progress lines are many; keep the start, the crash report and the totals.
    grep -v -E '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse)|^[[:space:]]+NEW_FUNC|^"' "$scratch/$target.log" | tail -n 80 || true
    if [ "$status" -ne 0 ]; then
        echo "!! $target failed (exit $status). Reproducer(s), base64:" >&2
        for f in "fuzz/artifacts/$target"/*; do
            [ -f "$f" ] || continue
            echo "--- $f" >&2
            base64 -w 76 "$f" >&2
        done
        echo "Save it under fuzz/regressions/$target/ and see docs/FUZZING.md." >&2
        return "$status"
    fi
}

# The malformed scenarios of the integration tests are seeds too.
fuzz scenario "$SCENARIO_SECONDS" 8192 tests/bad_scenarios
fuzz cli_values "$CLI_SECONDS" 256
echo "== fuzzing found no crash"
