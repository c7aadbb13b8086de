#!/usr/bin/env bash
# Peak memory of the handler for a file upload and download (docs/PERFORMANCE.md,
# "Files"). For each size it starts a fresh handler on loopback with its own
# temporary data folder, registers a company, creates a project, uploads a
# file of random bytes with curl (multipart), downloads it again, checks the
# bytes, and reads the process's peak resident set (VmHWM in
# /proc/<pid>/status). Bytes are streamed, so the peaks must differ by less
# than 32 MiB however large the file.
#
#   scripts/bench-files-rss.sh [--release] [SIZE_MIB...]     (default: 10 256)
#
# Local indexing stays on, as for `cargo run` users, and the script waits for
# it, so the peak includes `index-document` reading the blob. Password
# hashing runs at its cheapest (LMS_ARGON2_MEMORY_KIB=8): its 19 MiB
# production buffer would only add the same constant to every figure.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=debug
if [[ "${1:-}" == "--release" ]]; then
  profile=release
  shift
fi
sizes=("$@")
[[ ${#sizes[@]} -eq 0 ]] && sizes=(10 256)

if [[ $profile == release ]]; then cargo build --release --quiet; else cargo build --quiet; fi
binary="target/$profile/insite-lms"
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The value of a top-level string field of a JSON document on stdin.
field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }

kib_of() { awk "/^$2:/ {print \$2}" "/proc/$1/status"; }

run_one() {
  local mib=$1 port=$((20000 + RANDOM % 20000))
  local data="$work/data-$mib" file="$work/upload-$mib.bin" back="$work/download-$mib.bin"
  local base="http://127.0.0.1:$port"
  head -c "$((mib * 1024 * 1024))" /dev/urandom >"$file"

  LMS_DATA_DIR="$data" LMS_BIND_ADDRESS=127.0.0.1 FUNCTIONS_CUSTOMHANDLER_PORT="$port" \
    LMS_LOCAL_SCHEDULER=false LMS_INDEX_IN_PROCESS=true LMS_ARGON2_MEMORY_KIB=8 \
    RUST_LOG=warn "$binary" >"$work/server-$mib.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do curl -fs "$base/api/health" >/dev/null 2>&1 && break; sleep 0.1; done

  local version token project id
  version=$(curl -fs "$base/api/privacy-policy" | field version)
  curl -fs -H 'content-type: application/json' "$base/api/organizations/register" -d \
    "{\"organization\":{\"name\":\"Bench Bau GmbH\"},\"admin\":{\"email\":\"bench@bau.example\",\"firstName\":\"Bench\",\"lastName\":\"Mark\",\"password\":\"Sichere-Baustelle-2026\"},\"acceptedPolicyVersion\":\"$version\"}" >/dev/null
  token=$(curl -fs -H 'content-type: application/json' "$base/api/auth/login" \
    -d '{"email":"bench@bau.example","password":"Sichere-Baustelle-2026"}' | field accessToken)
  project=$(curl -fs -H "authorization: Bearer $token" -H 'content-type: application/json' \
    "$base/api/projects" -d '{"name":"Bench","timeZone":"Europe/Vienna"}' | field id)
  local before
  before=$(kib_of "$server_pid" VmHWM)

  local t0 t1 t2
  t0=$(date +%s.%N)
  id=$(curl -fs -H "authorization: Bearer $token" -F "file=@$file;filename=bench.bin" \
    "$base/api/projects/$project/files" | field id)
  t1=$(date +%s.%N)
  curl -fs -H "authorization: Bearer $token" -o "$back" "$base/api/projects/$project/files/$id/content"
  t2=$(date +%s.%N)
  cmp -s "$file" "$back" || { echo "download differs from upload" >&2; exit 1; }
  for _ in $(seq 600); do
    curl -fs -H "authorization: Bearer $token" "$base/api/projects/$project/files/$id" \
      | grep -q '"indexStatus":"indexed"' && break
    sleep 0.5
  done

  local peak
  peak=$(kib_of "$server_pid" VmHWM)
  awk -v m="$mib" -v p="$peak" -v b="$before" -v u="$(echo "$t0 $t1" | awk '{print $2 - $1}')" \
    -v d="$(echo "$t1 $t2" | awk '{print $2 - $1}')" \
    'BEGIN { printf "%6s MiB  peak RSS %7.1f MiB (%7.1f MiB before the upload)  upload %6.2f s  download %6.2f s\n", m, p / 1024, b / 1024, u, d }'
  echo "$peak" >"$work/peak-$mib"
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  rm -rf "$data" "$file" "$back"
}

echo "insite-lms $profile build, $(nproc) cores, $(uname -sr)"
for s in "${sizes[@]}"; do run_one "$s"; done
if [[ ${#sizes[@]} -ge 2 ]]; then
  small=$(cat "$work/peak-${sizes[0]}")
  large=$(cat "$work/peak-${sizes[-1]}")
  diff_mib=$(awk -v l="$large" -v s="$small" 'BEGIN { print (l - s) / 1024 }')
  printf 'difference %s MiB vs %s MiB: %.1f MiB (limit 32 MiB)\n' "${sizes[-1]}" "${sizes[0]}" "$diff_mib"
  awk -v d="$diff_mib" 'BEGIN { exit !(d < 32) }' || { echo "FAIL: over 32 MiB" >&2; exit 1; }
fi
