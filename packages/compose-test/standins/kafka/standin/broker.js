// The stand-in broker: hosts librdkafka's mock cluster (mock-cluster, a small C program) and
// puts a Kafka-protocol-aware TCP proxy in front of it on the configured PLAINTEXT listeners.
//
// Why a proxy: the mock brokers listen on 127.0.0.1 random ports and advertise 127.0.0.1:PORT
// in Metadata/FindCoordinator, which clients in other containers cannot reach; the proxy
// rewrites those addresses to the advertised listener. It also answers what the mock does not
// do like a broker: ApiVersions (capped to encodings the proxy decodes), CreateTopics (via
// rd_kafka_mock_topic_create), auto.create.topics.enable and num.partitions (the mock itself
// auto-creates every unknown topic with 4 partitions), acks=0 (the mock answers every Produce).
//
// Run as a script (see /etc/kafka/docker/run); module.exports exposes the config parsing for tests.

const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { spawn } = require('node:child_process');
const P = require('./protocol');
const { KafkaConnection, parseHostPort } = require('./client');

const DEFAULT_CLUSTER_ID = '5L6g3nShT-eMCtK--X86sw'; // the official image's default CLUSTER_ID
const TOPICS_FILE = 'standin-topics.json';

// ---------------------------------------------------------------- logging, like Kafka's log4j

