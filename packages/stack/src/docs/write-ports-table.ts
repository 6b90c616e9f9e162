// Rewrites the README's Ports table (between <!-- ports:begin --> and <!-- ports:end -->) from
// the component list; test/docs/ports-table.test.ts fails when the committed table differs.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { COMPONENTS } from '../components';
import { findRepoRoot } from '../paths';
import { renderPortsTable, replacePortsTable } from './ports-table';

const readme = path.join(findRepoRoot(__dirname), 'README.md');
const before = readFileSync(readme, 'utf8');
const after = replacePortsTable(before, renderPortsTable(COMPONENTS));
if (after !== before) writeFileSync(readme, after);
console.log(after === before ? 'README Ports table: up to date' : 'README Ports table: rewritten');
