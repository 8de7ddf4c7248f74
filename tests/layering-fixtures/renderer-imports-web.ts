// A renderer file that reaches for the in-page engine by import instead of starting its Worker by URL.
import '../web/worker/engine-worker.ts';
import { createCoreEngineHost } from '../engine/host/engine-host.ts';
import * as ort from 'onnxruntime-web';

export const broken = [createCoreEngineHost, ort];
