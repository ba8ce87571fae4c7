/*
 * qhal-gen conformance suite: stands in for the QuecThing core, drives a generated
 * socket HAL (qhal_Socket.c) against the test broker and checks the behaviours of hal/CONVENTIONS.md.
 */
#ifndef QHAL_CONFORMANCE_H
#define QHAL_CONFORMANCE_H

/* The generated header; its name is a board option, passed in by qhal-gen test. */
#ifndef QHAL_SOCKET_HEADER
#define QHAL_SOCKET_HEADER "qhal_Socket.h"
#endif
#include QHAL_SOCKET_HEADER

#include <stddef.h>
#include <stdint.h>

/* ---- configuration (key=value lines from the broker, see toolkit/broker/broker.ts) ---- */
const char *cfg_str(const char *key, const char *dflt);
int cfg_int(const char *key, int dflt);
void cfg_set(const char *key, const char *value);
/* Every `--key value` pair of the command line, except the platform's own options (--config,
 * --stdin-watch, --suite-timeout); --only and --case-timeout are configuration too. */
void cfg_args(int argc, char **argv);

/* ---- case results ---- */
enum { CASE_PASS = 0, CASE_FAIL = 1, CASE_SKIP = 2 };
int case_fail(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
int case_skip(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* ---- what the HAL reported (recorded by the core callbacks) ---- */
#define EV_RX 1
#define EV_DOWN 2
#define EV_ACCEPT 3
#define EV_CONN 4
#define EV_TX 5

/* Clears per-handle records and the event log (the start of each case). */
void rec_reset(void);
/* Bytes received so far on h (copied into out when not NULL, up to outMax). */
size_t rec_rx(pointer_t h, quint8_t *out, size_t outMax);
int rec_count(pointer_t h, int kind);
/* -1: no result yet; else the first ConnResult value for h. */
int rec_conn_result(pointer_t h);
/* Waits (bounded) until rec_rx(h) >= n / rec_count(h, kind) >= n / a ConnResult arrives. */
int wait_rx(pointer_t h, size_t n, int ms);
int wait_count(pointer_t h, int kind, int n, int ms);
int wait_conn(pointer_t h, int ms);
/* ConnResult(TRUE) callbacks since the start, for handles the records do not track too
 * (the benchmark's 1,000 idle sockets). */
int rec_conn_ok_total(void);
/* The last UDP sender recorded for h (0 when none). */
int rec_last_peer(pointer_t h, void *out, size_t outMax);
/* Handles accepted on listener h, in order; returns how many (up to max). */
int rec_accepted(pointer_t listener, pointer_t *out, int max);
/* Wrappers that mark the handle closed: any event for it afterwards is a violation. */
void suite_close(pointer_t h, quint8_t type);
qbool suite_write(pointer_t h, quint8_t type, const void *peer, const quint8_t *buf, quint16_t len,
                  qbool *isSending);
/* Around every Init call: rec_opening() before, rec_opened(handle) after. */
void rec_opening(void);
void rec_opened(pointer_t h);
/* The next Rx event for h (data or link-down) closes h from inside the callback. */
void rec_close_in_callback(pointer_t h);
/* Waits until that happened; returns how many times (then resets the count). */
int rec_closed_in_callback(int ms);
/* ConnResults dropped since the last call because the handle was not registered yet (the
 * core adds a channel only after Init returned), then resets the count. */
int rec_dropped_results(void);
/* The core's task runs what the HAL posted with Quos_signalSet (the wait_* helpers do it
 * while they wait); returns how many ran. Call without the port lock. */
int core_run_signals(void);
/* Contract violations seen by the callbacks since the start (count) and the last one. */
int rec_violations(char *last, size_t lastMax);
void rec_dump(void);

/* ---- the HAL's own count of slots in use (built with QHAL_TEST_HOOKS, see suiteDefines):
 * after every case it must return to 0, as a real core's device must reconnect for ever ---- */
#ifdef QHAL_TEST_HOOKS
quint32_t Qhal_testSlotsInUse(void);
#endif
/* Waits (bounded, running the core's signals) until the HAL has no slot in use; returns how
 * many are still in use after ms (0 when the hook is not built in). */
unsigned rec_wait_slots_free(int ms);

/* Events that arrived for a closed handle and were tolerated as already in flight at the
 * close, since the start (hal/CONVENTIONS.md allows one per close). */
int rec_tolerated_late_events(void);

/* ---- heap accounting through the SDK shim ---- */
long shim_live_allocations(void);
long shim_total_allocations(void);

/* ---- PSK ---- */
void suite_psk_wrong(int wrong);
/* Calls of the board's PSK hook since the last call of this (then resets the count). */
int suite_psk_calls(void);

/* ---- sizes: an MCU has megabytes, not gigabytes (the largest echo case needs ~154 KiB) ---- */
#ifndef SUITE_RX_CAP
#define SUITE_RX_CAP (256 * 1024)
#endif

/* ---- peers, in the layout of the HAL's stack: the kernel's struct sockaddr, or lwIP's
 * (a length byte before an 8-bit family) when the suite is built with SUITE_PEER_LWIP ---- */
typedef union
{
    quint8_t bytes[128];
    uint64_t align;
} peer_buf_t;
/* Length of the address peer points at, 0 for an unknown family. */
size_t peer_len(const void *peer);
/* Its port, -1 for an unknown family. */
int peer_port(const void *peer);
/* "a.b.c.d:port" / "[v6]:port" / "NULL". */
void peer_text(const void *peer, char *out, size_t outMax);
/* Fills out with the IPv4 address text:port; returns its length (0: not an IPv4 literal). */
size_t peer_make_ipv4(peer_buf_t *out, const char *ip, int port);

/* ---- the platform the suite runs on: port-posix.c (threads, kernel sockets for the
 * harness) or port-mps2.c (bare metal, one loop that also runs the HAL's I/O context) ---- */
/* Before anything else: may replace the command line (bare metal: semihosting), takes the
 * platform's own options, reads the configuration, brings the network up. Returns the index
 * of main's first argument, or -1 when the run cannot go on. */
int port_init(int *argc, char ***argv);
uint64_t now_ms(void);
/* Microseconds, for the benchmarks (bare metal: millisecond steps). */
uint64_t now_us(void);
/* Sleeps; on bare metal the HAL's poll loop keeps running meanwhile. */
void sleep_ms(int ms);
/* The lock that guards the records (callbacks come from the HAL's I/O context). */
void port_lock(void);
void port_unlock(void);
/* Lock held: waits until port_wake() or the deadline (now_ms() time), whichever is first. */
void port_wait(uint64_t deadline);
void port_wake(void);
/* 1 when a callback arrives the way the contract says (from the I/O context, not from
 * inside a Qhal_* call made by the core), else 0. */
int port_callback_context(void);
/* Arms (name != NULL) or disarms the per-case watchdog. */
void port_watchdog(const char *name, uint64_t deadline);
int port_verbose(void);
/* Ends the program with status (after the summary line is out). */
void port_exit(int status)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((noreturn))
#endif
    ;
/* Starts fn(arg) in a second task of the suite, beside the core's (threads: a thread;
 * FreeRTOS: a task at the suite's priority). 0 when it runs; -1 where the platform has none
 * (bare metal). The task returns when it is done; callers wait for a flag it sets. */
int port_task_start(void (*fn)(void *), void *arg);
/* Called by the platform when the per-case watchdog fires, before it ends the run. */
void suite_watchdog_fired(const char *name);
void port_log_line(const char *line);
/* Sockets / PCBs / descriptors the HAL's stack holds right now (-1: cannot tell). */
int open_fd_count(void);
/* CPU time (user + system, every thread) the process used so far in microseconds (-1: cannot tell). */
long long port_cpu_us(void);
/* Raises the limit on open descriptors to at least n when the platform has one; 0 when it
 * is at least n afterwards (the 1,000-socket benchmark needs more than the usual 1,024). */
int port_raise_fd_limit(int n);
/* Line-based control channel to the broker: sends cmd, writes the reply line into reply. */
int control(const char *cmd, char *reply, size_t replyMax);
/* A local port for the HAL to bind (stream: TCP, else UDP), and the host and port at which
 * the broker reaches it (different under QEMU's user-mode NAT). */
int port_local_port(int stream, char *reachHost, size_t reachHostMax, int *reachPort);

/* ---- on Linux, the network stack under the HAL: net-kernel.c (the kernel's, nothing to
 * do) or net-lwip.c (lwIP's unix port on a TAP device) ---- */
/* After the configuration is read; 0 when the stack is up. */
int net_init(void);
/* Sockets the HAL holds in that stack beyond the kernel's descriptors (0 for the kernel). */
int net_stack_sockets(void);

#endif