function timestamp() {
  const d = new Date();
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}`;
}
function log(level, message, logger = 'kafka.server.KafkaRaftServer') {
  process.stdout.write(`[${timestamp()}] ${level} ${message} (${logger})\n`);
}

// ---------------------------------------------------------------- configuration

function envBool(value, fallback) {
  if (value === undefined || value === '') return fallback;
  const v = String(value).trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new Error(`Invalid value ${value} for a boolean configuration: expected true or false`);
}
function envInt(name, value, fallback, min) {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`Invalid value ${value} for configuration ${name}`);
  return n;
}

/**
 * The broker's configuration from the environment, as the official image maps KAFKA_FOO_BAR to
 * foo.bar. With no KAFKA_* variable at all the image runs its bundled single-node KRaft config,
 * whose advertised listener is localhost:9092: the same defaults apply here.
 */
function loadConfig(env = process.env, hostname = os.hostname()) {
  const anyKafkaVar = Object.keys(env).some((k) => k.startsWith('KAFKA_'));
  const nodeId = envInt('node.id', env.KAFKA_NODE_ID ?? env.KAFKA_BROKER_ID, 1, 0);
  const roles = (env.KAFKA_PROCESS_ROLES ?? 'broker,controller')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!roles.includes('broker')) {
    throw new Error(
      `process.roles=${roles.join(',')}: the stand-in only runs as a broker (it hosts its own controller)`,
    );
  }
  const protocolMap = P.parseProtocolMap(env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP);
  if (!env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP) protocolMap.set('CONTROLLER', 'PLAINTEXT');
  const controllerNames = (env.KAFKA_CONTROLLER_LISTENER_NAMES ?? 'CONTROLLER')
    .split(',')
    .map((s) => s.trim().toUpperCase());
  const listeners = P.parseListeners(
    env.KAFKA_LISTENERS ?? 'PLAINTEXT://:9092,CONTROLLER://:9093',
    protocolMap,
  );
  const clientListeners = listeners.filter((l) => !controllerNames.includes(l.name));
  if (clientListeners.length === 0)
    throw new Error('listeners names no broker listener (only controller listeners)');
  for (const l of clientListeners) {
    if (l.securityProtocol !== 'PLAINTEXT') {
      throw new Error(
        `listener ${l.name} uses ${l.securityProtocol}: the stand-in supports PLAINTEXT listeners only`,
      );
    }
  }
  const advertisedValue =
    env.KAFKA_ADVERTISED_LISTENERS ?? (anyKafkaVar ? undefined : 'PLAINTEXT://localhost:9092');
  const advertisedList = advertisedValue ? P.parseListeners(advertisedValue, protocolMap) : [];
  for (const a of advertisedList) {
    if (!listeners.some((l) => l.name === a.name)) {
      throw new Error(
        `advertised.listeners listener names must be equal to or a subset of the ones defined in listeners. Found ${a.name}`,
      );
    }
    if (a.host === '0.0.0.0' || a.host === '::') {
      throw new Error(
        `advertised.listeners cannot use the nonroutable meta-address ${a.host}. Use a routable IP address.`,
      );
    }
  }
  // advertised.listeners defaults to listeners; an empty host advertises the machine's hostname.
  const advertised = new Map();
  for (const l of clientListeners) {
    const a = advertisedList.find((x) => x.name === l.name) ?? l;
    advertised.set(l.name, { host: a.host || hostname, port: a.port });
  }
  const logDirs = (env.KAFKA_LOG_DIRS ?? env.KAFKA_LOG_DIR ?? '/tmp/kraft-combined-logs')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    nodeId,
    roles,
    listeners,
    clientListeners,
    controllerListeners: listeners.filter((l) => controllerNames.includes(l.name)),
    advertised,
    autoCreateTopics: envBool(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE, true),
    numPartitions: envInt('num.partitions', env.KAFKA_NUM_PARTITIONS, 1, 1),
    defaultReplicationFactor: envInt(
      'default.replication.factor',
      env.KAFKA_DEFAULT_REPLICATION_FACTOR,
      1,
      1,
    ),
    rack: env.KAFKA_BROKER_RACK || null,
    logDir: logDirs[0],
    clusterId: env.CLUSTER_ID || DEFAULT_CLUSTER_ID,
    mockDebug: env.KAFKA_STANDIN_MOCK_DEBUG ?? '',
    maxPartitions: envInt('stand-in max partitions', env.KAFKA_STANDIN_MAX_PARTITIONS, 10000, 1),
  };
}

// ---------------------------------------------------------------- data directory

/**
 * Formats the log directory the way kafka-storage.sh does (meta.properties), refusing another
 * cluster's directory as a real broker does. The mock keeps records and offsets in memory only;
 * what this directory keeps is the topic list (name, partitions), so that a restarted broker has
 * the topics kafka-init created even though their records and committed offsets are gone.
 */
function prepareLogDir(config) {
  fs.mkdirSync(config.logDir, { recursive: true });
  const metaPath = path.join(config.logDir, 'meta.properties');
  if (fs.existsSync(metaPath)) {
    const props = Object.fromEntries(
      fs
        .readFileSync(metaPath, 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => {
          const i = l.indexOf('=');
          return [l.slice(0, i), l.slice(i + 1)];
        }),
    );
    if (props['cluster.id'] && props['cluster.id'] !== config.clusterId) {
      throw new Error(
        `Invalid cluster.id in: ${metaPath}. Expected ${config.clusterId}, but read ${props['cluster.id']}`,
      );
    }
    if (props['node.id'] && Number(props['node.id']) !== config.nodeId) {
      throw new Error(
        `Stored node id ${props['node.id']} doesn't match previous node id ${config.nodeId} in ${metaPath}`,
      );
    }
  } else {
    fs.writeFileSync(
      metaPath,
      `#\n#${new Date().toString()}\nnode.id=${config.nodeId}\nversion=1\ncluster.id=${config.clusterId}\n`,
    );
    log(
      'INFO',
      `Formatted ${config.logDir} with metadata.version 3.9-IV0 (stand-in: topic list only, records stay in memory)`,
      'kafka.tools.StorageTool',
    );
  }
}

function readTopicsFile(logDir) {
  const file = path.join(logDir, TOPICS_FILE);
  if (!fs.existsSync(file)) return {};
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')).topics ?? {};
  } catch (err) {
    log('WARN', `Ignoring unreadable ${file}: ${err.message}`);
    return {};
  }
}

