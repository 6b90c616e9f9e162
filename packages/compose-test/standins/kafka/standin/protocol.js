// Kafka wire-protocol pieces the stand-in needs, pure and dependency-free (unit-tested in
// packages/compose-test/test/kafka-standin.test.ts). Only NON-flexible encodings are handled
// (plus the one flexible response every client may ask for, ApiVersions v3): the broker caps the
// versions it advertises so that clients never pick a flexible version of a request it decodes.
// Field layouts follow the Kafka protocol's JSON message definitions (clients/src/main/resources/
// common/message/*.json); the version notes below name where a field appears.

const API = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  ApiVersions: 18,
  CreateTopics: 19,
  InitProducerId: 22,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  TxnOffsetCommit: 28,
};
const API_NAMES = Object.fromEntries(Object.entries(API).map(([name, key]) => [key, name]));

const ERR = {
  NONE: 0,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  LEADER_NOT_AVAILABLE: 5,
  INVALID_TOPIC_EXCEPTION: 17,
  UNSUPPORTED_VERSION: 35,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  INVALID_REPLICA_ASSIGNMENT: 39,
  INVALID_REQUEST: 42,
};

// Largest version of each API whose encoding this module decodes, or that a passthrough is safe
// for. Metadata: mock-cluster.c raises the mock's Metadata range from v0-2 to v0-7 (v4 carries
// AllowAutoTopicCreation); v8 would be decodable, but librdkafka 2.0.2's mock writes v8's
// per-topic TopicAuthorizedOperations once after the topic array (rdkafka_mock_handlers.c), a
// malformed response; v9 is flexible. FindCoordinator v3 is flexible. CreateTopics v5 is flexible
// (the broker answers CreateTopics itself). Produce is capped below its flexible v9 because acks
// is read from the request. ApiVersions is answered locally up to v3.
const VERSION_CAPS = {
  [API.Metadata]: 7,
  [API.FindCoordinator]: 2,
  [API.Produce]: 8,
  [API.ApiVersions]: 3,
};
const CREATE_TOPICS_VERSIONS = { minVersion: 0, maxVersion: 4 };

