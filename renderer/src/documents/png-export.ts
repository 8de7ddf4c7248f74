/**
 * PNG export with the parameters in tEXt chunks, so an image carries how to make it again
 * ("tessera:parameters" is JSON; "Description" is a human line).
 */
import { encode } from 'fast-png';
import type { GalleryEntry } from '../state/types.ts';

export function resultMetadata(entry: GalleryEntry): Record<string, string> {
  const { settings } = entry.result;
  const parameters = {
    model: entry.modelId,
    modelName: entry.modelName,
    seed: settings.seed,
    temperature: settings.temperature,
    topK: settings.topK,
    topP: settings.topP,
    sampler: settings.sampler,
    stride: settings.stride,
    backend: entry.result.backend,
    kind: entry.kind,
    seconds: Number(entry.result.seconds.toFixed(3)),
    size: `${entry.result.image.width}x${entry.result.image.height}`,
  };
  return {
    Software: 'Tessera',
    Description: `${entry.modelName}, seed ${settings.seed}, temperature ${settings.temperature}, top-k ${settings.topK}, top-p ${settings.topP}, ${settings.sampler} sampler (stride ${settings.stride})`,
    'tessera:parameters': JSON.stringify(parameters),
  };
}

export function encodeResultPng(entry: GalleryEntry): Uint8Array {
  const { image } = entry.result;
  return encode({ width: image.width, height: image.height, data: image.rgba, channels: 4, depth: 8, text: resultMetadata(entry) });
}
