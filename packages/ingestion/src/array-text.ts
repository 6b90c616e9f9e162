// node-pg's own serialiser: the reference for everything below, and the path for anything unusual.
const { prepareValue } = require('pg/lib/utils') as { prepareValue(value: unknown): unknown };

/**
 * A statement parameter as node-pg would send it, arrays turned into PostgreSQL's array text: the
 * same output as node-pg's prepareValue (a test compares them), faster for the write statement's
 * arrays, whose elements are finite numbers or strings without `"` and `\`: node-pg quotes every
 * element, so such an element needs no escaping. Anything else goes to node-pg itself.
 */
export function arrayText(value: unknown): unknown {
  if (!Array.isArray(value)) return prepareValue(value);
  if (value.length === 0) return '{}';
  for (const v of value as unknown[]) {
    const plain =
      typeof v === 'number'
        ? Number.isFinite(v)
        : typeof v === 'string' && !v.includes('"') && !v.includes('\\');
    if (!plain) return prepareValue(value);
  }
  return `{"${value.join('","')}"}`;
}
