/*
 * The policies, judged the way `gitops-webhook check` judges: an
 * AdmissionReview built per case, state read from tests/unit/data/webhook,
 * the response rendered.  "Now" is 2026-01-01T10:05:00Z unless a case says
 * otherwise; guestbook's approval is from 10:00, confirm-app's from 09:00.
 * Project nightly denies syncs from 22:00 to 06:00 UTC.
 */
#include <stdlib.h>
#include <string.h>

#include "admission.h"
#include "config.h"
#include "errbuf.h"
#include "policy.h"
#include "review.h"
#include "state.h"
#include "state_files.h"
#include "strbuf.h"
#include "tap.h"
#include "timefmt.h"

#define STATE_DIR "tests/unit/data/webhook/state"
#define NOW "2026-01-01T10:05:00Z"
#define CTRL "system:serviceaccount:argocd:argocd-application-controller"
#define NSCTRL "system:serviceaccount:kube-system:namespace-controller"

#define PRUNE_FALSE "'annotations':{'argocd.argoproj.io/sync-options':'Prune=false'}"
#define TRACK(app) "'argocd.argoproj.io/tracking-id':'" app ":apps/Deployment:prod/web'"
#define NIGHT "2026-01-01T23:00:00Z"
#define APP_META(name) "{'name':'" name "','namespace':'argocd'}"
#define NIGHTLY_SPEC                                             \
	"{'project':'nightly','destination':{'server':'https://" \
	"kubernetes.default.svc','namespace':'night'}}"
#define SYNC_OP(automated) \
	",'operation':{'sync':{},'initiatedBy':{'username':'alice','automated':" automated "}}"
#define GOOD_SRC "'source':{'repoURL':'https://git.example.com/shop.git'}"
#define GOOD_DEST \
	"'destination':{'server':'https://kubernetes.default.svc','namespace':'shop-prod'}"
#define BY_RESTRICTED \
	"'annotations':{'argocd.argoproj.io/tracking-id':'restricted-app:/Secret:shop-prod/s'}"

struct pcase {
	const char *what;
	const char *op;
	const char *gvk; /* "group/version/Kind", group may be empty */
	const char *user;
	const char *old_meta; /* metadata, ' for " */
	const char *new_meta;
	const char *old_spec;
	const char *config; /* JSON, ' for " */
	const char *now;
	int dry_run;
	int allowed;
	const char *expect; /* substring of the response, or NULL */
	const char *new_spec; /* spec of object */
	const char *old_extra; /* more top-level members, ",'k':v" */
	const char *new_extra;
	const char *sub_resource;
};

/* Cases for policies 3 and 4 use designated initialisers. */
#define PC(...)             \
	{                   \
		__VA_ARGS__ \
	}

