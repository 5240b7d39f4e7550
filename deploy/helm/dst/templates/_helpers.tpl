{{/* Names, labels and the pieces every DST pod shares (image, settings, security, /tmp). */}}

{{- define "dst.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "dst.fullname" -}}
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

{{- define "dst.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dst.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "dst.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "dst.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: dst
{{- end }}

{{- define "dst.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "dst.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* A digest pins the exact image; otherwise the tag (default: the chart's appVersion). */}}
{{- define "dst.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "dst.secretName" -}}
{{- default (include "dst.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{/* Plain DST_* settings (DESIGN §4); the ConfigMap and the migration hook's copy share them. */}}
{{- define "dst.configData" -}}
DST_ENV: {{ .Values.config.env | quote }}
DST_SCHEDULER_ENABLED: "false"
DST_EE_USERNAME: {{ .Values.config.eeUsername | quote }}
DST_PARTNER_TIMEOUT_S: {{ .Values.config.partnerTimeoutS | quote }}
DST_PURGE_AFTER_DAYS: {{ .Values.config.purgeAfterDays | quote }}
DST_ACCEPT_ESTIMATED_DRIVE_TIMES: {{ .Values.config.acceptEstimatedDriveTimes | toString | quote }}
{{- with .Values.config.databaseAppRole }}
DST_DATABASE_APP_ROLE: {{ . | quote }}
{{- end }}
{{- with .Values.config.mviUrl }}
DST_MVI_URL: {{ . | quote }}
{{- end }}
{{- with .Values.config.eeUrl }}
DST_EE_URL: {{ . | quote }}
{{- end }}
{{- with .Values.config.facilitiesUrl }}
DST_FACILITIES_URL: {{ . | quote }}
{{- end }}
{{- with .Values.config.ppmsUrl }}
DST_PPMS_URL: {{ . | quote }}
{{- end }}
{{- with .Values.config.seocUrl }}
DST_SEOC_URL: {{ . | quote }}
{{- end }}
{{- with .Values.config.routingUrl }}
DST_ROUTING_URL: {{ . | quote }}
{{- end }}
{{- with (.Values.config.publicBaseUrl | default (and .Values.ingress.enabled (printf "https://%s" (index .Values.ingress.hosts 0).host))) }}
DST_PUBLIC_BASE_URL: {{ . | quote }}
{{- end }}
{{- with .Values.config.frameAncestors }}
DST_FRAME_ANCESTORS: {{ . | quote }}
{{- end }}
{{- with .Values.config.oidcIssuer }}
DST_OIDC_ISSUER: {{ . | quote }}
{{- end }}
{{- with .Values.config.oidcClientId }}
DST_OIDC_CLIENT_ID: {{ . | quote }}
{{- end }}
{{- range $name, $value := .Values.config.extra }}
{{ $name }}: {{ $value | quote }}
{{- end }}
{{- end }}

{{/* Credentials; the three DST cannot start without are required unless an existing Secret is named. */}}
{{- define "dst.secretData" -}}
{{- $hint := "(or name your own Secret in secrets.existingSecret)" }}
DST_DATABASE_URL: {{ required (printf "secrets.databaseUrl is required %s" $hint) .Values.secrets.databaseUrl | b64enc | quote }}
DST_SERVICE_TOKEN: {{ required (printf "secrets.serviceToken is required %s" $hint) .Values.secrets.serviceToken | b64enc | quote }}
DST_SECRET_KEY: {{ required (printf "secrets.secretKey is required %s" $hint) .Values.secrets.secretKey | b64enc | quote }}
{{- with .Values.secrets.eePassword }}
DST_EE_PASSWORD: {{ . | b64enc | quote }}
{{- end }}
{{- with .Values.secrets.facilitiesApiKey }}
DST_FACILITIES_API_KEY: {{ . | b64enc | quote }}
{{- end }}
{{- with .Values.secrets.oidcClientSecret }}
DST_OIDC_CLIENT_SECRET: {{ . | b64enc | quote }}
{{- end }}
{{- with .Values.secrets.cdwUrl }}
DST_CDW_URL: {{ . | b64enc | quote }}
{{- end }}
{{- end }}

{{/* envFrom for a DST container: the settings and the credentials, by the names given. */}}
{{- define "dst.envFrom" -}}
- configMapRef:
    name: {{ .configMap }}
- secretRef:
    name: {{ .secret }}
{{- end }}

{{- define "dst.tmpVolumeMount" -}}
- name: tmp
  mountPath: /tmp
{{- end }}

{{- define "dst.tmpVolume" -}}
- name: tmp
  emptyDir:
    medium: Memory
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end }}

{{/* Pod settings shared by the web app, the migration Job and the CronJobs (each names its ServiceAccount). */}}
{{- define "dst.podCommon" -}}
automountServiceAccountToken: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* The proxies whose X-Forwarded-For DST believes. Behind the chart's Ingress they must be named:
otherwise every caller would share the ingress controller's address. */}}
{{- define "dst.trustedProxies" -}}
{{- $proxies := join "," .Values.trustedProxies -}}
{{- if and .Values.ingress.enabled (not $proxies) -}}
{{- fail "trustedProxies must list the ingress controller's pod network (for example 10.42.0.0/16) when ingress.enabled is true" -}}
{{- end -}}
{{- default "127.0.0.1,::1" $proxies -}}
{{- end -}}
