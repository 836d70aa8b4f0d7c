#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm install` / `npm start`); from a source
// checkout without a build, falls back to running the TypeScript through tsx.
import { existsSync } from 'node:fs';

const dist = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(dist)) {
  await import(dist.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
