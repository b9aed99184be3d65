#!/usr/bin/env bash
# Build cost, measured side by side in one run on this machine:
#  1. a cold `cargo build` (dev profile, empty target dir, sources already downloaded) of a
#     one-call hang-up program on msgraph-calls and on graph-rs-sdk 3.0.1;
#  2. cold builds of the msgraph-calls program with its `inbound` feature (the callback
#     validator and the receiver), its `callbacks` feature (msgraph-calls' `axum` feature: the
#     same and the axum extractor), its `sessions` feature (call sessions), and its `aws-lc`
#     feature (`inbound` on aws-lc-rs, TLS too);
#  3. the rebuild of the msgraph-calls program after a one-line edit of schema/openapi.yaml
#     (made in a copy of the crate, so the working tree is never touched).
# Usage: benches/build-cost/run.sh   (prints one line per measurement, seconds)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A copy of the crate and of both programs; the msgraph-calls program points at the copy.
mkdir -p "$work/crate"
(cd "$root" && cp -r Cargo.toml Cargo.lock build.rs README.md schema src codegen xtask benches "$work/crate/")
rm -rf "$work/crate/benches/build-cost/"*/target
for program in msgraph-calls graph-rs-sdk; do
  (cd "$work/crate/benches/build-cost/$program" && cargo fetch --locked -q)
done

seconds() { local start end; start=$(date +%s.%N); "$@"; end=$(date +%s.%N); echo "$end - $start" | bc; }

for program in msgraph-calls graph-rs-sdk; do
  dir="$work/crate/benches/build-cost/$program"
  t=$(cd "$dir" && seconds env CARGO_TARGET_DIR="$dir/target" cargo build --locked -q)
  echo "cold build, hang-up program on $program: $t s"
done

dir="$work/crate/benches/build-cost/msgraph-calls"
for feature in inbound callbacks sessions aws-lc; do
  t=$(cd "$dir" && seconds env CARGO_TARGET_DIR="$dir/target-$feature" cargo build --locked -q --features "$feature")
  echo "cold build, the msgraph-calls program with the $feature feature: $t s"
done

# A property's description: it reaches the generated model's docs, so the crate is regenerated
# and recompiled (an edit of `info.description` changes no generated line and costs nothing).
sed -i "s/^          description: The unique identifier of the call\\.$/          description: (edited) The unique identifier of the call./" "$work/crate/schema/openapi.yaml"
grep -q "(edited) The unique identifier of the call" "$work/crate/schema/openapi.yaml"
t=$(cd "$dir" && seconds env CARGO_TARGET_DIR="$dir/target" cargo build --locked -q)
echo "rebuild after a one-line schema edit, msgraph-calls program: $t s"
