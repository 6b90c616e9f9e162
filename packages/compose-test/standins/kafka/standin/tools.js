// The image's command-line tools, speaking the Kafka protocol like the real ones (which are Java
// AdminClient programs): bootstrap, read Metadata, then talk to the broker(s) it names.
//   node tools.js kafka-topics [options]               (/opt/kafka/bin/kafka-topics.sh)
//   node tools.js kafka-broker-api-versions [options]  (/opt/kafka/bin/kafka-broker-api-versions.sh)
// Output and exit codes follow the real tools for the options supported here.

const P = require('./protocol');
const { KafkaConnection, parseHostPort } = require('./client');

// Like the AdminClient's default.api.timeout.ms (60 s): retry an unreachable bootstrap server
// until then. The stand-in default is shorter so that a failed kafka-init does not hang a minute.
const TIMEOUT_MS = Number(process.env.KAFKA_STANDIN_CLIENT_TIMEOUT_MS || 30000);

class UsageError extends Error {}

/** joptsimple-style: --name value, --name=value; flags take no value. */
function parseArgs(argv, { flags, valued }) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(`Found non-option argument: ${arg}`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (flags.includes(name)) {
      if (eq !== -1) throw new UsageError(`Option ${name} does not take an argument`);
      opts[name] = true;
    } else if (valued.includes(name)) {
      let value;
      if (eq !== -1) value = arg.slice(eq + 1);
      else {
        if (i + 1 >= argv.length) throw new UsageError(`Option ${name} requires an argument`);
        value = argv[++i];
      }
      if (!opts[name]) opts[name] = [];
      opts[name].push(value);
    } else throw new UsageError(`${name} is not a recognized option`);
  }
  return opts;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Connects to the first reachable bootstrap server, retrying until the deadline. */
async function connectBootstrap(servers, clientId, deadline) {
  const addresses = servers.split(',').map(parseHostPort);
  let lastError;
  for (;;) {
    for (const { host, port } of addresses) {
      try {
        return await KafkaConnection.connect(host, port, {
          clientId,
          timeoutMs: Math.max(1000, deadline - Date.now()),
        });
      } catch (err) {
        lastError = err;
      }
    }
    if (Date.now() + 500 > deadline) {
      throw new Error(
        `Timed out waiting for a node assignment (last error: ${lastError?.message ?? 'none'})`,
      );
    }
    await sleep(500);
  }
}

async function apiVersions(conn) {
  // ApiVersions v3 (flexible, as the Java tools send it): compact strings, then empty tags.
  const compact = (str) => {
    const b = Buffer.from(str);
    return Buffer.concat([new P.Writer().uvarint(b.length + 1).toBuffer(), b]);
  };
  const request = Buffer.concat([compact('reelwatch-standin-tools'), compact('3.9.1'), Buffer.from([0])]);
  const res = P.decodeApiVersionsResponse(
    3,
    await conn.request(P.API.ApiVersions, 3, request, { flexibleHeader: true }),
  );
  if (res.errorCode !== 0) throw new Error(`ApiVersions failed with error code ${res.errorCode}`);
  return new Map(res.apiKeys.map((k) => [k.apiKey, k]));
}

function pickVersion(versions, apiKey, ourMax) {
  const range = versions.get(apiKey);
  if (!range || range.minVersion > ourMax) {
    throw new Error(
      `The broker does not support ${P.API_NAMES[apiKey] ?? apiKey} (versions ${range ? `${range.minVersion}-${range.maxVersion}` : 'none'})`,
    );
  }
  return Math.min(range.maxVersion, ourMax);
}

async function metadata(conn, versions, topics) {
  const version = pickVersion(versions, P.API.Metadata, 5);
  const body = P.encodeMetadataRequest(version, { topics, allowAutoTopicCreation: false });
  return P.decodeMetadataResponse(version, await conn.request(P.API.Metadata, version, body));
}

