#!/bin/sh
# Stand-in for Kafka's kafka-broker-api-versions.sh: asks every broker of the cluster for its
# ApiVersions over the Kafka protocol (standin/tools.js); exit 0 only when all of them answer.
exec /opt/kafka/standin/bin/node /opt/kafka/standin/tools.js kafka-broker-api-versions "$@"
