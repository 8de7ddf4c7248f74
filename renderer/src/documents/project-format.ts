/**
 * The project file: layout, generation settings, gallery history and saved layouts, versioned.
 * Files are JSON with typed arrays as tagged base64 (shared/wire.ts), read through `migrate`
 * (each older version steps up one version at a time) and then the current zod schema.
 *
 * v1: layout + model + settings only.  v2: + classes used by the layout (so another model can
 * map them by name), gallery, saved layouts, seed lock.  v3 (current): + the last batch's plan and
 * rows, so Resume survives a restart, a reload or a crash (through autosave).
 */
import { z } from 'zod';
import { describeIssues } from '../../../shared/manifest.ts';
import { BatchItemSchema, GenerationResultSchema, GenerationSettingsSchema, LabelMapSchema, OutpaintSummarySchema } from '../../../shared/protocol.ts';
import { decodeWire, encodeWire } from '../../../shared/wire.ts';
import { TesseraError } from '../../../shared/errors.ts';

export const PROJECT_FORMAT = 'tessera-project';
export const PROJECT_VERSION = 3;

const ClassSchema = z.strictObject({ id: z.number().int(), name: z.string(), color: z.string() });

export const GalleryEntrySchema = z.strictObject({
  id: z.string(),
  createdAt: z.number(),
  kind: z.enum(['generate', 'batch', 'inpaint', 'resample', 'outpaint']),
  modelId: z.string(),
  modelName: z.string(),
  modelVersion: z.string().optional(),
  inpaintOptions: z.strictObject({ dilation: z.number().int().nonnegative(), blend: z.number().int().nonnegative(), keepOutside: z.boolean() }).optional(),
  outpaint: OutpaintSummarySchema.optional(),
  layout: LabelMapSchema,
  result: GenerationResultSchema,
  label: z.string().optional(),
  file: z.string().optional(),
});

export const ProjectSchema = z.strictObject({
  format: z.literal(PROJECT_FORMAT),
  version: z.literal(PROJECT_VERSION),
  name: z.string().max(200),
  savedAt: z.number(),
  modelId: z.string().nullable(),
  classes: z.array(ClassSchema),
  layout: LabelMapSchema,
  settings: GenerationSettingsSchema,
  seedLocked: z.boolean(),
  gallery: z.array(GalleryEntrySchema),
  savedLayouts: z.array(z.strictObject({ id: z.string(), name: z.string(), layout: LabelMapSchema })),
  /** The last batch (renderer/src/state/batch-slice.ts BatchPlan) and its rows: what Resume needs. */
  batch: z
    .strictObject({
      plan: z.strictObject({
        modelId: z.string(),
        layouts: z.array(z.strictObject({ name: z.string(), layout: LabelMapSchema })),
        seeds: z.array(z.number().int().nonnegative()),
        settings: GenerationSettingsSchema,
        folder: z.string(),
      }),
      items: z.array(BatchItemSchema),
    })
    .optional(),
});
export type Project = z.infer<typeof ProjectSchema>;

const ProjectV1Schema = z.object({
  format: z.literal(PROJECT_FORMAT),
  version: z.literal(1),
  name: z.string(),
  modelId: z.string().nullable(),
  layout: LabelMapSchema,
  settings: GenerationSettingsSchema,
});

/** One step per old version: vN → vN+1. */
const MIGRATIONS: Record<number, (old: unknown) => unknown> = {
  1: (old) => {
    const v1 = ProjectV1Schema.parse(old);
    return { ...v1, version: 2, savedAt: 0, classes: [], seedLocked: false, gallery: [], savedLayouts: [] };
  },
  // v3 only adds the optional batch.
  2: (old) => ({ ...(old as object), version: 3 }),
};

export function migrate(json: unknown): unknown {
  let current = json;
  for (;;) {
    if (typeof current !== 'object' || current === null) throw new TesseraError('BAD_INPUT', 'This is not a Tessera project file.');
    const { format, version } = current as { format?: unknown; version?: unknown };
    if (format !== PROJECT_FORMAT) throw new TesseraError('BAD_INPUT', 'This is not a Tessera project file (no "tessera-project" format tag).');
    if (typeof version !== 'number') throw new TesseraError('BAD_INPUT', 'The project file has no version.');
    if (version === PROJECT_VERSION) return current;
    if (version > PROJECT_VERSION) throw new TesseraError('BAD_INPUT', `This project was saved by a newer Tessera (format version ${version}; this one reads up to ${PROJECT_VERSION}).`);
    const step = MIGRATIONS[version];
    if (!step) throw new TesseraError('BAD_INPUT', `Project format version ${version} is no longer supported.`);
    current = step(current);
  }
}

export function parseProject(value: unknown): Project {
  const migrated = migrate(value);
  const parsed = ProjectSchema.safeParse(migrated);
  if (!parsed.success) throw new TesseraError('BAD_INPUT', `The project file is damaged:\n${describeIssues(parsed.error)}`);
  return parsed.data;
}

export function serialiseProject(project: Project): string {
  return encodeWire(project);
}

export function deserialiseProject(text: string): Project {
  let json: unknown;
  try {
    json = decodeWire(text);
  } catch {
    throw new TesseraError('BAD_INPUT', 'The project file is not valid JSON.');
  }
  return parseProject(json);
}
