import { PORT_NAMES } from '../src/components';
import { portTaken } from '../src/probes';

/** A port base whose whole block (one port per native component) is free right now. */
export async function freePortBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // below Linux's ephemeral range (32768-60999), which port-0 allocations of concurrent tests use
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    let free = true;
    for (let i = 0; i < PORT_NAMES.length && free; i++) free = !(await portTaken(base + i));
    if (free) return base;
  }
  throw new Error('no free block of ports found');
}