/* The older rows are positional and leave the trailing members out. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const struct pcase cases[] = {
	/* deletion-protection: DELETE */
	{ "Prune=false blocks a user's DELETE", "DELETE", "apps/v1/Deployment", "alice",
	  "{'name':'web','namespace':'prod'," PRUNE_FALSE "}", NULL, NULL, NULL, NULL, 0,
	  0, "deletion-protection: Deployment prod/web is protected by argocd.argoproj.io/sync-options Prune=false" },
	{ "Delete=false among other options, with spaces", "DELETE", "apps/v1/Deployment",
	  "alice", "{'name':'web','namespace':'prod','annotations':{'argocd.argoproj.io/sync-options':' Replace=true , Delete=false '}}",
	  NULL, NULL, NULL, NULL, 0, 0, "Delete=false" },
	{ "options match exactly: Prune=falsey is no option", "DELETE", "apps/v1/Deployment",
	  "alice", "{'name':'web','namespace':'prod','annotations':{'argocd.argoproj.io/sync-options':'Prune=falsey'}}",
	  NULL, NULL, NULL, NULL, 0, 1, NULL },
	{ "dry-run DELETE is judged the same", "DELETE", "apps/v1/Deployment", "alice",
	  "{'name':'web','namespace':'prod'," PRUNE_FALSE "}", NULL, NULL, NULL, NULL, 1, 0,
	  "Prune=false" },
	{ "the namespace controller tears a namespace down", "DELETE", "apps/v1/Deployment", NSCTRL,
	  "{'name':'web','namespace':'prod'," PRUNE_FALSE "}", NULL, NULL, NULL, NULL, 0, 1,
	  "allowed namespace teardown" },
	{ "the controller deletes (app deletion ignores Prune=false)", "DELETE",
	  "apps/v1/Deployment", CTRL, "{'name':'web','namespace':'prod'," PRUNE_FALSE "}", NULL,
	  NULL, NULL, NULL, 0, 1, NULL },
	{ "unprotected DELETE", "DELETE", "/v1/ConfigMap", "alice",
	  "{'name':'cm','namespace':'prod'}", NULL, NULL, NULL, NULL, 0, 1, NULL },
	{ "CREATE of a protected object is fine", "CREATE", "apps/v1/Deployment", "alice", NULL,
	  "{'name':'web','namespace':'prod'," PRUNE_FALSE "}", NULL, NULL, NULL, 0, 1, NULL },
	/* deletion-protection: UPDATE */
	{ "a user drops Prune=false from a managed object", "UPDATE", "apps/v1/Deployment", "alice",
	  "{'name':'web','namespace':'prod','annotations':{" TRACK(
		  "guestbook") ",'argocd.argoproj.io/sync-options':'Prune=false'}}",
	  "{'name':'web','namespace':'prod','annotations':{" TRACK("guestbook") "}}", NULL, NULL,
	  NULL, 0, 0, "removing Prune=false" },
	{ "a user drops all annotations of a managed object", "UPDATE", "apps/v1/Deployment", "alice",
	  "{'name':'web','namespace':'prod','annotations':{" TRACK(
		  "guestbook") ",'argocd.argoproj.io/sync-options':'Delete=false'}}",
	  "{'name':'web','namespace':'prod'}", NULL, NULL, NULL, 0, 0,
	  "managed by Application argocd/guestbook" },
	{ "the controller drops it (a Git change)", "UPDATE", "apps/v1/Deployment", CTRL,
	  "{'name':'web','namespace':'prod','annotations':{" TRACK(
		  "guestbook") ",'argocd.argoproj.io/sync-options':'Prune=false'}}",
	  "{'name':'web','namespace':'prod','annotations':{" TRACK("guestbook") "}}", NULL, NULL,
	  NULL, 0, 1, NULL },
	{ "dropping it from an unmanaged object", "UPDATE", "apps/v1/Deployment", "alice",
	  "{'name':'web','namespace':'prod'," PRUNE_FALSE "}", "{'name':'web','namespace':'prod'}",
	  NULL, NULL, NULL, 0, 1, NULL },
	{ "an update that keeps the option", "UPDATE", "apps/v1/Deployment", "alice",
	  "{'name':'web','namespace':'prod','annotations':{" TRACK(
		  "guestbook") ",'argocd.argoproj.io/sync-options':'Prune=false'}}",
	  "{'name':'web','namespace':'prod','labels':{'x':'y'},'annotations':{" TRACK(
		  "guestbook") ",'argocd.argoproj.io/sync-options':'Prune=false,Replace=true'}}",
	  NULL, NULL, NULL, 0, 1, NULL },
	{ "an update with the options unchanged", "UPDATE", "apps/v1/Deployment", "alice",
	  "{'name':'web','namespace':'prod','annotations':{" TRACK(
		  "guestbook") ",'argocd.argoproj.io/sync-options':'Prune=false,Delete=false'}}",
	  "{'name':'web','namespace':'prod','labels':{'x':'y'},'annotations':{" TRACK(
		  "guestbook") ",'argocd.argoproj.io/sync-options':'Prune=false,Delete=false'}}",
	  NULL, NULL, NULL, 0, 1, NULL },
	{ "an update that keeps Prune=false but drops Delete=false", "UPDATE", "apps/v1/Deployment",
	  "alice",
	  "{'name':'web','namespace':'prod','annotations':{" TRACK(
		  "guestbook") ",'argocd.argoproj.io/sync-options':'Prune=false,Delete=false'}}",
	  "{'name':'web','namespace':'prod','annotations':{" TRACK(
		  "guestbook") ",'argocd.argoproj.io/sync-options':'Prune=false'}}",
	  NULL, NULL, NULL, 0, 0,
	  "deletion-protection: removing Delete=false from the argocd.argoproj.io/sync-options of "
	  "Deployment prod/web (managed by Application argocd/guestbook) is reserved to the Argo "
	  "CD "
	  "controller: remove it in Git" },
	/* deletion-protection: namespaces */
	{ "a protected Namespace", "DELETE", "/v1/Namespace", "alice",
	  "{'name':'prod'," PRUNE_FALSE "}", NULL, NULL, NULL, NULL, 0, 0, "Namespace prod carries" },
	{ "a Namespace holding an app's Delete=false resources", "DELETE", "/v1/Namespace", "alice",
	  "{'name':'vault'}", NULL, NULL, NULL, NULL, 0, 0,
	  "Namespace vault holds resources of Application argocd/vault" },
	{ "any other Namespace", "DELETE", "/v1/Namespace", "alice", "{'name':'guestbook'}", NULL,
	  NULL, NULL, NULL, 0, 1, NULL },
	/* deletion-confirmation */
	{ "Delete=confirm with a 5 minute old approval", "DELETE", "apps/v1/Deployment", "alice",
	  "{'name':'web','namespace':'prod','annotations':{" TRACK(
		  "guestbook") ",'argocd.argoproj.io/sync-options':'Delete=confirm'}}",
	  NULL, NULL, NULL, NULL, 0, 1, NULL },
	{ "the same approval 20 minutes later", "DELETE", "apps/v1/Deployment", "alice",
	  "{'name':'web','namespace':'prod','annotations':{" TRACK(
		  "guestbook") ",'argocd.argoproj.io/sync-options':'Delete=confirm'}}",
	  NULL, NULL, NULL, "2026-01-01T10:20:01Z", 0,
	  0, "kubectl gitops confirm-deletion guestbook -n argocd\\\" (an approval counts for 15m0s)" },
	{ "a longer TTL from the configuration", "DELETE", "apps/v1/Deployment", "alice",
	  "{'name':'web','namespace':'prod','annotations':{" TRACK(
		  "guestbook") ",'argocd.argoproj.io/sync-options':'Delete=confirm'}}",
	  NULL, NULL, "{'deletionApproval':{'ttl':'1h'}}", "2026-01-01T10:20:01Z", 0, 1, NULL },
	{ "an approval from the future is no approval", "DELETE", "apps/v1/Deployment", "alice",
	  "{'name':'web','namespace':'prod','annotations':{" TRACK(
		  "guestbook") ",'argocd.argoproj.io/sync-options':'Delete=confirm'}}",
	  NULL, NULL, NULL, "2026-01-01T09:58:00Z", 0, 0, "confirm-deletion guestbook" },
	{ "Prune=confirm, app outside the control-plane namespace", "DELETE", "apps/v1/Deployment",
	  "alice",
	  "{'name':'web','namespace':'prod','annotations':{" TRACK(
		  "team-a_shop") ",'argocd.argoproj.io/sync-options':'Prune=confirm'}}",
	  NULL, NULL, NULL, NULL, 0, 0, "confirm-deletion shop -n team-a" },
	{ "Delete=confirm on an untracked object", "DELETE", "/v1/ConfigMap",
	  "alice", "{'name':'cm','namespace':'prod','annotations':{'argocd.argoproj.io/sync-options':'Delete=confirm'}}",
	  NULL, NULL, NULL, NULL, 0, 0, "no Application tracks it" },
	{ "Delete=confirm tracked by an unknown app", "DELETE", "apps/v1/Deployment", "alice",
	  "{'name':'web','namespace':'prod','annotations':{" TRACK(
		  "ghost") ",'argocd.argoproj.io/sync-options':'Delete=confirm'}}",
	  NULL, NULL, NULL, NULL, 0, 0, "argocd/ghost is unknown to the webhook" },
	{ "the controller is not judged", "DELETE", "apps/v1/Deployment", CTRL,
	  "{'name':'web','namespace':'prod','annotations':{" TRACK(
		  "team-a_shop") ",'argocd.argoproj.io/sync-options':'Delete=confirm'}}",
	  NULL, NULL, NULL, NULL, 0, 1, NULL },
	{ "an Application with Delete=confirm and its own fresh approval", "DELETE",
	  "argoproj.io/v1alpha1/Application",
	  "alice", "{'name':'confirm-app','namespace':'argocd','annotations':{'argocd.argoproj.io/deletion-approved':'2026-01-01T10:04:00Z'}}",
	  NULL, "{'syncPolicy':{'syncOptions':['Delete=confirm']}}", NULL, NULL, 0, 1, NULL },
	{ "an Application with Delete=confirm and a stale approval", "DELETE",
	  "argoproj.io/v1alpha1/Application",
	  "alice", "{'name':'confirm-app','namespace':'argocd','annotations':{'argocd.argoproj.io/deletion-approved':'2026-01-01T09:00:00Z'}}",
	  NULL, "{'syncPolicy':{'syncOptions':['Delete=confirm']}}", NULL, NULL, 0, 0,
	  "confirm-deletion confirm-app -n argocd" },
	{ "an unparsable approval", "DELETE", "argoproj.io/v1alpha1/Application", "alice",
	  "{'name':'confirm-app','namespace':'argocd','annotations':{'argocd.argoproj.io/"
	  "deletion-approved':'yesterday','argocd.argoproj.io/sync-options':'Delete=confirm'}}",
	  NULL, NULL, NULL, NULL, 0, 0, "has Delete=confirm" },
	{ "label tracking finds the owner by its instance label", "DELETE", "apps/v1/Deployment",
	  "alice", "{'name':'web','namespace':'prod','labels':{'app.kubernetes.io/instance':'guestbook'},'annotations':{'argocd.argoproj.io/sync-options':'Delete=confirm'}}",
	  NULL, NULL, "{'tracking':{'method':'label'}}", NULL, 0, 1, NULL },
	{ "annotation tracking ignores the label", "DELETE", "apps/v1/Deployment",
	  "alice", "{'name':'web','namespace':'prod','labels':{'app.kubernetes.io/instance':'guestbook'},'annotations':{'argocd.argoproj.io/sync-options':'Delete=confirm'}}",
	  NULL, NULL, NULL, NULL, 0, 0, "no Application tracks it" },
	/* the framework: modes, exemptions, several violations */
	{ "warn mode allows with a warning", "DELETE", "apps/v1/Deployment", "alice",
	  "{'name':'web','namespace':'prod'," PRUNE_FALSE "}", NULL, NULL,
	  "{'policies':{'deletion-protection':{'mode':'warn'}}}", NULL, 0,
	  1, "\"warnings\":[\"would be denied in enforce mode: deletion-protection: Deployment prod/web" },
	{ "audit mode allows with an audit annotation", "DELETE", "apps/v1/Deployment", "alice",
	  "{'name':'web','namespace':'prod'," PRUNE_FALSE "}", NULL, NULL,
	  "{'policies':{'deletion-protection':{'mode':'audit'}}}", NULL, 0,
	  1, "\"auditAnnotations\":{\"deletion-protection\":\"deletion-protection: Deployment prod/web" },
	{ "off mode says nothing", "DELETE", "apps/v1/Deployment", "alice",
	  "{'name':'web','namespace':'prod'," PRUNE_FALSE "}", NULL, NULL,
	  "{'policies':{'deletion-protection':{'mode':'off'}}}", NULL, 0, 1, "\"allowed\":true}}" },
	{ "a globally exempt user", "DELETE", "apps/v1/Deployment", "alice",
	  "{'name':'web','namespace':'prod'," PRUNE_FALSE "}", NULL, NULL,
	  "{'exemptions':{'users':['alice']}}", NULL, 0, 1, NULL },
	{ "a group exempt from one policy only", "DELETE", "apps/v1/Deployment",
	  "alice", "{'name':'web','namespace':'prod','annotations':{'argocd.argoproj.io/sync-options':'Prune=false,Delete=confirm'}}",
	  NULL, NULL, "{'policies':{'deletion-protection':{'exemptions':{'groups':['admins']}}}}",
	  NULL, 0, 0, "deletion-confirmation:" },
	{ "an exempt namespace", "DELETE", "apps/v1/Deployment", "alice",
	  "{'name':'web','namespace':'prod'," PRUNE_FALSE "}", NULL, NULL,
	  "{'exemptions':{'namespaces':['prod']}}", NULL, 0, 1, NULL },
	{ "two violations are both reported", "DELETE", "apps/v1/Deployment",
	  "alice", "{'name':'web','namespace':'prod','annotations':{'argocd.argoproj.io/sync-options':'Prune=false,Delete=confirm'}}",
	  NULL, NULL, NULL, NULL, 0, 0, "sync before deleting it; deletion-confirmation: Deployment" },
	/* sync-windows */
	PC(.what = "a manual sync inside a deny window", .op = "UPDATE",
	   .gvk = "argoproj.io/v1alpha1/Application", .user = "alice",
	   .old_meta = APP_META("nightly-app"), .old_spec = NIGHTLY_SPEC,
	   .new_meta = APP_META("nightly-app"), .new_spec = NIGHTLY_SPEC,
	   .new_extra = SYNC_OP("false"), .now = NIGHT, .allowed = 0,
	   .expect = "a manual sync of Application argocd/nightly-app is not allowed now: project "
	             "nightly: blocked by deny window 0"),
	PC(.what = "the denial says when the app may sync next", .op = "UPDATE",
	   .gvk = "argoproj.io/v1alpha1/Application", .user = "alice",
	   .old_meta = APP_META("nightly-app"), .old_spec = NIGHTLY_SPEC,
	   .new_meta = APP_META("nightly-app"), .new_spec = NIGHTLY_SPEC,
	   .new_extra = SYNC_OP("false"), .now = NIGHT, .allowed = 0,
	   .expect = "2026-01-02T06:00:00Z"),
	PC(.what = "an automated sync inside the window", .op = "CREATE",
	   .gvk = "argoproj.io/v1alpha1/Application", .user = CTRL,
	   .new_meta = APP_META("nightly-app"), .new_spec = NIGHTLY_SPEC,
	   .new_extra = SYNC_OP("true"), .now = NIGHT, .allowed = 0,
	   .expect = "an automated sync of Application argocd/nightly-app"),
	PC(.what = "a manual sync outside the window", .op = "UPDATE",
	   .gvk = "argoproj.io/v1alpha1/Application", .user = "alice",
	   .old_meta = APP_META("nightly-app"), .old_spec = NIGHTLY_SPEC,
	   .new_meta = APP_META("nightly-app"), .new_spec = NIGHTLY_SPEC,
	   .new_extra = SYNC_OP("false"), .allowed = 1),
	PC(.what = "a status write keeps the running operation", .op = "UPDATE",
	   .gvk = "argoproj.io/v1alpha1/Application", .user = CTRL,
	   .old_meta = APP_META("nightly-app"), .old_spec = NIGHTLY_SPEC,
	   .old_extra = SYNC_OP("false"), .new_meta = APP_META("nightly-app"),
	   .new_spec = NIGHTLY_SPEC, .new_extra = SYNC_OP("false") ",'status':{'x':1}",
	   .now = NIGHT, .allowed = 1),
	/* change-freeze */
	PC(.what = "a user edits an object of a frozen app", .op = "UPDATE",
	   .gvk = "apps/v1/Deployment", .user = "alice",
	   .old_meta = "{'name':'web','namespace':'night','annotations':{'argocd.argoproj.io/"
	               "tracking-id':'nightly-app:apps/Deployment:night/web'}}",
	   .new_meta = "{'name':'web','namespace':'night','labels':{'hotfix':'1'},'annotations':{'"
	               "argocd.argoproj.io/tracking-id':'nightly-app:apps/Deployment:night/web'}}",
	   .now = NIGHT, .allowed = 0,
	   .expect = "change-freeze: Deployment night/web is managed by Application "
	             "argocd/nightly-app, which is in a change freeze"),
	PC(.what = "a user deletes an object of a frozen app", .op = "DELETE",
	   .gvk = "apps/v1/Deployment", .user = "alice",
	   .old_meta = "{'name':'web','namespace':'night','annotations':{'argocd.argoproj.io/"
	               "tracking-id':'nightly-app:apps/Deployment:night/web'}}",
	   .now = NIGHT, .allowed = 0, .expect = "change-freeze:"),
	PC(.what = "the controller writes during the freeze", .op = "UPDATE",
	   .gvk = "apps/v1/Deployment", .user = CTRL,
	   .old_meta = "{'name':'web','namespace':'night','annotations':{'argocd.argoproj.io/"
	               "tracking-id':'nightly-app:apps/Deployment:night/web'}}",
	   .new_meta = "{'name':'web','namespace':'night','labels':{'v':'2'},'annotations':{'"
	               "argocd.argoproj.io/tracking-id':'nightly-app:apps/Deployment:night/web'}}",
	   .now = NIGHT, .allowed = 1),
	PC(.what = "status and bookkeeping changes pass the freeze", .op = "UPDATE",
	   .gvk = "apps/v1/Deployment",
	   .user = "system:serviceaccount:kube-system:deployment-controller",
	   .old_meta = "{'name':'web','namespace':'night','resourceVersion':'1','annotations':{'"
	               "argocd.argoproj.io/tracking-id':'nightly-app:apps/Deployment:night/web'}}",
	   .new_meta = "{'name':'web','namespace':'night','resourceVersion':'2','finalizers':['x'],"
	               "'annotations':{'argocd.argoproj.io/tracking-id':'nightly-app:apps/"
	               "Deployment:night/web'}}",
	   .new_extra = ",'status':{'replicas':3}", .now = NIGHT, .allowed = 1),
	PC(.what = "bookkeeping changes in another key order pass the freeze", .op = "UPDATE",
	   .gvk = "apps/v1/Deployment", .user = "alice",
	   .old_meta = "{'resourceVersion':'1','name':'web','namespace':'night','annotations':{'"
	               "argocd.argoproj.io/tracking-id':'nightly-app:apps/Deployment:night/"
	               "web'},'generation':1}",
	   .new_meta = "{'name':'web','generation':2,'annotations':{'argocd.argoproj.io/"
	               "tracking-id':'nightly-app:apps/Deployment:night/"
	               "web'},'namespace':'night','uid':'u'}",
	   .old_spec = "{'replicas':3,'paused':false}", .new_spec = "{'paused':false,'replicas':3.0}",
	   .old_extra = ",'status':{'replicas':1}", .now = NIGHT, .allowed = 1),
	PC(.what = "a spec change during the freeze is denied", .op = "UPDATE",
	   .gvk = "apps/v1/Deployment", .user = "alice",
	   .old_meta = "{'name':'web','namespace':'night','annotations':{'argocd.argoproj.io/"
	               "tracking-id':'nightly-app:apps/Deployment:night/web'}}",
	   .new_meta = "{'name':'web','namespace':'night','annotations':{'argocd.argoproj.io/"
	               "tracking-id':'nightly-app:apps/Deployment:night/web'}}",
	   .old_spec = "{'replicas':3,'template':{'image':'a'}}",
	   .new_spec = "{'template':{'image':'b'},'replicas':3}", .now = NIGHT, .allowed = 0,
	   .expect = "change-freeze:"),
	PC(.what = "a removed label is a change during the freeze", .op = "UPDATE",
	   .gvk = "apps/v1/Deployment", .user = "alice",
	   .old_meta =
	           "{'name':'web','namespace':'night','labels':{'a':'1','b':'2'},'annotations':{'"
	           "argocd.argoproj.io/tracking-id':'nightly-app:apps/Deployment:night/web'}}",
	   .new_meta = "{'name':'web','namespace':'night','labels':{'b':'2'},'annotations':{'"
	               "argocd.argoproj.io/tracking-id':'nightly-app:apps/Deployment:night/web'}}",
	   .now = NIGHT, .allowed = 0, .expect = "change-freeze:"),
	PC(.what = "a new top-level field is a change during the freeze", .op = "UPDATE",
	   .gvk = "apps/v1/Deployment", .user = "alice",
	   .old_meta = "{'name':'web','namespace':'night','annotations':{'argocd.argoproj.io/"
	               "tracking-id':'nightly-app:apps/Deployment:night/web'}}",
	   .new_meta = "{'name':'web','namespace':'night','annotations':{'argocd.argoproj.io/"
	               "tracking-id':'nightly-app:apps/Deployment:night/web'}}",
	   .new_extra = ",'data':{'k':'v'}", .now = NIGHT, .allowed = 0, .expect = "change-freeze:"),
	PC(.what = "a scale subresource write passes the freeze", .op = "UPDATE",
	   .gvk = "apps/v1/Deployment", .user = "alice", .sub_resource = "scale",
	   .old_meta = "{'name':'web','namespace':'night','annotations':{'argocd.argoproj.io/"
	               "tracking-id':'nightly-app:apps/Deployment:night/web'}}",
	   .new_meta = "{'name':'web','namespace':'night','labels':{'x':'y'},'annotations':{'"
	               "argocd.argoproj.io/tracking-id':'nightly-app:apps/Deployment:night/web'}}",
	   .now = NIGHT, .allowed = 1),
	PC(.what = "change-freeze switched off", .op = "UPDATE", .gvk = "apps/v1/Deployment",
	   .user = "alice",
	   .old_meta = "{'name':'web','namespace':'night','annotations':{'argocd.argoproj.io/"
	               "tracking-id':'nightly-app:apps/Deployment:night/web'}}",
	   .new_meta = "{'name':'web','namespace':'night','labels':{'hotfix':'1'},'annotations':{'"
	               "argocd.argoproj.io/tracking-id':'nightly-app:apps/Deployment:night/web'}}",
	   .config = "{'policies':{'change-freeze':{'mode':'off'}}}", .now = NIGHT, .allowed = 1),
	/* project-restrictions: Applications */
	PC(.what = "an Application of an unknown project", .op = "CREATE",
	   .gvk = "argoproj.io/v1alpha1/Application", .user = "alice", .new_meta = APP_META("x"),
	   .new_spec = "{'project':'nope'}", .allowed = 0,
	   .expect = "project-restrictions: spec.project: AppProject argocd/nope does not exist"),
	PC(.what = "a repo outside sourceRepos", .op = "CREATE",
	   .gvk = "argoproj.io/v1alpha1/Application", .user = "alice", .new_meta = APP_META("x"),
	   .new_spec = "{'project':'restricted','source':{'repoURL':'https://evil.example/"
	               "x.git'}," GOOD_DEST "}",
	   .allowed = 0,
	   .expect = "spec.source.repoURL 'https://evil.example/x.git' is not permitted by project "
	             "restricted: sourceRepos: "),
	PC(.what = "a bad repo among several sources", .op = "CREATE",
	   .gvk = "argoproj.io/v1alpha1/Application", .user = "alice", .new_meta = APP_META("x"),
	   .new_spec = "{'project':'restricted','sources':[{'repoURL':'https://git.example.com/"
	               "a'},{'repoURL':'git@evil.example:x'}]," GOOD_DEST "}",
	   .allowed = 0, .expect = "spec.sources[1].repoURL 'git@evil.example:x'"),
	PC(.what = "a destination outside destinations", .op = "CREATE",
	   .gvk = "argoproj.io/v1alpha1/Application", .user = "alice", .new_meta = APP_META("x"),
	   .new_spec = "{'project':'restricted'," GOOD_SRC ",'destination':{'server':'https://"
	               "kubernetes.default.svc','namespace':'kube-system'}}",
	   .allowed = 0,
	   .expect =
	           "spec.destination (server 'https://kubernetes.default.svc', name '', namespace "
	           "'kube-system') is not permitted by project restricted: destinations: "),
	PC(.what = "an Application namespace outside sourceNamespaces", .op = "CREATE",
	   .gvk = "argoproj.io/v1alpha1/Application", .user = "alice",
	   .new_meta = "{'name':'x','namespace':'team-b'}",
	   .new_spec = "{'project':'restricted'," GOOD_SRC "," GOOD_DEST "}",
	   .allowed = 0, .expect = "metadata.namespace 'team-b' is not permitted by project restricted: sourceNamespaces: "),
	PC(.what = "a permitted Application", .op = "CREATE",
	   .gvk = "argoproj.io/v1alpha1/Application", .user = "alice",
	   .new_meta = "{'name':'x','namespace':'team-a'}",
	   .new_spec = "{'project':'restricted'," GOOD_SRC "," GOOD_DEST "}", .allowed = 1),
	PC(.what = "an unchanged spec is not judged (status writes)", .op = "UPDATE",
	   .gvk = "argoproj.io/v1alpha1/Application", .user = CTRL, .old_meta = APP_META("x"),
	   .old_spec = "{'project':'nope'}", .new_meta = APP_META("x"),
	   .new_spec = "{'project':'nope'}", .new_extra = ",'status':{'a':1}", .allowed = 1),
	/* project-restrictions: managed objects, AppProject deletion */
	PC(.what = "a blacklisted kind in a managed object", .op = "CREATE", .gvk = "/v1/Secret",
	   .user = CTRL, .new_meta = "{'name':'s','namespace':'shop-prod'," BY_RESTRICTED "}",
	   .allowed = 0,
	   .expect = "kind :Secret (Application argocd/restricted-app) is not permitted by project "
	             "restricted: namespaceResourceWhitelist: "),
	PC(.what = "a managed object outside the destinations", .op = "CREATE",
	   .gvk = "/v1/ConfigMap", .user = "alice",
	   .new_meta = "{'name':'c','namespace':'default'," BY_RESTRICTED "}", .allowed = 0,
	   .expect = "namespace 'default' (Application argocd/restricted-app) is not permitted by "
	             "project restricted: destinations: "),
	PC(.what = "a cluster-scoped kind outside the whitelist", .op = "CREATE",
	   .gvk = "rbac.authorization.k8s.io/v1/ClusterRole", .user = CTRL,
	   .new_meta = "{'name':'admin2'," BY_RESTRICTED "}", .allowed = 0,
	   .expect = "kind rbac.authorization.k8s.io:ClusterRole"),
	PC(.what = "a permitted managed object", .op = "CREATE", .gvk = "/v1/ConfigMap",
	   .user = "alice", .new_meta = "{'name':'c','namespace':'shop-prod'," BY_RESTRICTED "}",
	   .allowed = 1),
	PC(.what = "deleting an AppProject still in use", .op = "DELETE",
	   .gvk = "argoproj.io/v1alpha1/AppProject", .user = "alice",
	   .old_meta = "{'name':'default','namespace':'argocd'}", .allowed = 0,
	   .expect = "AppProject default is still used by Applications argocd/confirm-app, "
	             "argocd/guestbook, argocd/vault and 1 more"),
	PC(.what = "deleting an unused AppProject", .op = "DELETE",
	   .gvk = "argoproj.io/v1alpha1/AppProject", .user = "alice",
	   .old_meta = "{'name':'spare','namespace':'argocd'}", .allowed = 1),
};
#pragma GCC diagnostic pop

