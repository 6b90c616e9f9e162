// Unit tests of the apache/kafka stand-in's protocol work (standins/kafka/standin/*.js): the
// frames its proxy rewrites between clients and librdkafka's mock cluster, and the answers it
// gives itself. Where kafkajs (the project's client) has an encoder or decoder for the same
// message, it is the independent judge of the bytes: what kafkajs sends must decode here, and
// what is encoded here must decode in kafkajs.
import { createRequire } from 'node:module';
import * as path from 'node:path';

const requireHere = createRequire(__filename);
const standin = path.join(__dirname, '..', 'standins', 'kafka', 'standin');
// Plain CommonJS modules of the image, loaded as they are (no types).
// biome-ignore lint/suspicious/noExplicitAny: untyped CommonJS modules of the image and of kafkajs
type Any = any;
const P: Any = requireHere(path.join(standin, 'protocol.js'));
const { loadConfig }: Any = requireHere(path.join(standin, 'broker.js'));
const { parseArgs }: Any = requireHere(path.join(standin, 'tools.js'));
const kafkajs = (p: string): Any => requireHere(`kafkajs/src/protocol/requests/${p}`);

/** The mock's Metadata answer (v4 upstream): its broker on 127.0.0.1, controller 0, its cluster id. */
function mockMetadata(): Any {
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: 1, host: '127.0.0.1', port: 39123, rack: null }],
    clusterId: 'mockCluster55d0a7',
    controllerId: 0,
    topics: [
      {
        errorCode: 0,
        name: 'movie-events',
        isInternal: false,
        partitions: [0, 1, 2].map((i) => ({
          errorCode: 0,
          partitionIndex: i,
          leaderId: 1,
          leaderEpoch: -1,
          replicaNodes: [1],
          isrNodes: [1],
          offlineReplicas: [],
        })),
      },
      { errorCode: 3, name: 'missing', isInternal: false, partitions: [] },
    ],
  };
}

const endpoint = { nodeId: 7, host: 'kafka', port: 9092, clusterId: '5L6g3nShT-eMCtK--X86sw', rack: null };

describe('frames', () => {
  it('splits complete frames and keeps a partial one for later', () => {
    const a = P.frame(Buffer.from('abc'));
    const b = P.frame(Buffer.from('defgh'));
    const joined = Buffer.concat([a, b.subarray(0, 6)]);
    const { frames, rest } = P.splitFrames(joined);
    expect(frames.map((f: Buffer) => f.toString())).toEqual(['abc']);
    expect(rest.length).toBe(6);
    const again = P.splitFrames(Buffer.concat([rest, b.subarray(6)]));
    expect(again.frames.map((f: Buffer) => f.toString())).toEqual(['defgh']);
    expect(again.rest.length).toBe(0);
  });

  it('refuses a negative or oversized frame size instead of waiting for it', () => {
    const bad = Buffer.alloc(4);
    bad.writeInt32BE(-5);
    expect(() => P.splitFrames(bad)).toThrow(/invalid frame size/);
    const big = Buffer.alloc(4);
    big.writeInt32BE(2000);
    expect(() => P.splitFrames(big, 1000)).toThrow(/invalid frame size 2000/);
  });

  it('reads the request header kafkajs writes, and swaps only the correlation id', async () => {
    const encode = requireHere('kafkajs/src/protocol/request');
    const req = kafkajs('metadata/v6/request')({ topics: ['movie-events'], allowAutoTopicCreation: true });
    const wire: Buffer = (await encode({ correlationId: 42, clientId: 'ingestion', request: req })).buffer;
    const payload = wire.subarray(4);
    const header = P.decodeRequestHeader(payload);
    expect(header).toMatchObject({ apiKey: 3, apiVersion: 6, correlationId: 42, clientId: 'ingestion' });
    const swapped = P.withCorrelationId(payload, 4, 9001);
    expect(P.decodeRequestHeader(swapped)).toMatchObject({ correlationId: 9001, clientId: 'ingestion' });
    expect(payload.readInt32BE(4)).toBe(42); // the original is not modified
    expect(swapped.subarray(8).equals(payload.subarray(8))).toBe(true);
  });
});

