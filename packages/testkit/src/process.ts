import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { forgetGroup, reapGroupOnExit } from './reaper';

export interface SpawnChildOptions {
  /** Short name for messages: "postgres primary", "kcat", "prometheus". */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this user (PostgreSQL refuses to run as root). */
  uid?: number;
  gid?: number;
  /** Bytes of combined stdout+stderr kept (the tail); default 64 KiB. */
  outputLimit?: number;
  /**
   * Write stdout+stderr straight to this file instead of a pipe (the child gets the file
   * descriptor, so nothing in this process has to drain it); output() then reads the file's tail.
   */
  logFile?: string;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Keeps the last `limit` bytes written; older output is dropped. */
class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limit && this.chunks.length > 1) {
      this.size -= this.chunks.shift()!.length;
    }
    if (this.size > this.limit && this.chunks.length === 1) {
      const only = this.chunks[0]!;
      this.chunks[0] = only.subarray(only.length - this.limit);
      this.size = this.limit;
    }
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * A child process in its own process group, so stop() reaches everything it forked (kcat's
 * threads are fine either way, but postgres' backends and shell wrappers are not). Its output is
 * always drained into a ring buffer: a child that logs a lot (kcat with debug=mock logs every
 * request) would otherwise block on a full pipe.
 */
export class ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly exited: Promise<ExitStatus>;
  private readonly tail: OutputTail;
  private exitStatus: ExitStatus | undefined;
  private readonly listeners = new Set<(chunk: string) => void>();
  private readonly logFile: string | undefined;
  private readonly outputLimit: number;

  constructor(options: SpawnChildOptions) {
    this.name = options.name;
    this.outputLimit = options.outputLimit ?? 64 * 1024;
    this.tail = new OutputTail(this.outputLimit);
    this.logFile = options.logFile;
    const logFd = options.logFile === undefined ? undefined : openSync(options.logFile, 'a', 0o600);
    let child: ChildProcess;
    try {
      child = spawn(options.command, options.args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        detached: true, // setsid(): own process group, killed as a whole
        stdio: logFd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', logFd, logFd],
        ...(options.uid === undefined ? {} : { uid: options.uid }),
        ...(options.gid === undefined ? {} : { gid: options.gid }),
      });
    } finally {
      if (logFd !== undefined) closeSync(logFd); // the child has its own copy
    }
    if (child.pid === undefined) {
      // spawn failed synchronously (ENOENT etc.): the 'error' event carries the reason
      this.pid = -1;
    } else {
      this.pid = child.pid;
    }
    const onData = (chunk: Buffer) => {
      this.tail.push(chunk);
      if (this.listeners.size > 0) {
        const text = chunk.toString('utf8');
        for (const listener of this.listeners) listener(text);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    this.exited = new Promise<ExitStatus>((resolve) => {
      child.once('error', (error) => {
        this.tail.push(Buffer.from(`\n[spawn error] ${error.message}\n`));
        this.exitStatus ??= { code: null, signal: null };
        live.delete(this);
        resolve(this.exitStatus);
      });
      // 'exit', not 'close': a forked grandchild may keep the pipes open after the leader is gone
      child.once('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        // whatever it forked dies with it: nothing testkit starts is meant to daemonize
        if (this.pid > 0) {
          killGroupQuietly(this.pid);
          forgetGroup(this.pid);
        }
        live.delete(this);
        resolve(this.exitStatus);
      });
    });
    live.add(this);
    if (this.pid > 0) {
      groups.add(this.pid);
      reapGroupOnExit(this.pid);
    }
    // A server a test forgot to destroy must not keep the test process alive forever: the reaper
    // (reaper.ts) kills it once this process is gone. Whoever waits for the child holds a timer
    // (waitFor, stop, waitForExit), which keeps the event loop alive meanwhile.
    child.unref();
    (child.stdout as { unref?: () => void } | null)?.unref?.();
    (child.stderr as { unref?: () => void } | null)?.unref?.();
  }

  /** Waits for the exit; throws (leaving the child running) after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<ExitStatus> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.name} did not exit within ${timeoutMs} ms:\n${this.outputTail(20)}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Whether the child has exited. */
  get hasExited(): boolean {
    return this.exitStatus !== undefined;
  }

  get exitCode(): number | null | undefined {
    return this.exitStatus?.code;
  }

  /** The tail of everything it wrote to stdout and stderr. */
  output(): string {
    const spawnErrors = this.tail.text();
    if (this.logFile === undefined) return spawnErrors;
    return readFileTail(this.logFile, this.outputLimit) + spawnErrors;
  }

  /** The last `lines` lines of output, for error messages. */
  outputTail(lines = 30): string {
    return this.output().split('\n').slice(-lines).join('\n');
  }

  /** Calls `listener` with every output chunk from now on; returns a function that removes it. */
  onOutput(listener: (chunk: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends `signal` to the whole process group (ignored when it is gone). */
  signalGroup(signal: NodeJS.Signals): void {
    if (this.pid <= 0 || this.hasExited) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      try {
        process.kill(this.pid, signal);
      } catch {
        // already gone
      }
    }
  }

  /** Sends `signal` to the child itself (ignored when it is gone). */
  signal(signal: NodeJS.Signals): void {
    if (this.pid <= 0 || this.hasExited) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      // already gone
    }
  }

  /**
   * Sends `signal` to the child (only the leader, as a supervisor would: a postmaster or a Node
   * service shuts its own children down) and waits for it to exit; after `graceMs` the whole group
   * gets SIGKILL. Once the leader is gone, anything left in its group is SIGKILLed too. Returns the
   * exit status; safe to call twice.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<ExitStatus> {
    if (!this.hasExited) {
      this.signal(signal);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), graceMs);
      });
      const first = await Promise.race([this.exited, timedOut]);
      clearTimeout(timer);
      if (first === 'timeout') this.signalGroup('SIGKILL');
    }
    const status = await this.exited;
    killGroupQuietly(this.pid);
    return status;
  }
}

function readFileTail(file: string, limit: number): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = statSync(file).size;
    const length = Math.min(size, limit);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function killGroupQuietly(pid: number): void {
  if (pid <= 0) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // no such group: nothing left
  }
}

const live = new Set<ManagedProcess>();
const groups = new Set<number>();

/**
 * Process group ids of every child ever started through spawnChild(): a grandchild that outlived
 * its parent (reparented to init) still carries the group id, so the leak check finds it.
 */
export function spawnedProcessGroups(): number[] {
  return [...groups];
}

/** Child processes started through spawnChild() that have not exited yet. */
export function liveProcesses(): ManagedProcess[] {
  return [...live];
}

/** SIGKILLs every live child's process group right away (synchronous; for exit handlers). */
export function killAllChildren(): void {
  for (const child of live) {
    killGroupQuietly(child.pid);
  }
}

/** Starts a child in its own process group, output captured, registered for leak checks. */
export function spawnChild(options: SpawnChildOptions): ManagedProcess {
  return new ManagedProcess(options);
}