/* ' to " so the table stays readable. */
static char *dq(const char *s)
{
	char *d = strdup(s);

	for (char *p = d; *p; p++)
		if (*p == '\'')
			*p = '"';
	return d;
}

static cJSON *object_json(const char *gvk, const char *meta, const char *spec, const char *extra)
{
	char *g = strdup(gvk), *kind = strrchr(g, '/'), *m = dq(meta);
	cJSON *o = cJSON_CreateObject();

	*kind++ = '\0';
	cJSON_AddStringToObject(o, "apiVersion", g[0] == '/' ? g + 1 : g);
	cJSON_AddStringToObject(o, "kind", kind);
	cJSON_AddItemToObject(o, "metadata", cJSON_Parse(m));
	if (spec) {
		char *s = dq(spec);

		cJSON_AddItemToObject(o, "spec", cJSON_Parse(s));
		free(s);
	}
	if (extra) {
		struct strbuf sb = STRBUF_INIT;
		char *e = dq(extra);
		cJSON *more, *it;

		strbuf_addf(&sb, "{%s}", e + 1);
		more = cJSON_Parse(sb.buf);
		while (more && (it = more->child))
			cJSON_AddItemToObject(o, it->string, cJSON_DetachItemViaPointer(more, it));
		cJSON_Delete(more);
		strbuf_release(&sb);
		free(e);
	}
	free(g);
	free(m);
	return o;
}

