/**
 * Regenerates `.env.example` and the configuration table in README.md from the key table in src/config.
 * Run with `npm run docs:env`; test/config/docs.test.ts fails when either is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderConfigTable, renderEnvExample } from '../src/config/env-example.js';
import { CONFIG_TABLE_BEGIN, CONFIG_TABLE_END, replaceBetween } from './markers.js';

writeFileSync('.env.example', renderEnvExample());
const readme = readFileSync('README.md', 'utf8');
writeFileSync('README.md', replaceBetween(readme, CONFIG_TABLE_BEGIN, CONFIG_TABLE_END, renderConfigTable()));
console.log('wrote .env.example and the configuration table in README.md');