function writeTopicsFile(logDir, topics) {
  const file = path.join(logDir, TOPICS_FILE);
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify({ topics }, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

// ---------------------------------------------------------------- the mock cluster process

class MockCluster {
  constructor(binary, debug) {
    this.binary = binary;
    this.debug = debug;
    this.pending = new Map();
    this.nextId = 1;
    this.bootstrap = null;
  }

  start(timeoutMs = 15000) {
    this.child = spawn(this.binary, this.debug ? [this.debug] : [], { stdio: ['pipe', 'pipe', 'pipe'] });
    // stderr carries librdkafka's log (every request at debug level): always read, never left to fill.
    readline.createInterface({ input: this.child.stderr }).on('line', (line) => {
      const m = /^log (\d+) (\S+) (.*)$/.exec(line);
      if (m)
        log(
          Number(m[1]) <= 3 ? 'ERROR' : Number(m[1]) <= 4 ? 'WARN' : Number(m[1]) >= 7 ? 'DEBUG' : 'INFO',
          `[MockCluster] ${m[2]}: ${m[3]}`,
          'librdkafka.mock',
        );
      else log('ERROR', `[MockCluster] ${line}`, 'librdkafka.mock');
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`mock cluster did not start within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      this.child.once('exit', (code, signal) => {
        clearTimeout(timer);
        const err = new Error(`mock cluster exited (code ${code}, signal ${signal})`);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        reject(err);
        if (this.onExit) this.onExit(err);
      });
      readline.createInterface({ input: this.child.stdout }).on('line', (line) => {
        const boot = /^bootstrap (\S+)$/.exec(line);
        const result = /^result (\S+) (-?\d+)$/.exec(line);
        if (boot) {
          this.bootstrap = boot[1].split(',')[0];
          clearTimeout(timer);
          resolve(this.bootstrap);
        } else if (result) {
          const p = this.pending.get(result[1]);
          if (p) {
            this.pending.delete(result[1]);
            p.resolve(Number(result[2]));
          }
        }
      });
    });
  }

  /** rd_kafka_mock_topic_create: resolves with a Kafka error code (0, 36 TOPIC_ALREADY_EXISTS, ...). */
  createTopic(name, partitions, replicationFactor) {
    // The line protocol splits on whitespace: callers pass validated names (no spaces).
    if (P.topicNameError(name)) return Promise.resolve(P.ERR.INVALID_TOPIC_EXCEPTION);
    const id = String(this.nextId++);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.stdin.write(`create ${id} ${name} ${partitions} ${replicationFactor}\n`);
    });
  }

  stop() {
    if (this.child && this.child.exitCode === null) this.child.stdin.end();
  }
}

// ---------------------------------------------------------------- the broker

class Broker {
  constructor(config, mock) {
    this.config = config;
    this.mock = mock;
    this.topics = {};
    this.servers = [];
    this.connections = new Set();
  }

  get upstream() {
    return parseHostPort(this.mock.bootstrap);
  }

  async init() {
    // The mock's own API table (ApiVersions v0: the simplest encoding), capped where the proxy decodes.
    const { host, port } = this.upstream;
    this.admin = await KafkaConnection.connect(host, port, { clientId: 'standin-broker' });
    const body = await this.admin.request(P.API.ApiVersions, 0, Buffer.alloc(0));
    const mockVersions = P.decodeApiVersionsResponse(0, body);
    if (mockVersions.errorCode !== 0)
      throw new Error(`mock ApiVersions failed with error ${mockVersions.errorCode}`);
    this.apiKeys = P.advertisedApiVersions(mockVersions.apiKeys);
    this.apiRanges = new Map(this.apiKeys.map((k) => [k.apiKey, k]));

    // Topics of a previous run (their definitions only).
    this.topics = readTopicsFile(this.config.logDir);
    for (const [name, t] of Object.entries(this.topics)) {
      const code = await this.mock.createTopic(name, t.partitions, t.replicationFactor);
      if (code === 0) {
        log(
          'INFO',
          `Restored topic ${name} with ${t.partitions} partition(s) from ${path.join(this.config.logDir, TOPICS_FILE)}; its records and committed offsets did not survive the restart`,
          'kafka.controller.ReplicationControlManager',
        );
      } else log('WARN', `Could not restore topic ${name}: error ${code}`);
    }
  }

  recordTopic(name, partitions, replicationFactor) {
    const known = this.topics[name];
    if (known && known.partitions === partitions) return;
    this.topics[name] = { partitions, replicationFactor };
    try {
      writeTopicsFile(this.config.logDir, this.topics);
    } catch (err) {
      log('WARN', `Could not save the topic list in ${this.config.logDir}: ${err.message}`);
    }
  }

  async listen() {
    for (const l of this.config.clientListeners) {
      const server = net.createServer((socket) => this.accept(socket, l));
      const bind = (host) =>
        new Promise((resolve, reject) => {
          server.once('error', reject);
          server.listen({ host, port: l.port, ipv6Only: false }, () => {
            server.removeListener('error', reject);
            resolve();
          });
        });
      if (l.host) await bind(l.host);
      else {
        // An empty host binds every interface; '::' takes IPv4 too unless IPv6 is off.
        try {
          await bind('::');
        } catch (err) {
          if (!['EAFNOSUPPORT', 'EADDRNOTAVAIL'].includes(err.code)) throw err;
          await bind('0.0.0.0');
        }
      }
      this.servers.push(server);
      const a = this.config.advertised.get(l.name);
      log(
        'INFO',
        `Listening on ${l.name}://${l.host || '0.0.0.0'}:${l.port}, advertised as ${l.name}://${a.host}:${a.port}`,
        'kafka.network.SocketServer',
      );
    }
  }

  accept(socket, listener) {
    const conn = new ProxyConnection(this, socket, listener);
    this.connections.add(conn);
    socket.once('close', () => this.connections.delete(conn));
  }

  endpointFor(listener) {
    const a = this.config.advertised.get(listener.name);
    return {
      nodeId: this.config.nodeId,
      host: a.host,
      port: a.port,
      clusterId: this.config.clusterId,
      rack: this.config.rack,
    };
  }

  apiVersionsResponse(version) {
    if (version > 3) {
      // KIP-511: an unknown ApiVersions version gets a v0 response with UNSUPPORTED_VERSION
      // and the ApiVersions range, so the client can retry with a version it shares.
      const own = this.apiRanges.get(P.API.ApiVersions);
      return P.encodeApiVersionsResponse(0, { errorCode: P.ERR.UNSUPPORTED_VERSION, apiKeys: [own] });
    }
    return P.encodeApiVersionsResponse(version, { apiKeys: this.apiKeys });
  }

  async topicExists(name) {
    const body = P.encodeMetadataRequest(4, { topics: [name], allowAutoTopicCreation: false });
    const res = P.decodeMetadataResponse(4, await this.admin.request(P.API.Metadata, 4, body));
    return res.topics.some((t) => t.name === name && t.errorCode === 0);
  }

  async createTopics(version, body, clientId) {
    const req = P.decodeCreateTopicsRequest(version, body);
    const plans = P.planCreateTopics(req, {
      nodeIds: [this.config.nodeId],
      defaultPartitions: this.config.numPartitions,
      defaultReplicationFactor: this.config.defaultReplicationFactor,
      maxPartitions: this.config.maxPartitions,
    });
    const topics = [];
    for (const plan of plans) {
      if (plan.errorCode !== 0) {
        topics.push(plan);
        continue;
      }
      let errorCode;
      if (req.validateOnly) errorCode = (await this.topicExists(plan.name)) ? P.ERR.TOPIC_ALREADY_EXISTS : 0;
      else errorCode = await this.mock.createTopic(plan.name, plan.partitions, plan.replicationFactor);
      let errorMessage = null;
      if (errorCode === P.ERR.TOPIC_ALREADY_EXISTS) errorMessage = `Topic '${plan.name}' already exists.`;
      else if (errorCode !== 0)
        errorMessage = `The mock cluster failed to create topic '${plan.name}' (error ${errorCode}).`;
      else if (!req.validateOnly) {
        this.recordTopic(plan.name, plan.partitions, plan.replicationFactor);
        log(
          'INFO',
          `Created topic ${plan.name} with ${plan.partitions} partition(s) and replication factor ${plan.replicationFactor} (CreateTopics from client ${clientId})`,
          'kafka.controller.ReplicationControlManager',
        );
      }
      topics.push({ name: plan.name, errorCode, errorMessage });
    }
    return P.encodeCreateTopicsResponse(version, { topics });
  }

  /** Auto-creation as auto.create.topics.enable does it: num.partitions, LEADER_NOT_AVAILABLE first. */
  async autoCreate(names) {
    const errors = new Map();
    for (const name of names) {
      if (P.topicNameError(name)) {
        errors.set(name, P.ERR.INVALID_TOPIC_EXCEPTION);
        continue;
      }
      const code = await this.mock.createTopic(
        name,
        this.config.numPartitions,
        this.config.defaultReplicationFactor,
      );
      if (code === 0) {
        this.recordTopic(name, this.config.numPartitions, this.config.defaultReplicationFactor);
        log(
          'INFO',
          `Auto-created topic ${name} with ${this.config.numPartitions} partition(s)`,
          'kafka.server.DefaultAutoTopicCreationManager',
        );
      } else if (code !== P.ERR.TOPIC_ALREADY_EXISTS)
        log('WARN', `Auto-creation of topic ${name} failed with error ${code}`);
      errors.set(name, P.ERR.LEADER_NOT_AVAILABLE);
    }
    return errors;
  }

  async close() {
    for (const s of this.servers) s.close();
    for (const c of this.connections) c.destroy();
    if (this.admin) this.admin.close();
  }
}

/**
 * One client connection and its own connection to the mock. Responses go back in request order
 * (a broker answers one request at a time per connection; the Java client insists on it), even
 * where the proxy answers a request itself or the mock answers out of order.
 */
class ProxyConnection {
  constructor(broker, socket, listener) {
    this.broker = broker;
    this.socket = socket;
    this.listener = listener;
    this.endpoint = broker.endpointFor(listener);
    this.buffer = Buffer.alloc(0);
    this.queue = []; // { payload: Buffer | null }, in request order
    this.inflight = new Map(); // upstream correlation id -> handler
    this.nextUpstreamId = 1;
    this.closed = false;
    const { host, port } = broker.upstream;
    this.upstream = net.connect({ host, port });
    this.upBuffer = Buffer.alloc(0);
    socket.setNoDelay(true);
    this.upstream.setNoDelay(true);
    socket.on('data', (chunk) => this.onClientData(chunk));
    this.upstream.on('data', (chunk) => this.onUpstreamData(chunk));
    socket.on('error', () => this.destroy());
    this.upstream.on('error', () => this.destroy());
    socket.on('close', () => this.destroy());
    this.upstream.on('close', () => this.destroy());
    // Backpressure both ways.
    socket.on('drain', () => this.upstream.resume());
    this.upstream.on('drain', () => socket.resume());
  }

  destroy() {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.upstream.destroy();
  }

  onClientData(chunk) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    let split;
    try {
      split = P.splitFrames(this.buffer);
    } catch (err) {
      log(
        'WARN',
        `Closing connection from ${this.socket.remoteAddress}: ${err.message}`,
        'kafka.network.Processor',
      );
      this.destroy();
      return;
    }
    this.buffer = split.rest;
    for (const payload of split.frames) {
      if (this.closed) return;
      try {
        this.onRequest(payload);
      } catch (err) {
        log(
          'WARN',
          `Closing connection from ${this.socket.remoteAddress} after an invalid request: ${err.message}`,
          'kafka.network.Processor',
        );
        this.destroy();
        return;
      }
    }
  }

  /** A slot in the response order; fill() it when the response is ready. */
  slot() {
    const entry = { payload: null };
    this.queue.push(entry);
    return {
      fill: (payload) => {
        entry.payload = payload;
        this.flush();
      },
    };
  }

  flush() {
    while (!this.closed && this.queue.length > 0 && this.queue[0].payload) {
      const { payload } = this.queue.shift();
      if (!this.socket.write(P.frame(payload))) this.upstream.pause();
    }
  }

  respond(slot, correlationId, body) {
    const header = Buffer.alloc(4);
    header.writeInt32BE(correlationId);
    slot.fill(Buffer.concat([header, body]));
  }

  /**
   * Sends a request (header included) upstream under a fresh correlation id, so that ids the
   * client reuses, or ids of requests the proxy answers itself, can never collide at the mock.
   * onResponse gets the response body.
   */
  forward(request, onResponse) {
    const id = this.nextUpstreamId++;
    if (this.nextUpstreamId > 0x7fffffff) this.nextUpstreamId = 1;
    this.inflight.set(id, onResponse);
    if (!this.upstream.write(P.frame(P.withCorrelationId(request, 4, id)))) this.socket.pause();
  }

  onRequest(payload) {
    const header = P.decodeRequestHeader(payload);
    const { apiKey, apiVersion, correlationId } = header;
    const rest = payload.subarray(header.bodyOffset);

    if (apiKey === P.API.ApiVersions) {
      this.respond(this.slot(), correlationId, this.broker.apiVersionsResponse(apiVersion));
      return;
    }
    const range = this.broker.apiRanges.get(apiKey);
    if (!range || apiVersion < range.minVersion || apiVersion > range.maxVersion) {
      // A broker closes the connection on a request it cannot parse (unknown key or version).
      throw new Error(
        `unsupported request ${P.API_NAMES[apiKey] ?? `api key ${apiKey}`} v${apiVersion} from client ${header.clientId}`,
      );
    }
    switch (apiKey) {
      case P.API.CreateTopics: {
        const slot = this.slot();
        this.broker.createTopics(apiVersion, rest, header.clientId).then(
          (body) => this.respond(slot, correlationId, body),
          (err) => {
            log('ERROR', `CreateTopics failed: ${err.message}`);
            this.destroy();
          },
        );
        return;
      }
      case P.API.Metadata: {
        const req = P.decodeMetadataRequest(apiVersion, rest);
        const { upstreamVersion, body } = P.upstreamMetadataRequest(apiVersion, req);
        const slot = this.slot();
        const request = Buffer.concat([
          P.encodeRequestHeader({ ...header, apiVersion: upstreamVersion }),
          body,
        ]);
        this.forward(request, (resBody) => {
          const res = P.decodeMetadataResponse(upstreamVersion, resBody);
          const toCreate = P.autoCreateTopicsFor(req, res, this.broker.config.autoCreateTopics);
          const finish = (topicErrors) => {
            for (const t of res.topics) {
              if (t.errorCode === 0 && !topicErrors.has(t.name)) {
                this.broker.recordTopic(
                  t.name,
                  t.partitions.length,
                  t.partitions[0]?.replicaNodes.length || 1,
                );
              }
            }
            const out = P.rewriteMetadataResponse(res, this.endpoint, topicErrors);
            this.respond(slot, correlationId, P.encodeMetadataResponse(apiVersion, out));
          };
          if (toCreate.length === 0) finish(new Map());
          else this.broker.autoCreate(toCreate).then(finish, () => this.destroy());
        });
        return;
      }
      case P.API.FindCoordinator: {
        const slot = this.slot();
        this.forward(payload, (resBody) => {
          const res = P.decodeFindCoordinatorResponse(apiVersion, resBody);
          const out = P.rewriteFindCoordinatorResponse(res, this.endpoint);
          this.respond(slot, correlationId, P.encodeFindCoordinatorResponse(apiVersion, out));
        });
        return;
      }
      default: {
        if (apiKey === P.API.Produce && P.produceAcks(apiVersion, rest) === 0) {
          // acks=0: a broker sends no response; the mock does, and it is dropped here.
          this.forward(payload, () => {});
          return;
        }
        const slot = this.slot();
        this.forward(payload, (resBody) => this.respond(slot, correlationId, resBody));
      }
    }
  }

  onUpstreamData(chunk) {
    this.upBuffer = this.upBuffer.length ? Buffer.concat([this.upBuffer, chunk]) : chunk;
    let split;
    try {
      split = P.splitFrames(this.upBuffer);
    } catch (err) {
      log('ERROR', `Invalid frame from the mock cluster: ${err.message}`);
      this.destroy();
      return;
    }
    this.upBuffer = split.rest;
    for (const payload of split.frames) {
      const id = payload.readInt32BE(0);
      const handler = this.inflight.get(id);
      if (!handler) continue;
      this.inflight.delete(id);
      try {
        handler(payload.subarray(4));
      } catch (err) {
        log('ERROR', `Could not rewrite a response of the mock cluster: ${err.message}`);
        this.destroy();
        return;
      }
    }
  }
}

// ---------------------------------------------------------------- main

async function main() {
  let config;
  try {
    config = loadConfig();
    prepareLogDir(config);
  } catch (err) {
    log('ERROR', `Exiting Kafka due to fatal exception: ${err.message}`);
    process.exit(1);
  }
  log(
    'INFO',
    `Starting the stand-in for Apache Kafka 3.9.1 (librdkafka mock cluster behind a protocol proxy), node.id=${config.nodeId}, cluster.id=${config.clusterId}`,
  );
  const mock = new MockCluster(path.join(__dirname, 'mock-cluster'), config.mockDebug);
  let broker;
  let stopping = false;
  const stop = async (signal) => {
    if (stopping) return;
    stopping = true;
    log('INFO', `[KafkaRaftServer nodeId=${config.nodeId}] Received ${signal}: shutting down`);
    if (broker) await broker.close();
    mock.stop();
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  mock.onExit = (err) => {
    if (stopping) {
      log('INFO', `[KafkaRaftServer nodeId=${config.nodeId}] shut down completed`);
      process.exit(0);
    }
    log('ERROR', `Exiting Kafka: ${err.message}`);
    process.exit(1);
  };
  try {
    const bootstrap = await mock.start();
    broker = new Broker(config, mock);
    await broker.init();
    await broker.listen();
    const adv = [...config.advertised.entries()]
      .map(([name, a]) => `${name}://${a.host}:${a.port}`)
      .join(',');
    log(
      'INFO',
      `[KafkaRaftServer nodeId=${config.nodeId}] Kafka Server started: advertised listeners ${adv}, mock cluster at ${bootstrap}, auto.create.topics.enable=${config.autoCreateTopics}, num.partitions=${config.numPartitions}, log dir ${config.logDir} (records and offsets are kept in memory only)`,
    );
    if (config.controllerListeners.length > 0) {
      log(
        'INFO',
        `Controller listener(s) ${config.controllerListeners.map((l) => l.name).join(',')} not opened: the mock cluster has no Raft quorum`,
      );
    }
  } catch (err) {
    log('ERROR', `Exiting Kafka due to fatal exception during startup: ${err.message}`);
    mock.stop();
    process.exit(1);
  }
}

if (require.main === module) main();

module.exports = { loadConfig, Broker, ProxyConnection };
