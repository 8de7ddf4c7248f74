/**
 * The CLI's commands, one file each. To add one (e.g. batch, inpaint): write
 * `commands/<name>.ts` exporting `register<Name>(program)`, and add it to this list.
 */
import type { Command } from 'commander';
import { registerBatch } from './batch.ts';
import { registerBench } from './bench.ts';
import { registerGenerate } from './generate.ts';
import { registerInpaint } from './inpaint.ts';
import { registerModels } from './models.ts';
import { registerOutpaint } from './outpaint.ts';
import { registerWorker } from './worker.ts';

export const COMMANDS: Array<(program: Command) => void> = [registerGenerate, registerBatch, registerInpaint, registerOutpaint, registerModels, registerBench, registerWorker];
