#!/usr/bin/env node
// Entry point of the `hardening-lab` command. The server is TypeScript run
// through tsx, so there is no separate build step between editing and running.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv);
