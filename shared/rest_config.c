#include "rest_config.h"

#include <stdlib.h>
#include <string.h>

#include "exec_credential.h"

static void wipe_free(char *s, size_t len)
{
	if (!s)
		return;
	if (!len)
		len = strlen(s);
	explicit_bzero(s, len);
	free(s);
}

void rest_config_release(struct rest_config *rc)
{
	char **g;

	free(rc->server);
	free(rc->tls_server_name);
	free(rc->ca_pem);
	free(rc->proxy_url);
	free(rc->client_cert_pem);
	wipe_free(rc->client_key_pem, rc->client_key_pem_len);
	wipe_free(rc->token, 0);
	free(rc->token_file);
	free(rc->username);
	wipe_free(rc->password, 0);
	if (rc->exec)
		exec_credential_free(rc->exec);
	free(rc->as_user);
	free(rc->as_uid);
	for (g = rc->as_groups; g && *g; g++)
		free(*g);
	free(rc->as_groups);
	free(rc->namespace);
	free(rc->context_name);
	free(rc->cluster_name);
	free(rc->user_name);
	memset(rc, 0, sizeof(*rc));
}
