#!/usr/bin/env node
// `npx concord …`: runs the TypeScript CLI through tsx's loader, so the
// project ships no build step.
import { register } from 'tsx/esm/api';

register();
await import('./concord.ts');
