/*
 * qhal-gen conformance suite: stands in for the QuecThing core, drives a generated
 * qhal_socket.c against the test broker and checks the behaviours of hal/CONVENTIONS.md.
 */
#ifndef QHAL_CONFORMANCE_H
#define QHAL_CONFORMANCE_H

#include "qhal_socket.h"

#include <stddef.h>
#include <stdint.h>

/* ---- configuration (key=value lines from the broker, see toolkit/broker/broker.ts) ---- */
const char *cfg_str(const char *key, const char *dflt);
int cfg_int(const char *key, int dflt);

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
void rec_init(void);
/* The next Rx event for h (data or link-down) closes h from inside the callback. */
void rec_close_in_callback(pointer_t h);
/* Waits until that happened; returns how many times (then resets the count). */
int rec_closed_in_callback(int ms);
/* Contract violations seen by the callbacks since the start (count) and the last one. */
int rec_violations(char *last, size_t lastMax);
void rec_dump(void);

/* ---- heap accounting through the SDK shim ---- */
long shim_live_allocations(void);
long shim_total_allocations(void);

/* ---- PSK ---- */
void suite_psk_wrong(int wrong);

/* ---- helpers ---- */
uint64_t now_ms(void);
void sleep_ms(int ms);
int open_fd_count(void);
/* Line-based control channel to the broker: sends cmd, writes the reply line into reply. */
int control(const char *cmd, char *reply, size_t replyMax);

#endif