/** Connection to the node `nodeId` of a Metadata response (reuses `conn` when it is that node). */
async function connectNode(conn, md, nodeId, clientId, deadline) {
  const node = md.brokers.find((b) => b.nodeId === nodeId) ?? md.brokers[0];
  if (!node) throw new Error('The cluster metadata names no broker');
  if (conn.address === `${node.host}:${node.port}`) return { node, conn, own: false };
  const c = await connectBootstrap(
    `${node.host.includes(':') ? `[${node.host}]` : node.host}:${node.port}`,
    clientId,
    deadline,
  );
  return { node, conn: c, own: true };
}

// ---------------------------------------------------------------- kafka-topics

async function kafkaTopics(argv) {
  const opts = parseArgs(argv, {
    flags: [
      'create',
      'list',
      'describe',
      'delete',
      'alter',
      'if-not-exists',
      'if-exists',
      'exclude-internal',
      'help',
      'version',
    ],
    valued: [
      'bootstrap-server',
      'topic',
      'partitions',
      'replication-factor',
      'config',
      'command-config',
      'replica-assignment',
    ],
  });
  if (opts.version) {
    console.log('3.9.1');
    return 0;
  }
  const actions = ['create', 'list', 'describe', 'delete', 'alter'].filter((a) => opts[a]);
  if (opts.help || actions.length !== 1) {
    throw new UsageError(
      'Command must include exactly one action: --list, --describe, --create, --alter or --delete',
    );
  }
  const action = actions[0];
  if (action === 'delete' || action === 'alter') {
    throw new Error(
      `--${action} is not supported by this stand-in broker (the mock cluster implements no DeleteTopics/CreatePartitions)`,
    );
  }
  if (!opts['bootstrap-server']) throw new UsageError('Missing required argument "[bootstrap-server]"');
  if (opts['command-config']) console.error('WARNING: --command-config is ignored by the stand-in tools');
  const topic = opts.topic?.at(-1);
  const deadline = Date.now() + TIMEOUT_MS;
  const clientId = 'adminclient-1';
  const conn = await connectBootstrap(opts['bootstrap-server'].at(-1), clientId, deadline);
  try {
    const versions = await apiVersions(conn);
    if (action === 'create') {
      if (!topic) throw new UsageError('Missing required argument "[topic]"');
      const partitions = opts.partitions ? Number(opts.partitions.at(-1)) : -1;
      const replicationFactor = opts['replication-factor'] ? Number(opts['replication-factor'].at(-1)) : -1;
      if (
        opts['replication-factor'] &&
        (!Number.isInteger(replicationFactor) || replicationFactor > 32767 || replicationFactor < 1)
      ) {
        throw new Error('The replication factor must be between 1 and 32767 inclusive');
      }
      if (opts.partitions && (!Number.isInteger(partitions) || partitions < 1))
        throw new Error('The partitions must be greater than 0');
      if (/[._]/.test(topic)) {
        console.log(
          "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.",
        );
      }
      const configs = (opts.config ?? []).map((c) => {
        const i = c.indexOf('=');
        if (i <= 0)
          throw new Error(`Invalid topic config: all configs to be added must be in the format "key=val".`);
        return { name: c.slice(0, i), value: c.slice(i + 1) };
      });
      const md = await metadata(conn, versions, []);
      const controller = await connectNode(conn, md, md.controllerId, clientId, deadline);
      try {
        const cv = controller.own ? await apiVersions(controller.conn) : versions;
        const version = pickVersion(cv, P.API.CreateTopics, 4);
        const body = P.encodeCreateTopicsRequest(version, {
          topics: [{ name: topic, numPartitions: partitions, replicationFactor, assignments: [], configs }],
          timeoutMs: 30000,
          validateOnly: false,
        });
        const res = P.decodeCreateTopicsResponse(
          version,
          await controller.conn.request(P.API.CreateTopics, version, body),
        );
        const t = res.topics.find((x) => x.name === topic);
        if (!t) throw new Error(`The broker's CreateTopics response does not name topic ${topic}`);
        if (t.errorCode === 0) console.log(`Created topic ${topic}.`);
        else if (!(t.errorCode === P.ERR.TOPIC_ALREADY_EXISTS && opts['if-not-exists'])) {
          throw new Error(t.errorMessage ?? `CreateTopics failed with error code ${t.errorCode}`);
        }
      } finally {
        if (controller.own) controller.conn.close();
      }
    } else {
      const md = await metadata(conn, versions, null);
      let topics = md.topics.filter((t) => t.errorCode === 0);
      if (opts['exclude-internal']) topics = topics.filter((t) => !t.isInternal);
      if (topic) {
        // --topic is a Java regex for --list/--describe; plain names match themselves.
        const re = new RegExp(`^(?:${topic})$`);
        topics = topics.filter((t) => re.test(t.name));
        if (topics.length === 0 && !opts['if-exists'])
          throw new Error(`Topic '${topic}' does not exist as expected`);
      }
      topics.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const t of topics) {
        if (action === 'list') {
          console.log(t.name);
          continue;
        }
        const parts = [...t.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex);
        const rf = parts[0]?.replicaNodes.length ?? 0;
        // The mock has no topic ids (Metadata < v10): a real broker's client prints the zero Uuid then.
        console.log(
          `Topic: ${t.name}\tTopicId: AAAAAAAAAAAAAAAAAAAAAA\tPartitionCount: ${parts.length}\tReplicationFactor: ${rf}\tConfigs: `,
        );
        for (const p of parts) {
          const leader = p.leaderId === -1 ? 'none' : p.leaderId;
          console.log(
            `\tTopic: ${t.name}\tPartition: ${p.partitionIndex}\tLeader: ${leader}\tReplicas: ${p.replicaNodes.join(',')}\tIsr: ${p.isrNodes.join(',')}\tElr: N/A\tLastKnownElr: N/A`,
          );
        }
      }
    }
  } finally {
    conn.close();
  }
  return 0;
}

