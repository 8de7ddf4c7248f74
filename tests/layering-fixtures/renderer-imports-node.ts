// A renderer file that breaks the layering: the renderer must not touch Node, electron or the engine.
import { readFileSync } from 'node:fs';
import { app } from 'electron';
import { createEngine } from '../engine/engine.ts';

export const broken = [readFileSync, app, createEngine];
