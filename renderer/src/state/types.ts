/** Types shared by the store slices (kept apart so slices can import them without cycles). */
import type { GenerationResult, GenerationSettings, ModelInfo, OutpaintSummary, RgbaImage } from '../../../shared/protocol.ts';
import type { LabelMap } from '../../../shared/labelmap.ts';

export type ToolId = 'brush' | 'line' | 'rectangle' | 'fill' | 'eraser' | 'eyedropper' | 'replace' | 'pan';

export type JobKind = 'generate' | 'batch' | 'inpaint' | 'resample' | 'outpaint';
export type JobState = 'running' | 'cancelling' | 'done' | 'failed' | 'cancelled';

export interface JobProgress {
  id: string;
  kind: JobKind;
  state: JobState;
  tokensDone: number;
  tokensTotal: number;
  tokensPerSecond: number;
  etaSeconds: number | null;
  item: { index: number; total: number } | null;
  startedAt: number;
  /** When the job ended (done, failed, cancelled): "Done in X s" is measured to here, once. */
  finishedAt: number | null;
  /** Window events seen (previews shown) for this job. */
  previewCount: number;
  error: string | null;
}

export interface Preview {
  jobId: string;
  kind: 'tokens' | 'decoded' | 'final';
  image: RgbaImage;
  seq: number;
}

/** A label map owned by the studio (its own ArrayBuffer, so it can go straight into requests). */
export interface Layout {
  width: number;
  height: number;
  data: Uint8Array<ArrayBuffer>;
}

export interface GalleryEntry {
  id: string;
  createdAt: number;
  kind: JobKind;
  modelId: string;
  modelName: string;
  /** The model's version (recorded in exported PNGs); absent in projects saved before it was kept. */
  modelVersion?: string;
  /** Inpainted results: the region options they were made with. */
  inpaintOptions?: { dilation: number; blend: number; keepOutside: boolean };
  /** Outpainted results: where the old image sat, and how the new area was sampled (the record's block). */
  outpaint?: OutpaintSummary;
  /** The layout the result was made from (a copy), for one-click restore. */
  layout: Layout;
  result: GenerationResult;
  /** For batch results: the layout's name. */
  label?: string;
  /** Where a batch wrote the file, on the engine's machine. */
  file?: string;
}

export interface SavedLayout {
  id: string;
  name: string;
  layout: Layout;
}

export interface Toast {
  id: number;
  tone: 'info' | 'error' | 'success';
  title: string;
  detail?: string;
}

export type Dialog =
  | { kind: 'recovery'; savedAt: number; summary: string }
  | { kind: 'confirmNew'; summary: string }
  | { kind: 'classMapping'; targetModel: ModelInfo; unmatched: Array<{ id: number; name: string }> }
  | null;

export type { GenerationSettings, ModelInfo, RgbaImage, LabelMap, GenerationResult };
