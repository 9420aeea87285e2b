#!/usr/bin/env node
// The `care` CLI entry: runs src/main.ts through tsx, so `npx care` works right after `npm install`.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import(new URL('../src/main.ts', import.meta.url).href);
await runCli(process.argv);
