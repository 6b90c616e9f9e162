#!/bin/sh
# Stand-in for Kafka's kafka-topics.sh: a Kafka-protocol client (standin/tools.js), not the Java tool.
exec /opt/kafka/standin/bin/node /opt/kafka/standin/tools.js kafka-topics "$@"