describe('ApiVersions', () => {
  // ApiVersions of librdkafka 2.0.2's mock, with Metadata raised to v0-7 by mock-cluster.c.
  const mockKeys = [
    { apiKey: 0, minVersion: 0, maxVersion: 7 },
    { apiKey: 3, minVersion: 0, maxVersion: 7 },
    { apiKey: 10, minVersion: 0, maxVersion: 3 },
    { apiKey: 18, minVersion: 0, maxVersion: 2 },
    { apiKey: 11, minVersion: 0, maxVersion: 5 },
  ];

  it('caps what the proxy decodes, answers ApiVersions up to v3 and adds CreateTopics', () => {
    const keys = P.advertisedApiVersions(mockKeys);
    const byKey = new Map(keys.map((k: Any) => [k.apiKey, k]));
    expect(byKey.get(3)).toEqual({ apiKey: 3, minVersion: 0, maxVersion: 7 });
    expect(byKey.get(10)).toEqual({ apiKey: 10, minVersion: 0, maxVersion: 2 }); // v3 is flexible
    expect(byKey.get(18)).toEqual({ apiKey: 18, minVersion: 0, maxVersion: 3 });
    expect(byKey.get(19)).toEqual({ apiKey: 19, minVersion: 0, maxVersion: 4 });
    expect(byKey.get(11)).toEqual({ apiKey: 11, minVersion: 0, maxVersion: 5 }); // passthrough as is
    expect(keys.map((k: Any) => k.apiKey)).toEqual([0, 3, 10, 11, 18, 19]);
  });

  it('encodes v0-v2 as kafkajs decodes them', async () => {
    const apiKeys = P.advertisedApiVersions(mockKeys);
    for (const v of [0, 1, 2]) {
      const decoded = await kafkajs(`apiVersions/v${v}/response`).decode(
        P.encodeApiVersionsResponse(v, { apiKeys }),
      );
      expect(decoded.errorCode).toBe(0);
      expect(decoded.apiVersions.find((k: Any) => k.apiKey === 19)).toEqual({
        apiKey: 19,
        minVersion: 0,
        maxVersion: 4,
      });
      expect(decoded.apiVersions).toHaveLength(apiKeys.length);
    }
  });

  it('encodes the flexible v3 response: compact array, per-entry and top-level tag buffers', () => {
    const apiKeys = [
      { apiKey: 3, minVersion: 0, maxVersion: 7 },
      { apiKey: 19, minVersion: 0, maxVersion: 4 },
    ];
    const body = P.encodeApiVersionsResponse(3, { apiKeys, throttleTimeMs: 5 });
    // int16 error, uvarint 3 (2 entries + 1), 2 x (3 x int16 + tag byte), int32 throttle, tag byte
    expect(body.toString('hex')).toBe(
      ['0000', '03', '0003' + '0000' + '0007' + '00', '0013' + '0000' + '0004' + '00', '00000005', '00'].join(
        '',
      ),
    );
    expect(P.decodeApiVersionsResponse(3, body)).toEqual({ errorCode: 0, apiKeys, throttleTimeMs: 5 });
  });
});

