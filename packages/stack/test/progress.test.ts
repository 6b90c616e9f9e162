import { Output } from '../src/output';
import { Progress } from '../src/progress';
import { Capture } from './support';

describe('Progress', () => {
  it('prints one line per change of state in a pipe, none for a repeat', () => {
    const stdout = new Capture(false);
    const progress = new Progress(new Output({ stdout, stderr: new Capture(), json: false }));
    progress.set('redis', 'starting', ':6379');
    progress.set('redis', 'starting', ':6379');
    progress.set('redis', 'healthy');
    expect(stdout.text).toBe('redis: starting (:6379)\nredis: healthy\n');
  });

  it('redraws the block of components in place on a terminal', () => {
    const stdout = new Capture(true);
    const progress = new Progress(new Output({ stdout, stderr: new Capture(), json: false, color: false }));
    progress.set('redis', 'starting');
    progress.set('prometheus', 'waiting');
    progress.set('redis', 'healthy');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the cursor-up escape is what is checked
    const frames = stdout.text.split(/\u001b\[\d+F/);
    expect(frames).toHaveLength(3);
    expect(frames[2]).toBe('  redis       healthy    \u001b[K\n  prometheus  waiting    \u001b[K\n');
  });

  it('keeps stdout for the JSON document under --json: progress goes to stderr', () => {
    const stdout = new Capture(true);
    const stderr = new Capture();
    const progress = new Progress(new Output({ stdout, stderr, json: true }));
    progress.set('redis', 'healthy');
    expect(stdout.text).toBe('');
    expect(stderr.text).toBe('redis: healthy\n');
  });
});
