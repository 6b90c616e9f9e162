/*
 * Hosts librdkafka's mock cluster (the only Kafka wire-protocol broker available here) and
 * lets the stand-in's Node.js broker drive it over stdin/stdout.
 *
 * Protocol, one line each:
 *   stdout, once:  "bootstrap <host:port>"           the mock broker's 127.0.0.1 listener
 *   stdin:         "create <id> <topic> <partitions> <replication>"
 *   stdout:        "result <id> <kafka error code>"   0 = created, 36 = TOPIC_ALREADY_EXISTS, ...
 *   stdin EOF:     destroy the cluster and exit 0
 * librdkafka's own log lines go to stderr ("log <level> <fac> <message>"); the Node.js side
 * drains them, so a full pipe never stalls the mock's thread.
 *
 * Why: the mock only auto-creates topics with a hard-coded 4 partitions and does not implement
 * CreateTopics; rd_kafka_mock_topic_create() (librdkafka >= 1.4, public in rdkafka_mock.h) is
 * the one way to create a topic with a chosen partition count.
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
        (void)rk;
        fprintf(stderr, "log %d %s %s\n", level, fac, buf);
        fflush(stderr);
}

int main(int argc, char **argv) {
        char errstr[512];
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        rd_kafka_t *rk;
        rd_kafka_mock_cluster_t *mcluster;
        const char *debug = argc > 1 ? argv[1] : "";
        char line[4096];

        rd_kafka_conf_set_log_cb(conf, log_cb);
        /* The handle is only the mock's bookkeeping host: it never connects anywhere. Without
         * bootstrap.servers librdkafka would warn once at startup that it cannot; that is
         * expected here, so notices are left out unless debugging is asked for. */
        if (*debug) {
                if (rd_kafka_conf_set(conf, "debug", debug, errstr, sizeof(errstr)) !=
                    RD_KAFKA_CONF_OK) {
                        fprintf(stderr, "fatal debug=%s: %s\n", debug, errstr);
                        return 2;
                }
        } else {
                rd_kafka_conf_set(conf, "log_level", "4", errstr, sizeof(errstr));
        }

        rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "fatal rd_kafka_new: %s\n", errstr);
                return 1;
        }
        mcluster = rd_kafka_mock_cluster_new(rk, 1);
        if (!mcluster) {
                fprintf(stderr, "fatal rd_kafka_mock_cluster_new failed\n");
                rd_kafka_destroy(rk);
                return 1;
        }
        /* The mock's Metadata handler decodes and encodes v0-v8 (rdkafka_mock_handlers.c) but its
         * API table advertises v0-v2 only. v4 is needed: its AllowAutoTopicCreation=false is the
         * only way to ask for a topic without the mock auto-creating it (with 4 partitions).
         * v8 stays off: the mock writes v8's TopicAuthorizedOperations in the wrong place.
         * 3 = Metadata's ApiKey (RD_KAFKAP_Metadata is not in the public headers). */
        if (rd_kafka_mock_set_apiversion(mcluster, 3, 0, 7) != RD_KAFKA_RESP_ERR_NO_ERROR) {
                fprintf(stderr, "fatal rd_kafka_mock_set_apiversion(Metadata, 0, 7) failed\n");
                return 1;
        }
        printf("bootstrap %s\n", rd_kafka_mock_cluster_bootstraps(mcluster));
        fflush(stdout);

        while (fgets(line, sizeof(line), stdin)) {
                char id[64], topic[1024];
                int partitions, replication;
                if (sscanf(line, "create %63s %1023s %d %d", id, topic, &partitions,
                           &replication) == 4) {
                        rd_kafka_resp_err_t err;
                        /* The caller validates; this guards the mock's calloc against nonsense. */
                        if (partitions <= 0)
                                err = RD_KAFKA_RESP_ERR_INVALID_PARTITIONS;
                        else if (replication <= 0)
                                err = RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR;
                        else
                                err = rd_kafka_mock_topic_create(mcluster, topic, partitions,
                                                                 replication);
                        printf("result %s %d\n", id, (int)err);
                } else {
                        printf("result ? %d\n", (int)RD_KAFKA_RESP_ERR_INVALID_REQUEST);
                }
                fflush(stdout);
        }

        rd_kafka_mock_cluster_destroy(mcluster);
        rd_kafka_destroy(rk);
        return 0;
}