// ---------------------------------------------------------------- kafka-broker-api-versions

async function kafkaBrokerApiVersions(argv) {
  const opts = parseArgs(argv, {
    flags: ['help', 'version'],
    valued: ['bootstrap-server', 'command-config'],
  });
  if (opts.version) {
    console.log('3.9.1');
    return 0;
  }
  if (!opts['bootstrap-server']) throw new UsageError('Missing required argument "[bootstrap-server]"');
  const deadline = Date.now() + TIMEOUT_MS;
  const clientId = 'admin-1';
  const conn = await connectBootstrap(opts['bootstrap-server'].at(-1), clientId, deadline);
  try {
    const versions = await apiVersions(conn);
    const md = await metadata(conn, versions, []);
    for (const b of md.brokers) {
      const node = await connectNode(conn, md, b.nodeId, clientId, deadline);
      try {
        const v = node.own ? await apiVersions(node.conn) : versions;
        const lines = [...v.values()].map((k) => {
          const name = P.API_NAMES[k.apiKey] ?? `UNKNOWN(${k.apiKey})`;
          return `\t${name}(${k.apiKey}): ${k.minVersion} to ${k.maxVersion} [usable: ${k.maxVersion}]`;
        });
        console.log(
          `${b.host}:${b.port} (id: ${b.nodeId} rack: ${b.rack ?? 'null'}) -> (\n${lines.join(',\n')}\n)`,
        );
      } finally {
        if (node.own) node.conn.close();
      }
    }
  } finally {
    conn.close();
  }
  return 0;
}

async function main() {
  const [tool, ...argv] = process.argv.slice(2);
  const tools = { 'kafka-topics': kafkaTopics, 'kafka-broker-api-versions': kafkaBrokerApiVersions };
  try {
    if (!tools[tool]) throw new UsageError(`unknown tool ${tool}`);
    process.exitCode = await tools[tool](argv);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(err.message);
    } else {
      console.log(
        `Error while executing ${tool === 'kafka-topics' ? 'topic' : 'broker api versions'} command : ${err.message}`,
      );
      console.error(
        `[${new Date().toISOString()}] ERROR ${err.message} (org.apache.kafka.tools.${tool === 'kafka-topics' ? 'TopicCommand' : 'BrokerApiVersionsCommand'})`,
      );
    }
    process.exitCode = 1;
  }
}

if (require.main === module) main();

module.exports = { parseArgs };
