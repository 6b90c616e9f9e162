import { EventGenerator } from '@reelwatch/event-producer';
import { parseEventLine, parseIsoTimestampMicros } from '../src/parse-event-line';
import { mutate, prng } from './support/mutate';
import { regexParseEventLine, regexParseIsoTimestampMicros } from './support/regex-parser';

describe('the hand-written parser', () => {
  test('the hand-written parser gives the regex oracle result for generated and mutated lines', () => {
    const random = prng(7);
    const generator = new EventGenerator({ seed: 11, malformedRatio: 0.05 });
    let compared = 0;
    for (const e of generator.take(20_000)) {
      for (const line of [e.line, mutate(e.line, random), mutate(e.line, random)]) {
        const expected = regexParseEventLine(line);
        const actual = parseEventLine(line);
        if (JSON.stringify(actual) !== JSON.stringify(expected))
          expect({ line, actual }).toEqual({ line, actual: expected });
        compared++;
      }
    }
    expect(compared).toBe(60_000);
  });

  test('the hand-written timestamp parser agrees with the regex oracle on random instants and zones', () => {
    const random = prng(3);
    const two = (n: number) => String(n).padStart(2, '0');
    for (let i = 0; i < 20_000; i++) {
      const y = 1960 + Math.floor(random() * 260);
      const text = `${y}-${two(Math.floor(random() * 14))}-${two(Math.floor(random() * 33))}T${two(Math.floor(random() * 25))}:${two(Math.floor(random() * 61))}:${two(Math.floor(random() * 61))}${random() < 0.5 ? `.${String(Math.floor(random() * 1e6)).slice(0, 1 + Math.floor(random() * 7))}` : ''}${['', 'Z', `+${two(Math.floor(random() * 25))}:${two(Math.floor(random() * 61))}`, '-05:30'][Math.floor(random() * 4)]}`;
      expect([text, parseIsoTimestampMicros(text)]).toEqual([text, regexParseIsoTimestampMicros(text)]);
    }
  });
});
