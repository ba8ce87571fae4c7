/** Help text and the table of commands beyond `generate`. */

export type Command = (argv: string[]) => Promise<number>;

/** Commands other stages add (build, test, broker, doctor, fetch-sources). */
export const COMMANDS: Record<string, Command> = {};

export function usage(): string {
  return `qhal-gen: generate, build and test QuecThing socket HALs

usage:
  qhal-gen --target posix|lwip|lwip-raw [--out DIR] [--check] [--json]
      generate for the built-in default board of that stack (default out: ./qhal-out):
      posix linux-x86_64; lwip mps2-an385-freertos-lwip (FreeRTOS + lwIP sockets: building and
      testing it need --freertos-dir or QHAL_FREERTOS_DIR); lwip-raw mps2-an385-lwip-raw (bare
      metal)
  qhal-gen generate --board FILE|FOLDER [--board ...] [--out DIR] [--check] [--json]
      generate qhal_socket.c and qhal_socket.h for a board description
  qhal-gen build --board FILE [--out DIR] [--mbedtls-dir DIR] [--lwip-dir DIR] [--json] [--verbose]
      [--freertos-dir DIR] [--freertos-config DIR] [--sdk-dir DIR [--sdk-include DIR]...]
      generate, then cross-compile the HAL and its libraries with zig; size report
      (--verbose shows the warnings of third-party sources; lwip-socket on FreeRTOS needs
      --freertos-dir or QHAL_FREERTOS_DIR, a FreeRTOS-Kernel tree, and takes FreeRTOSConfig.h from
      --freertos-config DIR or from the target; --sdk-dir, default QHAL_SDK_DIR: compile against
      a QuecThing SDK tree's headers, the generated pair in place of its driverLayer/ socket
      files, the tree left untouched; --sdk-include: platform headers the SDK includes but does
      not ship, such as helios_os.h)
  qhal-gen test --board FILE|FOLDER [--work DIR] [--only TEXT] [--client-cert] [--bench]
      [--freertos-dir DIR] [--freertos-config DIR] [--sdk-dir DIR [--sdk-include DIR]...]
      [--namespace auto|on|off] [--json] [--junit FILE] [--report DIR]
      generate, build, start the test broker and run the conformance suite (--bench: its
      benchmarks instead, printed as figures; --junit: JUnit XML, one testcase per case and
      board; --report: DIR/index.html, a static page of the results; FreeRTOS boards take the
      kernel tree from --freertos-dir or QHAL_FREERTOS_DIR; --sdk-dir: the HAL is also compiled
      against that SDK tree, as for build)
  qhal-gen init [DIR] [--name N] [--target T] [--stack S] [--os O] [--features LIST] [--ca FILE]
      [--psk HOOK] [--entropy HOOK] [--ci github|gitlab|none] [--force]
      a new module's project: boards/<name>.ts, package.json, tsconfig.json, boards/certs/,
      the generated HAL in qhal/<name>/ and the CI workflow; asks in a terminal, else every
      answer is a flag (features: tcp,udp,tls,dtls,tcpServer,broadcast,dns,ipv6; tls and
      dtls need --ca, your CA bundle)
  qhal-gen ci [--boards DIR] [--format github|gitlab] [--out FILE] [--generated DIR] [--check]
      [--force]
      CI workflow, one job per board in DIR (default boards): generate --check against
      GENERATED/<board> (default qhal), build, test --junit --report, results uploaded
      (default out: .github/workflows/qhal-gen.yml, or .gitlab/qhal-gen.yml)
  qhal-gen broker [--host ADDR] [--duration SECONDS] [--pki-dir DIR] [--dns-port N | --no-dns]
      [--no-dtls]
      run the test broker alone (for a module on the bench)
  qhal-gen doctor          report zig, QEMU, picolibc and cached sources
  qhal-gen fetch-sources   download mbedtls and lwIP from Debian's source packages
  qhal-gen --help | --version

--check   exit 1 when the files on disk differ from what would be generated
--json    machine-readable summary on stdout
exit codes: 0 ok, 1 failure, 2 bad input (nothing written)`;
}