static cJSON *review_json(const struct pcase *c)
{
	cJSON *root = cJSON_CreateObject(), *r, *k, *u, *groups;
	const char *meta = c->old_meta ? c->old_meta : c->new_meta;
	cJSON *subject = object_json(c->gvk, meta, NULL, NULL);
	char *gvk = strdup(c->gvk), *slash1 = strchr(gvk, '/'), *slash2 = strrchr(gvk, '/');
	const char *ns = cJSON_GetStringValue(
		cJSON_GetObjectItem(cJSON_GetObjectItem(subject, "metadata"), "namespace"));
	const char *name = cJSON_GetStringValue(
		cJSON_GetObjectItem(cJSON_GetObjectItem(subject, "metadata"), "name"));

	cJSON_AddStringToObject(root, "apiVersion", "admission.k8s.io/v1");
	cJSON_AddStringToObject(root, "kind", "AdmissionReview");
	r = cJSON_AddObjectToObject(root, "request");
	cJSON_AddStringToObject(r, "uid", "0000-1111");
	k = cJSON_AddObjectToObject(r, "kind");
	*slash1 = '\0';
	*slash2 = '\0';
	cJSON_AddStringToObject(k, "group", gvk);
	cJSON_AddStringToObject(k, "version", slash1 + 1);
	cJSON_AddStringToObject(k, "kind", slash2 + 1);
	cJSON_AddStringToObject(r, "operation", c->op);
	cJSON_AddStringToObject(r, "name", name ? name : "");
	if (ns)
		cJSON_AddStringToObject(r, "namespace", ns);
	else if (!strcmp(slash2 + 1, "Namespace"))
		cJSON_AddStringToObject(r, "namespace", name);
	u = cJSON_AddObjectToObject(r, "userInfo");
	cJSON_AddStringToObject(u, "username", c->user);
	groups = cJSON_AddArrayToObject(u, "groups");
	cJSON_AddItemToArray(groups, cJSON_CreateString("admins"));
	cJSON_AddItemToArray(groups, cJSON_CreateString("system:authenticated"));
	if (c->old_meta)
		cJSON_AddItemToObject(r, "oldObject",
		                      object_json(c->gvk, c->old_meta, c->old_spec, c->old_extra));
	if (c->new_meta)
		cJSON_AddItemToObject(r, "object",
		                      object_json(c->gvk, c->new_meta, c->new_spec, c->new_extra));
	if (c->sub_resource)
		cJSON_AddStringToObject(r, "subResource", c->sub_resource);
	cJSON_AddBoolToObject(r, "dryRun", c->dry_run);
	cJSON_Delete(subject);
	free(gvk);
	return root;
}