describe('Metadata', () => {
  it('sends the mock v4+ with allow_auto_topic_creation=false, whatever the client asked', () => {
    const v6 = P.upstreamMetadataRequest(6, { topics: ['a'], allowAutoTopicCreation: true });
    expect(v6.upstreamVersion).toBe(6);
    expect(v6.body.toString('hex')).toBe('00000001' + '0001' + '61' + '00');
    // v1 (no flag on the wire) goes upstream as v4; a v0 empty list means every topic: null at v4
    const v1 = P.upstreamMetadataRequest(
      1,
      P.decodeMetadataRequest(1, P.encodeMetadataRequest(1, { topics: ['a'] })),
    );
    expect(v1.upstreamVersion).toBe(4);
    expect(P.decodeMetadataRequest(4, v1.body)).toEqual({ topics: ['a'], allowAutoTopicCreation: false });
    const v0 = P.decodeMetadataRequest(0, Buffer.from('00000000', 'hex'));
    expect(v0.topics).toBeNull();
    expect(P.upstreamMetadataRequest(0, v0).body.toString('hex')).toBe('ffffffff' + '00');
  });

  it('decodes the Metadata request kafkajs sends (v6, auto-creation on by default)', async () => {
    const req = await kafkajs('metadata/v6/request')({ topics: ['movie-events', 'x'] }).encode();
    expect(P.decodeMetadataRequest(6, req.buffer)).toEqual({
      topics: ['movie-events', 'x'],
      allowAutoTopicCreation: true,
    });
  });

  it('rewrites brokers, node ids, controller and cluster id for the advertised listener', () => {
    const out = P.rewriteMetadataResponse(mockMetadata(), endpoint);
    expect(out.brokers).toEqual([{ nodeId: 7, host: 'kafka', port: 9092, rack: null }]);
    expect(out.controllerId).toBe(7);
    expect(out.clusterId).toBe('5L6g3nShT-eMCtK--X86sw');
    expect(out.topics[0].partitions.map((p: Any) => [p.leaderId, p.replicaNodes, p.isrNodes])).toEqual([
      [7, [7], [7]],
      [7, [7], [7]],
      [7, [7], [7]],
    ]);
    expect(out.topics[1]).toEqual({ errorCode: 3, name: 'missing', isInternal: false, partitions: [] });
  });

  it('answers LEADER_NOT_AVAILABLE for a topic being auto-created', () => {
    const out = P.rewriteMetadataResponse(mockMetadata(), endpoint, new Map([['missing', 5]]));
    expect(out.topics[1].errorCode).toBe(5);
    expect(out.topics[0].errorCode).toBe(0);
  });

  it('round-trips every version 0-7 from the mock (v4) to the client version, as kafkajs reads it', async () => {
    const upstream = P.encodeMetadataResponse(4, mockMetadata());
    const fromMock = P.decodeMetadataResponse(4, upstream);
    expect(fromMock).toMatchObject({ controllerId: 0, clusterId: 'mockCluster55d0a7' });
    for (let v = 0; v <= 6; v++) {
      const body = P.encodeMetadataResponse(v, P.rewriteMetadataResponse(fromMock, endpoint));
      const decoded = await kafkajs(`metadata/v${v}/response`).decode(body);
      expect(decoded.brokers).toEqual([expect.objectContaining({ nodeId: 7, host: 'kafka', port: 9092 })]);
      if (v >= 1) expect(decoded.controllerId).toBe(7);
      if (v >= 2) expect(decoded.clusterId).toBe('5L6g3nShT-eMCtK--X86sw');
      expect(decoded.topicMetadata[0].partitionMetadata).toHaveLength(3);
      expect(decoded.topicMetadata[0].partitionMetadata[2]).toMatchObject({
        partitionId: 2,
        leader: 7,
        replicas: [7],
        isr: [7],
      });
    }
    // v7 (leader epoch) has no kafkajs decoder: decode it here and check its size is exact.
    const v7 = P.encodeMetadataResponse(7, P.rewriteMetadataResponse(fromMock, endpoint));
    const back = P.decodeMetadataResponse(7, v7);
    expect(back.topics[0].partitions[1]).toMatchObject({ partitionIndex: 1, leaderId: 7, leaderEpoch: -1 });
    expect(P.encodeMetadataResponse(7, back).equals(v7)).toBe(true);
    expect(v7.length - P.encodeMetadataResponse(6, back).length).toBe(3 * 4); // one int32 per partition
  });

  it('auto-creates only named, unknown topics, only when broker and client both allow it', () => {
    const res = mockMetadata();
    expect(
      P.autoCreateTopicsFor({ topics: ['movie-events', 'missing'], allowAutoTopicCreation: true }, res, true),
    ).toEqual(['missing']);
    expect(P.autoCreateTopicsFor({ topics: ['missing'], allowAutoTopicCreation: true }, res, false)).toEqual(
      [],
    );
    expect(P.autoCreateTopicsFor({ topics: ['missing'], allowAutoTopicCreation: false }, res, true)).toEqual(
      [],
    );
    expect(P.autoCreateTopicsFor({ topics: null, allowAutoTopicCreation: true }, res, true)).toEqual([]);
  });
});

