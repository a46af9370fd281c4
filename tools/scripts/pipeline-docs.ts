// Writes the stage reference of docs/pipelines.md from libs/pipeline (the zod schemas and
// STAGE_DOCS), between its `stages:begin` and `stages:end` markers:
//   node --import @swc-node/register/esm-register tools/scripts/pipeline-docs.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { withStageReference } from '../../libs/pipeline/src/stage-reference.js';

const path = new URL('../../docs/pipelines.md', import.meta.url);
writeFileSync(path, withStageReference(readFileSync(path, 'utf8')));
