#include <stdlib.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "admission.h"
#include "config.h"
#include "decision_log.h"
#include "policy.h"
#include "timefmt.h"

static cJSON *line_start(const char *level, const char *msg)
{
	cJSON *o = cJSON_CreateObject();
	char ts[TIMEFMT_RFC3339_SIZE];

	cJSON_AddStringToObject(o, "time", timefmt_format_rfc3339(time(NULL), ts));
	cJSON_AddStringToObject(o, "level", level);
	cJSON_AddStringToObject(o, "msg", msg);
	return o;
}

static void line_emit(FILE *f, cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);

	cJSON_Delete(o);
	if (!s)
		return;
	flockfile(f);
	fputs(s, f);
	fputc('\n', f);
	fflush(f);
	funlockfile(f);
	free(s);
}

void decision_log_write(FILE *f, const struct admission_request *req,
			const struct policy_outcome *out, long long micros)
{
	cJSON *o;
	const char *decision = out->allowed ? "allow" : "deny";

	if (!f)
		return;
	o = line_start(out->allowed ? "info" : "warn", "admission decision");
	cJSON_AddStringToObject(o, "uid", req->uid);
	cJSON_AddStringToObject(o, "operation", req->operation);
	cJSON_AddStringToObject(o, "group", req->group);
	cJSON_AddStringToObject(o, "kind", req->kind);
	if (*req->sub_resource)
		cJSON_AddStringToObject(o, "subresource", req->sub_resource);
	cJSON_AddStringToObject(o, "namespace", req->ns);
	cJSON_AddStringToObject(o, "name", req->name);
	cJSON_AddStringToObject(o, "user", req->username);
	cJSON_AddBoolToObject(o, "dry_run", req->dry_run);
	if (out->allowed && out->nr_hits)
		decision = out->mode == POLICY_WARN ? "warn" : "audit";
	cJSON_AddStringToObject(o, "decision", decision);
	cJSON_AddStringToObject(o, "policy", out->policy);
	if (*out->policy)
		cJSON_AddStringToObject(o, "mode", policy_mode_name(out->mode));
	cJSON_AddStringToObject(o, "reason", out->reason.buf);
	cJSON_AddNumberToObject(o, "micros", (double)micros);
	line_emit(f, o);
}

void decision_log_error(FILE *f, const char *msg, const char *error, int code,
			const char *method, const char *path)
{
	cJSON *o;

	if (!f)
		return;
	o = line_start("warn", msg);
	if (error)
		cJSON_AddStringToObject(o, "error", error);
	if (code)
		cJSON_AddNumberToObject(o, "code", code);
	if (method)
		cJSON_AddStringToObject(o, "method", method);
	if (path)
		cJSON_AddStringToObject(o, "path", path);
	line_emit(f, o);
}

void decision_log_info(FILE *f, const char *msg)
{
	if (f)
		line_emit(f, line_start("info", msg));
}
