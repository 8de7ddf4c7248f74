// A web/ (in-page engine) file that breaks the layering: the page has no Node, no engine/node/
// adapters, no electron and no React. The core, onnxruntime-web and fflate are its to use.
import { readFile } from 'node:fs/promises';
import { createNodeEngine } from '../engine/node/create-node-engine.ts';
import { ipcRenderer } from 'electron';
import React from 'react';
import { createEngine } from '../engine/engine.ts';
import * as ort from 'onnxruntime-web/webgpu';
import { zipSync } from 'fflate';

export const broken = [readFile, createNodeEngine, ipcRenderer, React, createEngine, ort, zipSync];
