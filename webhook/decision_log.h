/*
 * decision_log.h - one JSON line per admission decision (and per rejected
 * HTTP request) on a stdio stream, for log collectors.
 *
 * A line names the request (uid, operation, kind, namespace/name, user) and
 * the verdict (decision, policy, mode, reason, microseconds).  It never
 * contains object contents: the reason texts are written by the policies,
 * which only quote names, kinds and Argo CD option strings.  Each line is
 * written with one write(2) on the stream's descriptor (no stdio lock, no
 * fflush), so lines from different threads do not mix and a slow log does
 * not serialise the request threads on a lock; for a descriptor given to
 * log_async_start() (the server's), lines are batched by a background
 * thread instead (log_async.h).
 */
#ifndef WEBHOOK_DECISION_LOG_H
#define WEBHOOK_DECISION_LOG_H

#include <stdio.h>

struct admission_request;
struct policy_outcome;

void decision_log_write(FILE *f, const struct admission_request *req,
                        const struct policy_outcome *out, long long micros);

/* {"level":"warn","msg":…,"error":…} plus optional HTTP context. */
void decision_log_error(FILE *f, const char *msg, const char *error, int code, const char *method,
                        const char *path);
/* {"level":"info","msg":…} */
void decision_log_info(FILE *f, const char *msg);

#endif