describe('FindCoordinator', () => {
  it('points the client at the advertised listener instead of the mock broker', async () => {
    for (const v of [0, 1, 2]) {
      const fromMock = P.encodeFindCoordinatorResponse(v, {
        errorCode: 0,
        errorMessage: null,
        nodeId: 1,
        host: '127.0.0.1',
        port: 39123,
      });
      const res = P.rewriteFindCoordinatorResponse(P.decodeFindCoordinatorResponse(v, fromMock), endpoint);
      const decoded = await kafkajs(`findCoordinator/v${v}/response`).decode(
        P.encodeFindCoordinatorResponse(v, res),
      );
      expect(decoded.coordinator).toEqual({ nodeId: 7, host: 'kafka', port: 9092 });
      expect(decoded.errorCode).toBe(0);
    }
  });

  it('leaves an error answer alone', () => {
    const err = {
      throttleTimeMs: 0,
      errorCode: 15,
      errorMessage: 'Coordinator not available',
      nodeId: -1,
      host: null,
      port: -1,
    };
    expect(P.rewriteFindCoordinatorResponse(err, endpoint)).toEqual(err);
  });

  it('decodes the request kafkajs sends (v2: key and key type)', async () => {
    const req = await kafkajs('findCoordinator/v2/request')({
      coordinatorKey: 'ingestion',
      coordinatorType: 0,
    }).encode();
    expect(P.decodeFindCoordinatorRequest(2, req.buffer)).toEqual({ key: 'ingestion', keyType: 0 });
  });
});

