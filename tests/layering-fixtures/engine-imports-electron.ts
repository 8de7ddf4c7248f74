// An engine-core file that breaks the layering: the engine runs without electron, Node and the DOM.
import { ipcRenderer } from 'electron';
import { writeFileSync } from 'node:fs';
import { startSession } from './node/ort.ts';
import { Xoshiro128 } from '../shared/prng.ts';

export const broken = [ipcRenderer, writeFileSync, startSession, Xoshiro128];
