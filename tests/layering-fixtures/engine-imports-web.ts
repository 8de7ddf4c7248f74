// An engine-core file that reaches into the page's layer or its adapters: the core stays isomorphic.
import { createOrtWebRuntime } from './web/ort-web.ts';
import { chooseWebBackend } from '../web/runtime/choose-backend.ts';
import * as ort from 'onnxruntime-web';

export const broken = [createOrtWebRuntime, chooseWebBackend, ort];
