// A minimal Kafka protocol client (one connection, pipelined requests matched by correlation id),
// used by the broker for its own calls to the mock and by the bin/ tools.

const net = require('node:net');
const { Writer, frame, splitFrames, encodeRequestHeader } = require('./protocol');

class KafkaConnection {
  /** Resolves once connected; rejects on a connection error or after timeoutMs. */
  static connect(host, port, { timeoutMs = 10000, clientId = 'standin' } = {}) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connection to ${host}:${port} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new KafkaConnection(socket, `${host}:${port}`, clientId));
      });
    });
  }

  constructor(socket, address, clientId) {
    this.socket = socket;
    this.address = address;
    this.clientId = clientId;
    this.nextCorrelationId = 1;
    this.inflight = new Map();
    this.buffer = Buffer.alloc(0);
    this.closedError = null;
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error(`connection to ${address} closed`)));
  }

  onData(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    let split;
    try {
      split = splitFrames(this.buffer);
    } catch (err) {
      this.fail(err);
      this.socket.destroy();
      return;
    }
    this.buffer = split.rest;
    for (const payload of split.frames) {
      const correlationId = payload.readInt32BE(0);
      const waiter = this.inflight.get(correlationId);
      if (!waiter) continue;
      this.inflight.delete(correlationId);
      clearTimeout(waiter.timer);
      waiter.resolve(payload.subarray(4));
    }
  }

  fail(err) {
    if (!this.closedError) this.closedError = err;
    for (const waiter of this.inflight.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(err);
    }
    this.inflight.clear();
  }

  /**
   * Sends one request; resolves with the response body (after the v0 response header).
   * `flexibleHeader` adds the request header v2's empty tag buffer (ApiVersions v3).
   */
  request(apiKey, apiVersion, body, { timeoutMs = 30000, flexibleHeader = false } = {}) {
    if (this.closedError) return Promise.reject(this.closedError);
    const correlationId = this.nextCorrelationId++;
    let header = encodeRequestHeader({ apiKey, apiVersion, correlationId, clientId: this.clientId });
    if (flexibleHeader) header = Buffer.concat([header, new Writer().uvarint(0).toBuffer()]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.inflight.delete(correlationId);
        reject(new Error(`request (api key ${apiKey}) to ${this.address} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.inflight.set(correlationId, { resolve, reject, timer });
      this.socket.write(frame(Buffer.concat([header, body])));
    });
  }

  close() {
    this.socket.end();
    this.socket.destroy();
  }
}

/** "host:port" (IPv6 in brackets) → { host, port }. */
function parseHostPort(value) {
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(value.trim());
  if (!m) throw new Error(`Invalid url in bootstrap.servers: ${value}`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

module.exports = { KafkaConnection, parseHostPort };
