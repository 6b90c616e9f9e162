import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { allocatedPorts } from './ports';
import { spawnedProcessGroups } from './process';
import { reaperPid } from './reaper';
import { liveTempDirs } from './temp';
import { waitFor } from './wait';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  command: string;
}

export interface ListeningPort {
  address: string;
  port: number;
  /** The process holding the socket, when it is one of ours. */
  pid?: number;
}

/** What this process has running: so a test can assert that nothing it started remains. */
export interface ResourceSnapshot {
  /** Descendants of this process, plus anything still in a process group testkit started. */
  processes: ProcessInfo[];
  /** TCP listeners held by this process or those processes, or on a port freePort() handed out. */
  ports: ListeningPort[];
  /** Temp dirs testkit made that still exist. */
  tempDirs: string[];
}

function readProcessInfo(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp ..." — comm may contain spaces and parentheses
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    if (fields[0] === 'Z') return undefined; // a zombie holds nothing and is reaped by its parent
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return {
      pid,
      ppid: Number(fields[1]),
      pgid: Number(fields[2]),
      command: cmdline || stat.slice(stat.indexOf('(') + 1, close),
    };
  } catch {
    return undefined; // exited while we looked
  }
}

function allProcesses(): ProcessInfo[] {
  const result: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readProcessInfo(Number(entry));
    if (info) result.push(info);
  }
  return result;
}

function ownedProcesses(): ProcessInfo[] {
  const all = allProcesses();
  const groups = new Set(spawnedProcessGroups());
  const children = new Map<number, ProcessInfo[]>();
  for (const info of all) {
    const siblings = children.get(info.ppid) ?? [];
    siblings.push(info);
    children.set(info.ppid, siblings);
  }
  const owned = new Map<number, ProcessInfo>();
  const queue = [process.pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const child of children.get(parent) ?? []) {
      if (!owned.has(child.pid)) {
        owned.set(child.pid, child);
        queue.push(child.pid);
      }
    }
  }
  for (const info of all) {
    if (groups.has(info.pgid) && info.pid !== process.pid) owned.set(info.pid, info);
  }
  const watchdog = reaperPid();
  if (watchdog !== undefined) owned.delete(watchdog);
  return [...owned.values()].sort((a, b) => a.pid - b.pid);
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const match = /^socket:\[(\d+)\]$/.exec(target);
      if (match) inodes.add(match[1]!);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

function decodeAddress(hex: string): string {
  if (hex.length === 8) {
    const bytes = hex.match(/../g)!.map((byte) => Number.parseInt(byte, 16));
    return bytes.reverse().join('.');
  }
  return hex === '00000000000000000000000000000000' ? '::' : `[v6:${hex}]`;
}

/** TCP sockets in state LISTEN (0A), from /proc/net/tcp and tcp6. */
function listeningSockets(): { address: string; port: number; inode: string }[] {
  const result: { address: string; port: number; inode: string }[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== '0A') continue;
      const [addressHex, portHex] = fields[1]!.split(':');
      result.push({
        address: decodeAddress(addressHex!),
        port: Number.parseInt(portHex!, 16),
        inode: fields[9]!,
      });
    }
  }
  return result;
}

/** Takes a snapshot of the processes, listening ports and temp dirs this test process owns. */
export function snapshotResources(): ResourceSnapshot {
  const processes = ownedProcesses();
  const inodeOwner = new Map<string, number>();
  for (const pid of [process.pid, ...processes.map((info) => info.pid)]) {
    for (const inode of socketInodes(pid)) inodeOwner.set(inode, pid);
  }
  const handedOut = new Set(allocatedPorts());
  const ports: ListeningPort[] = [];
  for (const socket of listeningSockets()) {
    const pid = inodeOwner.get(socket.inode);
    if (pid !== undefined) ports.push({ address: socket.address, port: socket.port, pid });
    else if (handedOut.has(socket.port)) ports.push({ address: socket.address, port: socket.port });
  }
  return { processes, ports, tempDirs: liveTempDirs() };
}

/** Human-readable list of what `after` has that `before` did not (empty = nothing leaked). */
export function leaksSince(
  before: ResourceSnapshot,
  after: ResourceSnapshot = snapshotResources(),
): string[] {
  const problems: string[] = [];
  const pids = new Set(before.processes.map((info) => info.pid));
  for (const info of after.processes) {
    if (!pids.has(info.pid)) problems.push(`process ${info.pid} still running: ${info.command}`);
  }
  const ports = new Set(before.ports.map((port) => `${port.address}:${port.port}`));
  for (const port of after.ports) {
    if (!ports.has(`${port.address}:${port.port}`)) {
      const holder = port.pid === undefined ? '' : ` (pid ${port.pid})`;
      problems.push(`port ${port.address}:${port.port} still listening${holder}`);
    }
  }
  const dirs = new Set(before.tempDirs);
  for (const dir of after.tempDirs) {
    if (!dirs.has(dir)) problems.push(`temp dir ${dir} still exists`);
  }
  return problems;
}

/**
 * Resolves once nothing started since `before` remains (sockets and exiting processes take a
 * moment to disappear); otherwise resolves with the leaks still there after `timeoutMs`, so a test
 * can `expect(await remainingLeaks(before)).toEqual([])` and see what leaked.
 */
export async function remainingLeaks(before: ResourceSnapshot, timeoutMs = 5_000): Promise<string[]> {
  let leaks: string[] = [];
  try {
    await waitFor(
      () => {
        leaks = leaksSince(before);
        return leaks.length === 0;
      },
      { timeoutMs, intervalMs: 50, what: 'every process, port and temp dir the test started to go away' },
    );
  } catch {
    // leaks holds what is still there
  }
  return leaks;
}