describe('CreateTopics', () => {
  const config = { nodeIds: [1], defaultPartitions: 1, defaultReplicationFactor: 1, maxPartitions: 10000 };

  it('decodes what kafkajs sends (v0-v3) with partitions, replication and configs', async () => {
    for (const v of [0, 1, 2, 3]) {
      const req = await kafkajs(`createTopics/v${v}/request`)({
        topics: [
          {
            topic: 'movie-events',
            numPartitions: 6,
            replicationFactor: 1,
            configEntries: [{ name: 'retention.ms', value: '1000' }],
          },
        ],
        timeout: 5000,
        validateOnly: true,
      }).encode();
      const decoded = P.decodeCreateTopicsRequest(v, req.buffer);
      expect(decoded.topics).toEqual([
        {
          name: 'movie-events',
          numPartitions: 6,
          replicationFactor: 1,
          assignments: [],
          configs: [{ name: 'retention.ms', value: '1000' }],
        },
      ]);
      expect(decoded.timeoutMs).toBe(5000);
      expect(decoded.validateOnly).toBe(v >= 1);
    }
  });

  it('encodes responses kafkajs reads, error messages from v1', async () => {
    const topics = [
      { name: 'a', errorCode: 0, errorMessage: null },
      { name: 'b', errorCode: 36, errorMessage: "Topic 'b' already exists." },
    ];
    const v0 = await kafkajs('createTopics/v0/response').decode(P.encodeCreateTopicsResponse(0, { topics }));
    expect(v0.topicErrors).toEqual([
      { topic: 'a', errorCode: 0 },
      { topic: 'b', errorCode: 36 },
    ]);
    const v3 = await kafkajs('createTopics/v3/response').decode(
      P.encodeCreateTopicsResponse(3, { topics, throttleTimeMs: 0 }),
    );
    expect(v3.topicErrors[1]).toEqual({
      topic: 'b',
      errorCode: 36,
      errorMessage: "Topic 'b' already exists.",
    });
    await expect(kafkajs('createTopics/v3/response').parse(v3)).rejects.toMatchObject({
      errors: [expect.objectContaining({ type: 'TOPIC_ALREADY_EXISTS', topic: 'b' })],
    });
    expect(P.decodeCreateTopicsResponse(2, P.encodeCreateTopicsResponse(2, { topics })).topics).toEqual(
      topics,
    );
  });

  it('plans a valid topic, with broker defaults for -1', () => {
    const [t] = P.planCreateTopics(
      { topics: [{ name: 'movie-events', numPartitions: 6, replicationFactor: 1, assignments: [] }] },
      config,
    );
    expect(t).toEqual({
      name: 'movie-events',
      errorCode: 0,
      errorMessage: null,
      partitions: 6,
      replicationFactor: 1,
    });
    const [d] = P.planCreateTopics(
      { topics: [{ name: 'd', numPartitions: -1, replicationFactor: -1, assignments: [] }] },
      {
        ...config,
        defaultPartitions: 3,
      },
    );
    expect(d).toMatchObject({ errorCode: 0, partitions: 3, replicationFactor: 1 });
  });

  it('rejects what a KRaft controller rejects, with its error codes', () => {
    const plan = (t: Any) =>
      P.planCreateTopics(
        { topics: [{ assignments: [], numPartitions: 1, replicationFactor: 1, ...t }] },
        config,
      )[0];
    expect(plan({ name: 't', numPartitions: 0 }).errorCode).toBe(37); // INVALID_PARTITIONS
    expect(plan({ name: 't', numPartitions: -2 }).errorCode).toBe(37);
    expect(plan({ name: 't', replicationFactor: 0 }).errorCode).toBe(38); // INVALID_REPLICATION_FACTOR
    const rf3 = plan({ name: 't', replicationFactor: 3 });
    expect(rf3.errorCode).toBe(38);
    expect(rf3.errorMessage).toMatch(/only 1 broker\(s\) are registered/);
    expect(plan({ name: 'a b' }).errorCode).toBe(17); // INVALID_TOPIC_EXCEPTION
    expect(plan({ name: '..' }).errorCode).toBe(17);
    expect(plan({ name: 'x'.repeat(250) }).errorCode).toBe(17);
    expect(plan({ name: 'x'.repeat(249) }).errorCode).toBe(0);
    expect(plan({ name: 't', numPartitions: 10001 }).errorCode).toBe(37);
    const dup = P.planCreateTopics(
      {
        topics: [
          { name: 'd', numPartitions: 1, replicationFactor: 1, assignments: [] },
          { name: 'd', numPartitions: 1, replicationFactor: 1, assignments: [] },
        ],
      },
      config,
    );
    expect(dup.map((t: Any) => t.errorCode)).toEqual([42, 42]); // INVALID_REQUEST
  });

  it('checks manual replica assignments', () => {
    const plan = (t: Any) =>
      P.planCreateTopics(
        { topics: [{ name: 't', numPartitions: -1, replicationFactor: -1, ...t }] },
        config,
      )[0];
    expect(
      plan({
        assignments: [
          { partitionIndex: 0, brokerIds: [1] },
          { partitionIndex: 1, brokerIds: [1] },
        ],
      }),
    ).toMatchObject({ errorCode: 0, partitions: 2, replicationFactor: 1 });
    expect(plan({ assignments: [{ partitionIndex: 0, brokerIds: [2] }] }).errorCode).toBe(39);
    expect(plan({ assignments: [{ partitionIndex: 1, brokerIds: [1] }] }).errorCode).toBe(39);
    expect(plan({ numPartitions: 1, assignments: [{ partitionIndex: 0, brokerIds: [1] }] }).errorCode).toBe(
      42,
    );
  });
});

describe('Produce', () => {
  it('reads acks before and after transactional_id (v3)', async () => {
    const msgs = { topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ value: 'x' }] }] }] };
    const v2 = await kafkajs('produce/v2/request')({ acks: 0, timeout: 1000, ...msgs }).encode();
    expect(P.produceAcks(2, v2.buffer)).toBe(0);
    const v3 = await kafkajs('produce/v3/request')({
      acks: -1,
      timeout: 1000,
      transactionalId: 'tx',
      ...msgs,
    }).encode();
    expect(P.produceAcks(3, v3.buffer)).toBe(-1);
    const v7 = await kafkajs('produce/v7/request')({ acks: 0, timeout: 1000, ...msgs }).encode();
    expect(P.produceAcks(7, v7.buffer)).toBe(0);
  });
});