static void run_case(const struct pcase *c, struct state_snapshot *snap)
{
	struct webhook_config cfg;
	struct admission_request req;
	struct admission_response resp;
	struct review_env env = { &cfg, NULL, snap, NULL, NULL, 0, NULL };
	struct timespec now;
	struct errbuf err;
	char *out;

	webhook_config_init(&cfg);
	if (c->config) {
		char *s = dq(c->config);
		cJSON *doc = cJSON_Parse(s);

		if (webhook_config_apply(&cfg, doc, policy_names, &err))
			diag(err.msg);
		cJSON_Delete(doc);
		free(s);
	}
	timefmt_parse_rfc3339(c->now ? c->now : NOW, &now, NULL);
	env.now = now.tv_sec;
	if (admission_request_from_json(&req, review_json(c), &err)) {
		ok(0, "%s: review parses (%s)", c->what, err.msg);
		webhook_config_release(&cfg);
		return;
	}
	admission_response_init(&resp);
	review_decide(&env, &req, &resp);
	out = admission_response_render(req.uid, &resp);
	if (!ok(resp.allowed == c->allowed, "%s: %s", c->what, c->allowed ? "allowed" : "denied"))
		diag(out);
	if (c->expect && !ok(strstr(out, c->expect) != NULL, "%s: says what it should", c->what))
		printf("#   response: %s\n#   expected: %s\n", out, c->expect);
	free(out);
	admission_response_release(&resp);
	admission_request_release(&req);
	webhook_config_release(&cfg);
}

int main(void)
{
	const char *paths[] = { STATE_DIR };
	struct errbuf err;
	struct state_snapshot *snap = state_load_paths(paths, 1, &err);

	if (!ok(snap != NULL, "state files load")) {
		diag(err.msg);
		return tap_done();
	}
	is_int(state_app_count(snap), 6, "six Applications (the ConfigMap is ignored)");
	is_int(state_project_count(snap), 4, "four AppProjects, one from a List");
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		run_case(&cases[i], snap);
	/*
	 * Again, in reverse, on the same snapshot: now the projects' caches
	 * hold the window and destination verdicts of the first pass (allowed
	 * at one time, denied at another; one namespace permitted, another
	 * not), and every answer must stay the same.
	 */
	for (size_t i = sizeof(cases) / sizeof(*cases); i-- > 0;)
		run_case(&cases[i], snap);
	state_snapshot_unref(snap);
	return tap_done();
}
