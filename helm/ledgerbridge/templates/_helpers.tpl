{{/* Chart name, truncated to the 63 characters Kubernetes names allow. */}}
{{- define "ledgerbridge.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: release-chart, unless the release name already contains the chart name. */}}
{{- define "ledgerbridge.fullname" -}}
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

{{- define "ledgerbridge.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "ledgerbridge.labels" -}}
helm.sh/chart: {{ include "ledgerbridge.chart" . }}
{{ include "ledgerbridge.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: ledgerbridge
{{- end }}

{{/* Selector labels of the gateway. */}}
{{- define "ledgerbridge.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ledgerbridge.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: gateway
{{- end }}

{{/* Selector labels of the built-in Redis. */}}
{{- define "ledgerbridge.redisSelectorLabels" -}}
app.kubernetes.io/name: {{ include "ledgerbridge.name" . }}-redis
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: redis
{{- end }}

{{- define "ledgerbridge.redisLabels" -}}
helm.sh/chart: {{ include "ledgerbridge.chart" . }}
{{ include "ledgerbridge.redisSelectorLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: ledgerbridge
{{- end }}

{{- define "ledgerbridge.redisName" -}}
{{- printf "%s-redis" (include "ledgerbridge.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "ledgerbridge.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "ledgerbridge.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret holding master-key, admin-token, redis-url, master-keys-old. */}}
{{- define "ledgerbridge.secretName" -}}
{{- default (include "ledgerbridge.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{- define "ledgerbridge.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* Fail early on values that cannot work together. */}}
{{- define "ledgerbridge.validate" -}}
{{- if not .Values.secrets.existingSecret }}
{{- if not .Values.secrets.masterKey }}
{{- fail "secrets.masterKey is required (openssl rand -base64 32), or set secrets.existingSecret" }}
{{- end }}
{{- if and (not .Values.redis.builtin.enabled) (not .Values.redis.url) }}
{{- fail "redis.url is required (an external Redis with AOF persistence), or set redis.builtin.enabled=true, or secrets.existingSecret with a redis-url key" }}
{{- end }}
{{- end }}
{{- if and .Values.redis.builtin.enabled .Values.redis.url }}
{{- fail "set either redis.url or redis.builtin.enabled, not both" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (lt (int .Values.autoscaling.maxReplicas) (int .Values.autoscaling.minReplicas)) }}
{{- fail "autoscaling.maxReplicas must be >= autoscaling.minReplicas" }}
{{- end }}
{{- end }}
