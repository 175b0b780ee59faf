{{/* The chart's name, at most 63 characters (a DNS label). */}}
{{- define "a2a-bridge.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name: the release name, with the chart's name unless it already holds it. */}}
{{- define "a2a-bridge.fullname" -}}
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

{{- define "a2a-bridge.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "a2a-bridge.selectorLabels" -}}
app.kubernetes.io/name: {{ include "a2a-bridge.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "a2a-bridge.labels" -}}
helm.sh/chart: {{ include "a2a-bridge.chart" . }}
{{ include "a2a-bridge.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "a2a-bridge.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* Whether the bridge keeps its shared state in Redis. */}}
{{- define "a2a-bridge.redis" -}}
{{- if and .Values.redis.url .Values.redis.existingSecret }}
{{- fail "redis: set url or existingSecret, not both" }}
{{- end }}
{{- if or .Values.redis.url .Values.redis.existingSecret }}true{{ end }}
{{- end }}

{{/*
The bridge's config file: values.config as written, plus the redis block the chart owns. The listen address
is the chart's (A2A_BRIDGE_LISTEN from containerPort), so config.listen is refused rather than ignored.
*/}}
{{- define "a2a-bridge.config" -}}
{{- $cfg := deepCopy (default dict .Values.config) }}
{{- if hasKey $cfg "listen" }}
{{- fail "config.listen: the chart sets the listen address; set containerPort instead" }}
{{- end }}
{{- if include "a2a-bridge.redis" . }}
{{- $redis := deepCopy (default dict (get $cfg "redis")) }}
{{- $_ := set $redis "url" (ternary "${REDIS_URL}" .Values.redis.url (ne .Values.redis.existingSecret "")) }}
{{- if .Values.redis.prefix }}
{{- $_ := set $redis "prefix" .Values.redis.prefix }}
{{- end }}
{{- $_ := set $cfg "redis" $redis }}
{{- end }}
{{- toYaml $cfg }}
{{- end }}