class Reader {
  constructor(buf, offset = 0) {
    this.buf = buf;
    this.offset = offset;
  }
  need(n) {
    if (this.offset + n > this.buf.length) {
      throw new RangeError(
        `truncated Kafka message: need ${n} byte(s) at offset ${this.offset} of ${this.buf.length}`,
      );
    }
  }
  int8() {
    this.need(1);
    const v = this.buf.readInt8(this.offset);
    this.offset += 1;
    return v;
  }
  int16() {
    this.need(2);
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  int32() {
    this.need(4);
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  int64() {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return v;
  }
  bool() {
    return this.int8() !== 0;
  }
  uvarint() {
    let value = 0;
    let shift = 0;
    for (;;) {
      this.need(1);
      const b = this.buf[this.offset++];
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return value;
      shift += 7;
      if (shift > 28) throw new RangeError('uvarint too long');
    }
  }
  /** STRING / NULLABLE_STRING (int16 length, -1 = null). */
  string() {
    const len = this.int16();
    if (len < 0) return null;
    this.need(len);
    const v = this.buf.toString('utf8', this.offset, this.offset + len);
    this.offset += len;
    return v;
  }
  /** ARRAY (int32 count, -1 = null). */
  array(readItem) {
    const n = this.int32();
    if (n < 0) return null;
    // Each item takes at least one byte: a count beyond that is a corrupt frame, not a reason to loop.
    if (n > this.buf.length - this.offset) throw new RangeError(`array count ${n} exceeds the message`);
    const items = [];
    for (let i = 0; i < n; i++) items.push(readItem(this));
    return items;
  }
  rest() {
    return this.buf.subarray(this.offset);
  }
}

class Writer {
  constructor() {
    this.chunks = [];
  }
  push(buf) {
    this.chunks.push(buf);
    return this;
  }
  int8(v) {
    const b = Buffer.alloc(1);
    b.writeInt8(v);
    return this.push(b);
  }
  int16(v) {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    return this.push(b);
  }
  int32(v) {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    return this.push(b);
  }
  int64(v) {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(v));
    return this.push(b);
  }
  bool(v) {
    return this.int8(v ? 1 : 0);
  }
  uvarint(v) {
    const bytes = [];
    let n = v;
    while (n >= 0x80) {
      bytes.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    bytes.push(n);
    return this.push(Buffer.from(bytes));
  }
  string(v) {
    if (v === null || v === undefined) return this.int16(-1);
    const b = Buffer.from(v, 'utf8');
    return this.int16(b.length).push(b);
  }
  array(items, writeItem) {
    if (items === null || items === undefined) return this.int32(-1);
    this.int32(items.length);
    for (const item of items) writeItem(this, item);
    return this;
  }
  toBuffer() {
    return Buffer.concat(this.chunks);
  }
}

/** Prefixes a message with its int32 size: one frame on the wire. */
function frame(payload) {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

/**
 * Splits complete frames off the front of `buffer`. Returns the frame payloads and what is left.
 * A size above maxFrame (or negative) throws: the connection is to be closed, as a broker does.
 */
function splitFrames(buffer, maxFrame = 100 * 1024 * 1024) {
  const frames = [];
  let offset = 0;
  while (buffer.length - offset >= 4) {
    const size = buffer.readInt32BE(offset);
    if (size < 0 || size > maxFrame) throw new RangeError(`invalid frame size ${size}`);
    if (buffer.length - offset - 4 < size) break;
    frames.push(buffer.subarray(offset + 4, offset + 4 + size));
    offset += 4 + size;
  }
  return { frames, rest: buffer.subarray(offset) };
}

/**
 * Request header v1/v2 prefix: api_key, api_version, correlation_id, client_id. The flexible
 * header (v2) only adds tagged fields after client_id, so this prefix is the same for all.
 */
function decodeRequestHeader(payload) {
  const r = new Reader(payload);
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.string();
  return { apiKey, apiVersion, correlationId, clientId, bodyOffset: r.offset };
}

function encodeRequestHeader({ apiKey, apiVersion, correlationId, clientId }) {
  return new Writer()
    .int16(apiKey)
    .int16(apiVersion)
    .int32(correlationId)
    .string(clientId ?? null)
    .toBuffer();
}

/** Copy of a request/response payload with its correlation id replaced (bytes 4..8 / 0..4). */
function withCorrelationId(payload, offset, correlationId) {
  const copy = Buffer.from(payload);
  copy.writeInt32BE(correlationId, offset);
  return copy;
}

// ---------------------------------------------------------------- ApiVersions (key 18)

/** Request body: v0-2 empty; v3 (flexible) client_software_name/version, not needed here. */
function encodeApiVersionsResponse(version, { errorCode = 0, apiKeys, throttleTimeMs = 0 }) {
  const w = new Writer();
  w.int16(errorCode);
  if (version >= 3) {
    // Flexible: COMPACT_ARRAY (uvarint count+1), each entry ends with an empty tag buffer.
    w.uvarint(apiKeys.length + 1);
    for (const k of apiKeys) w.int16(k.apiKey).int16(k.minVersion).int16(k.maxVersion).uvarint(0);
    w.int32(throttleTimeMs);
    w.uvarint(0); // top-level tagged fields: no SupportedFeatures / FinalizedFeatures
  } else {
    w.array(apiKeys, (ww, k) => ww.int16(k.apiKey).int16(k.minVersion).int16(k.maxVersion));
    if (version >= 1) w.int32(throttleTimeMs);
  }
  return w.toBuffer();
}

/** Body of an ApiVersions response (after the response header, which is always v0: corr id). */
function decodeApiVersionsResponse(version, body) {
  const r = new Reader(body);
  const errorCode = r.int16();
  let apiKeys;
  if (version >= 3) {
    const n = r.uvarint() - 1;
    apiKeys = [];
    for (let i = 0; i < n; i++) {
      const k = { apiKey: r.int16(), minVersion: r.int16(), maxVersion: r.int16() };
      skipTaggedFields(r);
      apiKeys.push(k);
    }
  } else {
    apiKeys = r.array((rr) => ({ apiKey: rr.int16(), minVersion: rr.int16(), maxVersion: rr.int16() })) ?? [];
  }
  const throttleTimeMs = version >= 1 && r.offset < body.length ? r.int32() : 0;
  return { errorCode, apiKeys, throttleTimeMs };
}

function skipTaggedFields(r) {
  const n = r.uvarint();
  for (let i = 0; i < n; i++) {
    r.uvarint(); // tag
    const size = r.uvarint();
    r.need(size);
    r.offset += size;
  }
}

/**
 * The versions the stand-in advertises: what the mock supports, capped where the stand-in
 * decodes the message (VERSION_CAPS), plus CreateTopics, which the stand-in answers itself.
 */
function advertisedApiVersions(mockApiKeys) {
  const out = [];
  for (const k of mockApiKeys) {
    if (k.apiKey === API.CreateTopics || k.apiKey === API.ApiVersions) continue;
    const cap = VERSION_CAPS[k.apiKey];
    const maxVersion = cap === undefined ? k.maxVersion : Math.min(cap, k.maxVersion);
    if (maxVersion < k.minVersion) continue;
    out.push({ apiKey: k.apiKey, minVersion: k.minVersion, maxVersion });
  }
  out.push({ apiKey: API.CreateTopics, ...CREATE_TOPICS_VERSIONS });
  // Answered by the broker itself, v0-3 whatever the mock's range (2.0.2: v0-2).
  const own = out.findIndex((k) => k.apiKey === API.ApiVersions);
  if (own !== -1) out.splice(own, 1);
  out.push({ apiKey: API.ApiVersions, minVersion: 0, maxVersion: VERSION_CAPS[API.ApiVersions] });
  return out.sort((a, b) => a.apiKey - b.apiKey);
}

// ---------------------------------------------------------------- Metadata (key 3), v0-8

function decodeMetadataRequest(version, body) {
  const r = new Reader(body);
  let topics = r.array((rr) => rr.string());
  // v0: an empty array means "all topics"; v1+: null means all, empty means none.
  if (version === 0 && topics !== null && topics.length === 0) topics = null;
  const req = { topics, allowAutoTopicCreation: true };
  if (version >= 4) req.allowAutoTopicCreation = r.bool();
  if (version >= 8) {
    req.includeClusterAuthorizedOperations = r.bool();
    req.includeTopicAuthorizedOperations = r.bool();
  }
  return req;
}

function encodeMetadataRequest(version, req) {
  const w = new Writer();
  if (version === 0) w.array(req.topics ?? [], (ww, t) => ww.string(t));
  else w.array(req.topics, (ww, t) => ww.string(t));
  if (version >= 4) w.bool(req.allowAutoTopicCreation);
  if (version >= 8)
    w.bool(!!req.includeClusterAuthorizedOperations).bool(!!req.includeTopicAuthorizedOperations);
  return w.toBuffer();
}

function decodeMetadataResponse(version, body) {
  const r = new Reader(body);
  const res = { throttleTimeMs: 0, clusterId: null, controllerId: -1 };
  if (version >= 3) res.throttleTimeMs = r.int32();
  res.brokers = r.array((rr) => {
    const b = { nodeId: rr.int32(), host: rr.string(), port: rr.int32(), rack: null };
    if (version >= 1) b.rack = rr.string();
    return b;
  });
  if (version >= 2) res.clusterId = r.string();
  if (version >= 1) res.controllerId = r.int32();
  res.topics = r.array((rr) => {
    const t = { errorCode: rr.int16(), name: rr.string(), isInternal: false };
    if (version >= 1) t.isInternal = rr.bool();
    t.partitions = rr.array((pr) => {
      const p = { errorCode: pr.int16(), partitionIndex: pr.int32(), leaderId: pr.int32(), leaderEpoch: -1 };
      if (version >= 7) p.leaderEpoch = pr.int32();
      p.replicaNodes = pr.array((x) => x.int32());
      p.isrNodes = pr.array((x) => x.int32());
      p.offlineReplicas = version >= 5 ? pr.array((x) => x.int32()) : [];
      return p;
    });
    if (version >= 8) t.topicAuthorizedOperations = rr.int32();
    return t;
  });
  if (version >= 8) res.clusterAuthorizedOperations = r.int32();
  return res;
}

function encodeMetadataResponse(version, res) {
  const w = new Writer();
  if (version >= 3) w.int32(res.throttleTimeMs ?? 0);
  w.array(res.brokers, (ww, b) => {
    ww.int32(b.nodeId).string(b.host).int32(b.port);
    if (version >= 1) ww.string(b.rack ?? null);
  });
  if (version >= 2) w.string(res.clusterId ?? null);
  if (version >= 1) w.int32(res.controllerId);
  w.array(res.topics, (ww, t) => {
    ww.int16(t.errorCode).string(t.name);
    if (version >= 1) ww.bool(t.isInternal);
    ww.array(t.partitions, (pw, p) => {
      pw.int16(p.errorCode).int32(p.partitionIndex).int32(p.leaderId);
      if (version >= 7) pw.int32(p.leaderEpoch ?? -1);
      pw.array(p.replicaNodes, (x, n) => x.int32(n));
      pw.array(p.isrNodes, (x, n) => x.int32(n));
      if (version >= 5) pw.array(p.offlineReplicas ?? [], (x, n) => x.int32(n));
    });
    if (version >= 8) ww.int32(t.topicAuthorizedOperations ?? -2147483648);
  });
  if (version >= 8) w.int32(res.clusterAuthorizedOperations ?? -2147483648);
  return w.toBuffer();
}

/**
 * The Metadata request sent to the mock for a client's request. The mock auto-creates any
 * unknown topic (with 4 partitions) unless AllowAutoTopicCreation is false, a field that only
 * exists from v4: so the request always goes upstream as v4+ with the flag false, and the
 * broker itself decides about auto-creation (autoCreateTopicsFor). v4's response has v3's layout.
 */
function upstreamMetadataRequest(clientVersion, req) {
  const upstreamVersion = Math.max(4, clientVersion);
  return {
    upstreamVersion,
    body: encodeMetadataRequest(upstreamVersion, { ...req, allowAutoTopicCreation: false }),
  };
}

/**
 * Topics of a Metadata response the broker should auto-create, as a real broker with
 * auto.create.topics.enable would: only topics the client asked for by name, that do not
 * exist, when both the broker config and (v4+) the client's flag allow it.
 */
function autoCreateTopicsFor(req, res, brokerAllows) {
  if (!brokerAllows || !req.allowAutoTopicCreation || req.topics === null) return [];
  return res.topics.filter((t) => t.errorCode === ERR.UNKNOWN_TOPIC_OR_PARTITION).map((t) => t.name);
}

/**
 * Rewrites a Metadata response from the mock for a client: every mock broker becomes the
 * advertised listener the client connected through (the stand-in has exactly one mock broker),
 * node ids become node.id, the controller (which the mock leaves at 0, a broker that does not
 * exist) becomes this node, and the cluster id becomes the configured one.
 * `topicErrors` overrides the error of named topics (auto-creation answers LEADER_NOT_AVAILABLE).
 */
function rewriteMetadataResponse(
  res,
  { nodeId, host, port, clusterId, rack = null },
  topicErrors = new Map(),
) {
  const ids = new Map((res.brokers ?? []).map((b) => [b.nodeId, nodeId]));
  const mapId = (id) => (ids.has(id) ? ids.get(id) : id);
  return {
    ...res,
    brokers: [{ nodeId, host, port, rack }],
    clusterId,
    controllerId: nodeId,
    topics: (res.topics ?? []).map((t) => {
      if (topicErrors.has(t.name)) return { ...t, errorCode: topicErrors.get(t.name), partitions: [] };
      return {
        ...t,
        partitions: (t.partitions ?? []).map((p) => ({
          ...p,
          leaderId: mapId(p.leaderId),
          replicaNodes: (p.replicaNodes ?? []).map(mapId),
          isrNodes: (p.isrNodes ?? []).map(mapId),
          offlineReplicas: (p.offlineReplicas ?? []).map(mapId),
        })),
      };
    }),
  };
}

// ---------------------------------------------------------------- FindCoordinator (key 10), v0-2

function decodeFindCoordinatorRequest(version, body) {
  const r = new Reader(body);
  const req = { key: r.string(), keyType: 0 };
  if (version >= 1) req.keyType = r.int8();
  return req;
}

function encodeFindCoordinatorRequest(version, req) {
  const w = new Writer().string(req.key);
  if (version >= 1) w.int8(req.keyType ?? 0);
  return w.toBuffer();
}

function decodeFindCoordinatorResponse(version, body) {
  const r = new Reader(body);
  const res = { throttleTimeMs: 0, errorMessage: null };
  if (version >= 1) res.throttleTimeMs = r.int32();
  res.errorCode = r.int16();
  if (version >= 1) res.errorMessage = r.string();
  res.nodeId = r.int32();
  res.host = r.string();
  res.port = r.int32();
  return res;
}

function encodeFindCoordinatorResponse(version, res) {
  const w = new Writer();
  if (version >= 1) w.int32(res.throttleTimeMs ?? 0);
  w.int16(res.errorCode);
  if (version >= 1) w.string(res.errorMessage ?? null);
  w.int32(res.nodeId).string(res.host).int32(res.port);
  return w.toBuffer();
}

/** The coordinator is the mock's broker: point the client at the advertised listener instead. */
function rewriteFindCoordinatorResponse(res, { nodeId, host, port }) {
  if (res.errorCode !== ERR.NONE) return res;
  return { ...res, nodeId, host, port };
}

// ---------------------------------------------------------------- CreateTopics (key 19), v0-4

function decodeCreateTopicsRequest(version, body) {
  const r = new Reader(body);
  const topics =
    r.array((rr) => ({
      name: rr.string(),
      numPartitions: rr.int32(),
      replicationFactor: rr.int16(),
      assignments:
        rr.array((ar) => ({ partitionIndex: ar.int32(), brokerIds: ar.array((x) => x.int32()) ?? [] })) ?? [],
      configs: rr.array((cr) => ({ name: cr.string(), value: cr.string() })) ?? [],
    })) ?? [];
  const req = { topics, timeoutMs: r.int32(), validateOnly: false };
  if (version >= 1) req.validateOnly = r.bool();
  return req;
}

function encodeCreateTopicsRequest(version, req) {
  const w = new Writer();
  w.array(req.topics, (ww, t) => {
    ww.string(t.name).int32(t.numPartitions).int16(t.replicationFactor);
    ww.array(t.assignments ?? [], (aw, a) =>
      aw.int32(a.partitionIndex).array(a.brokerIds, (x, n) => x.int32(n)),
    );
    ww.array(t.configs ?? [], (cw, c) => cw.string(c.name).string(c.value));
  });
  w.int32(req.timeoutMs ?? 30000);
  if (version >= 1) w.bool(!!req.validateOnly);
  return w.toBuffer();
}

function encodeCreateTopicsResponse(version, { throttleTimeMs = 0, topics }) {
  const w = new Writer();
  if (version >= 2) w.int32(throttleTimeMs);
  w.array(topics, (ww, t) => {
    ww.string(t.name).int16(t.errorCode);
    if (version >= 1) ww.string(t.errorMessage ?? null);
  });
  return w.toBuffer();
}

function decodeCreateTopicsResponse(version, body) {
  const r = new Reader(body);
  const res = { throttleTimeMs: 0 };
  if (version >= 2) res.throttleTimeMs = r.int32();
  res.topics =
    r.array((rr) => {
      const t = { name: rr.string(), errorCode: rr.int16(), errorMessage: null };
      if (version >= 1) t.errorMessage = rr.string();
      return t;
    }) ?? [];
  return res;
}

const MAX_TOPIC_NAME_LENGTH = 249;
const LEGAL_TOPIC_CHARS = /^[a-zA-Z0-9._-]+$/;

/** Kafka's Topic.validate: the message a real broker gives, or null for a legal name. */
function topicNameError(name) {
  if (name === null || name === undefined || name.length === 0)
    return "Topic name is illegal, it can't be empty";
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."';
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    return `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, topic name: ${name}`;
  }
  if (!LEGAL_TOPIC_CHARS.test(name)) {
    return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return null;
}

/**
 * Decides each topic of a CreateTopics request the way a KRaft controller does, before anything
 * is created. Returns, per topic, either an error ({ errorCode, errorMessage }) or the plan
 * ({ partitions, replicationFactor }). `config`: { nodeIds, defaultPartitions,
 * defaultReplicationFactor, maxPartitions }.
 */
function planCreateTopics(req, config) {
  const counts = new Map();
  for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
  const brokers = config.nodeIds.length;
  return req.topics.map((t) => {
    const fail = (errorCode, errorMessage) => ({ name: t.name, errorCode, errorMessage });
    if (counts.get(t.name) > 1) return fail(ERR.INVALID_REQUEST, 'Duplicate topic name.');
    const nameError = topicNameError(t.name);
    if (nameError) return fail(ERR.INVALID_TOPIC_EXCEPTION, nameError);
    let partitions;
    let replicationFactor;
    if (t.assignments.length > 0) {
      if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
        return fail(
          ERR.INVALID_REQUEST,
          'A manual partition assignment was specified, but numPartitions or replicationFactor was not set to -1.',
        );
      }
      const indexes = t.assignments.map((a) => a.partitionIndex).sort((a, b) => a - b);
      if (indexes.some((p, i) => p !== i)) {
        return fail(
          ERR.INVALID_REPLICA_ASSIGNMENT,
          'Partitions should be a consecutive 0-based integer sequence',
        );
      }
      for (const a of t.assignments) {
        if (a.brokerIds.length === 0)
          return fail(
            ERR.INVALID_REPLICA_ASSIGNMENT,
            `The manual partition assignment includes an empty replica list.`,
          );
        if (new Set(a.brokerIds).size !== a.brokerIds.length) {
          return fail(
            ERR.INVALID_REPLICA_ASSIGNMENT,
            `The manual partition assignment includes duplicate replicas.`,
          );
        }
        const unknown = a.brokerIds.find((id) => !config.nodeIds.includes(id));
        if (unknown !== undefined) {
          return fail(
            ERR.INVALID_REPLICA_ASSIGNMENT,
            `The manual partition assignment includes broker ${unknown}, but no such broker is registered.`,
          );
        }
      }
      partitions = t.assignments.length;
      replicationFactor = t.assignments[0].brokerIds.length;
    } else {
      partitions = t.numPartitions === -1 ? config.defaultPartitions : t.numPartitions;
      replicationFactor = t.replicationFactor === -1 ? config.defaultReplicationFactor : t.replicationFactor;
      if (partitions <= 0)
        return fail(ERR.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.');
      if (replicationFactor <= 0) {
        return fail(
          ERR.INVALID_REPLICATION_FACTOR,
          'Replication factor must be larger than 0, or -1 to use the default value.',
        );
      }
      if (replicationFactor > brokers) {
        return fail(
          ERR.INVALID_REPLICATION_FACTOR,
          `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} cannot be reached because only ${brokers} broker(s) are registered.`,
        );
      }
    }
    // Not a Kafka rule: the mock allocates every partition up front, in memory.
    if (partitions > config.maxPartitions) {
      return fail(
        ERR.INVALID_PARTITIONS,
        `The stand-in broker accepts at most ${config.maxPartitions} partitions per topic.`,
      );
    }
    return { name: t.name, errorCode: ERR.NONE, errorMessage: null, partitions, replicationFactor };
  });
}

// ---------------------------------------------------------------- Produce (key 0)

/** acks of a Produce request (v0-8): acks=0 gets no response from a real broker. */
function produceAcks(version, body) {
  const r = new Reader(body);
  if (version >= 3) r.string(); // transactional_id
  return r.int16();
}

// ---------------------------------------------------------------- listeners

/**
 * Parses `listeners` / `advertised.listeners` ("NAME://host:port,..."), as Kafka's
 * CoreUtils.listenerListToEndPoints does: an empty host means every interface (bind) or the
 * machine's hostname (advertise); IPv6 hosts come in brackets.
 */
function parseListeners(value, protocolMap) {
  const out = [];
  if (!value?.trim()) return out;
  for (const raw of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z0-9_]+):\/\/(\[[0-9a-fA-F:.]+\]|[^:/\s]*):(\d+)$/.exec(raw);
    if (!m) throw new Error(`Unable to parse ${raw} to a broker endpoint`);
    const name = m[1].toUpperCase();
    const port = Number(m[3]);
    if (port > 65535) throw new Error(`Unable to parse ${raw} to a broker endpoint: port out of range`);
    if (out.some((l) => l.name === name))
      throw new Error(`Each listener must have a different name, listeners: ${value}`);
    const securityProtocol =
      protocolMap.get(name) ??
      (['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(name) ? name : null);
    if (securityProtocol === null) {
      throw new Error(`No security protocol defined for listener ${name}`);
    }
    out.push({ name, host: m[2].replace(/^\[|\]$/g, ''), port, securityProtocol });
  }
  return out;
}

function parseProtocolMap(value) {
  const map = new Map();
  if (!value) {
    for (const p of ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']) map.set(p, p);
    return map;
  }
  for (const entry of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name, protocol] = entry.split(':').map((s) => s.trim().toUpperCase());
    if (!name || !protocol) throw new Error(`Invalid listener.security.protocol.map entry: ${entry}`);
    map.set(name, protocol);
  }
  return map;
}

module.exports = {
  API,
  API_NAMES,
  ERR,
  VERSION_CAPS,
  CREATE_TOPICS_VERSIONS,
  Reader,
  Writer,
  frame,
  splitFrames,
  decodeRequestHeader,
  encodeRequestHeader,
  withCorrelationId,
  encodeApiVersionsResponse,
  decodeApiVersionsResponse,
  advertisedApiVersions,
  decodeMetadataRequest,
  encodeMetadataRequest,
  decodeMetadataResponse,
  encodeMetadataResponse,
  upstreamMetadataRequest,
  autoCreateTopicsFor,
  rewriteMetadataResponse,
  decodeFindCoordinatorRequest,
  encodeFindCoordinatorRequest,
  decodeFindCoordinatorResponse,
  encodeFindCoordinatorResponse,
  rewriteFindCoordinatorResponse,
  decodeCreateTopicsRequest,
  encodeCreateTopicsRequest,
  encodeCreateTopicsResponse,
  decodeCreateTopicsResponse,
  topicNameError,
  planCreateTopics,
  produceAcks,
  parseListeners,
  parseProtocolMap,
};
