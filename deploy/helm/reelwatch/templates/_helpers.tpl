{{/* The name part of every object. */}}
{{- define "reelwatch.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The name prefix of every object: <release>-reelwatch, or the release name when it already says reelwatch. */}}
{{- define "reelwatch.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Selector labels of one component (dict "root" $ "component" "ingestion"). */}}
{{- define "reelwatch.selectorLabels" -}}
app.kubernetes.io/name: {{ include "reelwatch.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Every label of one component's objects. The component label is also the Prometheus job name (ServiceMonitor jobLabel), as in Compose. */}}
{{- define "reelwatch.labels" -}}
{{ include "reelwatch.selectorLabels" . }}
app.kubernetes.io/part-of: reelwatch
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* The services image. */}}
{{- define "reelwatch.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The Secret the services read their connection strings and passwords from. */}}
{{- define "reelwatch.secretName" -}}
{{- required "secrets.existingSecret: name the Secret holding the connection strings" .Values.secrets.existingSecret -}}
{{- end -}}

{{/* Kafka bootstrap servers: the Strimzi cluster's when the chart creates it, else kafka.bootstrapServers. */}}
{{- define "reelwatch.kafkaBootstrap" -}}
{{- if .Values.kafka.strimzi.create -}}
{{- printf "%s-kafka-kafka-bootstrap:9092" (include "reelwatch.fullname" .) -}}
{{- else -}}
{{- required "kafka.bootstrapServers: the Kafka bootstrap servers, host:port" .Values.kafka.bootstrapServers -}}
{{- end -}}
{{- end -}}

{{/* Where secret files are mounted in every container. */}}
{{- define "reelwatch.secretDir" -}}/etc/reelwatch/secrets{{- end -}}

{{/* Pod-level security context of every Reelwatch pod. */}}
{{- define "reelwatch.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurityContext.runAsUser }}
runAsGroup: {{ .Values.podSecurityContext.runAsGroup }}
fsGroup: {{ .Values.podSecurityContext.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container-level security context of every container the chart runs. */}}
{{- define "reelwatch.containerSecurityContext" -}}
runAsNonRoot: true
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
capabilities:
  drop: [ALL]
{{- end -}}

{{/* Extra env from a values map (sorted by name), after the chart's own. */}}
{{- define "reelwatch.extraEnv" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end -}}

{{/*
One long-running service: Deployment, Service, ServiceMonitor and PodDisruptionBudget.
dict: root, component, cfg (its values), env (YAML list text), secretItems (list of Secret keys),
replicas (omitted when null: KEDA owns it), volumes/volumeMounts (YAML text, optional).
*/}}
{{- define "reelwatch.service" -}}
{{- $root := .root -}}
{{- $name := printf "%s-%s" (include "reelwatch.fullname" $root) .component -}}
{{- $labelArgs := dict "root" $root "component" .component -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  labels:
    {{- include "reelwatch.labels" $labelArgs | nindent 4 }}
spec:
  {{- if not (kindIs "invalid" .replicas) }}
  replicas: {{ .replicas }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "reelwatch.selectorLabels" $labelArgs | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "reelwatch.labels" $labelArgs | nindent 8 }}
    spec:
      automountServiceAccountToken: false
      securityContext:
        {{- include "reelwatch.podSecurityContext" $root | nindent 8 }}
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- range . }}
        - name: {{ . }}
        {{- end }}
      {{- end }}
      containers:
        - name: {{ .component }}
          image: {{ include "reelwatch.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          command: [node, packages/{{ .component }}/dist/main.js]
          env:
            {{- .env | nindent 12 }}
            {{- include "reelwatch.extraEnv" .cfg.env | nindent 12 }}
          ports:
            - name: http
              containerPort: {{ .cfg.port }}
              protocol: TCP
          startupProbe:
            httpGet: { path: /healthz, port: http }
            periodSeconds: 5
            failureThreshold: 24
          livenessProbe:
            httpGet: { path: /healthz, port: http }
            periodSeconds: 10
            timeoutSeconds: 3
            failureThreshold: 3
          readinessProbe:
            httpGet: { path: {{ .readyPath | default "/readyz" }}, port: http }
            periodSeconds: 10
            timeoutSeconds: 3
            failureThreshold: 3
          resources:
            {{- toYaml .cfg.resources | nindent 12 }}
          securityContext:
            {{- include "reelwatch.containerSecurityContext" $root | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if .secretItems }}
            - name: secrets
              mountPath: {{ include "reelwatch.secretDir" $root }}
              readOnly: true
            {{- end }}
            {{- with .volumeMounts }}
            {{- . | nindent 12 }}
            {{- end }}
      volumes:
        - name: tmp
          emptyDir: {}
        {{- if .secretItems }}
        - name: secrets
          secret:
            secretName: {{ include "reelwatch.secretName" $root }}
            defaultMode: 0440
            items:
              {{- range .secretItems }}
              - key: {{ . }}
                path: {{ . }}
              {{- end }}
        {{- end }}
        {{- with .volumes }}
        {{- . | nindent 8 }}
        {{- end }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}
  labels:
    {{- include "reelwatch.labels" $labelArgs | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "reelwatch.selectorLabels" $labelArgs | nindent 4 }}
  ports:
    - name: http
      port: {{ .cfg.port }}
      targetPort: http
      protocol: TCP
{{- if $root.Values.monitoring.serviceMonitors }}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ $name }}
  labels:
    {{- include "reelwatch.labels" $labelArgs | nindent 4 }}
    {{- with $root.Values.monitoring.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  # job="<component>", the job name Compose's prometheus.yml gives it: rules and dashboards match either way.
  jobLabel: app.kubernetes.io/component
  selector:
    matchLabels:
      {{- include "reelwatch.selectorLabels" $labelArgs | nindent 6 }}
  namespaceSelector:
    matchNames: [{{ $root.Release.Namespace }}]
  endpoints:
    - port: http
      path: /metrics
      interval: {{ $root.Values.monitoring.interval }}
{{- end }}
{{- if $root.Values.podDisruptionBudget.enabled }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ $name }}
  labels:
    {{- include "reelwatch.labels" $labelArgs | nindent 4 }}
spec:
  maxUnavailable: {{ $root.Values.podDisruptionBudget.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "reelwatch.selectorLabels" $labelArgs | nindent 6 }}
{{- end }}
{{- end -}}
