{{/* Names, labels and small pieces shared by the templates. */}}

{{- define "gitops-webhook.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "gitops-webhook.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "gitops-webhook.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "gitops-webhook.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gitops-webhook.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "gitops-webhook.labels" -}}
helm.sh/chart: {{ include "gitops-webhook.chart" . }}
{{ include "gitops-webhook.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: kubectl-gitops
{{- end }}

{{- define "gitops-webhook.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "gitops-webhook.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* registry/repository:tag, or @digest when one is given. */}}
{{- define "gitops-webhook.image" -}}
{{- $img := .image }}
{{- $ref := $img.repository }}
{{- if $img.registry }}{{ $ref = printf "%s/%s" $img.registry $img.repository }}{{ end }}
{{- if $img.digest }}
{{- printf "%s@%s" $ref $img.digest }}
{{- else }}
{{- printf "%s:%s" $ref (toString (default .default $img.tag)) }}
{{- end }}
{{- end }}

{{- define "gitops-webhook.tlsSecretName" -}}
{{- printf "%s-tls" (include "gitops-webhook.fullname" .) }}
{{- end }}

{{- define "gitops-webhook.configurationName" -}}
{{- include "gitops-webhook.fullname" . }}
{{- end }}

{{/* The names the serving certificate must carry (SANs). */}}
{{- define "gitops-webhook.dnsNames" -}}
{{- $svc := include "gitops-webhook.fullname" . }}
{{- $ns := .Release.Namespace }}
{{- list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns) | toJson }}
{{- end }}

{{/* 1 when the cluster evaluates matchConditions (GA in 1.30). */}}
{{- define "gitops-webhook.hasMatchConditions" -}}
{{- if semverCompare ">=1.30-0" .Capabilities.KubeVersion.Version }}1{{ end }}
{{- end }}

{{- define "gitops-webhook.hookJobSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}