describe('configuration', () => {
  const compose = {
    KAFKA_NODE_ID: '1',
    KAFKA_PROCESS_ROLES: 'broker,controller',
    KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
    KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://kafka:9092',
    KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    KAFKA_LOG_DIRS: '/var/lib/kafka/data',
  };

  it("reads the Compose file's environment", () => {
    const c = loadConfig(compose, 'host-x');
    expect(c.clientListeners).toEqual([
      { name: 'PLAINTEXT', host: '', port: 9092, securityProtocol: 'PLAINTEXT' },
    ]);
    expect(c.controllerListeners.map((l: Any) => l.name)).toEqual(['CONTROLLER']);
    expect(c.advertised.get('PLAINTEXT')).toEqual({ host: 'kafka', port: 9092 });
    expect(c.autoCreateTopics).toBe(false);
    expect(c.numPartitions).toBe(1);
    expect(c.logDir).toBe('/var/lib/kafka/data');
    expect(c.nodeId).toBe(1);
  });

  it("uses the image's defaults without KAFKA_* variables, and the hostname for an empty advertised host", () => {
    const c = loadConfig({}, 'host-x');
    expect(c.advertised.get('PLAINTEXT')).toEqual({ host: 'localhost', port: 9092 });
    expect(c.autoCreateTopics).toBe(true);
    const noAdvertised = loadConfig({ KAFKA_LISTENERS: 'PLAINTEXT://:9094' }, 'host-x');
    expect(noAdvertised.advertised.get('PLAINTEXT')).toEqual({ host: 'host-x', port: 9094 });
  });

  it('serves several PLAINTEXT listeners, each advertised as configured', () => {
    const c = loadConfig({
      KAFKA_LISTENERS: 'INTERNAL://:9092,EXTERNAL://0.0.0.0:29092',
      KAFKA_ADVERTISED_LISTENERS: 'INTERNAL://kafka:9092,EXTERNAL://localhost:29092',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT',
    });
    expect([...c.advertised.entries()]).toEqual([
      ['INTERNAL', { host: 'kafka', port: 9092 }],
      ['EXTERNAL', { host: 'localhost', port: 29092 }],
    ]);
  });

  it('refuses what the stand-in or Kafka cannot run', () => {
    expect(() =>
      loadConfig({ ...compose, KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:SSL' }),
    ).toThrow(/PLAINTEXT listeners only/);
    expect(() => loadConfig({ ...compose, KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://0.0.0.0:9092' })).toThrow(
      /nonroutable/,
    );
    expect(() =>
      loadConfig({
        ...compose,
        KAFKA_ADVERTISED_LISTENERS: 'OTHER://kafka:9092',
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,OTHER:PLAINTEXT',
      }),
    ).toThrow(/subset/);
    expect(() => loadConfig({ ...compose, KAFKA_ADVERTISED_LISTENERS: 'OTHER://kafka:9092' })).toThrow(
      /No security protocol defined for listener OTHER/,
    );
    expect(() => loadConfig({ ...compose, KAFKA_LISTENERS: 'PLAINTEXT://kafka' })).toThrow(/Unable to parse/);
    expect(() => loadConfig({ ...compose, KAFKA_PROCESS_ROLES: 'controller' })).toThrow(
      /only runs as a broker/,
    );
    expect(() => loadConfig({ ...compose, KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'nope' })).toThrow(/boolean/);
  });
});

describe('kafka-topics.sh arguments', () => {
  it("parses kafka-init's command line, and --name=value", () => {
    const argv = [
      '--bootstrap-server',
      'kafka:9092',
      '--create',
      '--if-not-exists',
      '--topic',
      'movie-events',
      '--partitions=6',
      '--replication-factor',
      '1',
    ];
    const opts = parseArgs(argv, {
      flags: ['create', 'if-not-exists'],
      valued: ['bootstrap-server', 'topic', 'partitions', 'replication-factor'],
    });
    expect(opts).toEqual({
      'bootstrap-server': ['kafka:9092'],
      create: true,
      'if-not-exists': true,
      topic: ['movie-events'],
      partitions: ['6'],
      'replication-factor': ['1'],
    });
    expect(() => parseArgs(['--bogus'], { flags: [], valued: [] })).toThrow(/not a recognized option/);
    expect(() => parseArgs(['--topic'], { flags: [], valued: ['topic'] })).toThrow(/requires an argument/);
  });
});
