import path from 'node:path';
import type { OutputStream } from '../src/output';

export const REPO_ROOT = path.resolve(__dirname, '../../..');

/** A stream that records what the CLI writes (isTTY chosen by the test). */
export class Capture implements OutputStream {
  text = '';
  constructor(readonly isTTY = false) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}
