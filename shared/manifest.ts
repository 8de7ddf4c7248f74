/**
 * The model bundle manifest: the one description of a bundle that the toolkit (Python) writes
 * and the engine (TypeScript) reads. `training/` validates against the JSON Schema generated
 * from this file (`npm run schema` → shared/schema/bundle-manifest.schema.json).
 */
import { z } from 'zod';
import { PARALLEL_ORDERS } from './parallel-schedule.ts';

export const BUNDLE_FORMAT = 'tessera-bundle';
export const BUNDLE_FORMAT_VERSION = 1;

const hexColour = z
  .string()
  // Explicit character classes (not the `i` flag) so the generated JSON Schema keeps the same rule.
  .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour written as #rrggbb');

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hexadecimal digits (a sha256)');

/** A relative path inside the bundle folder: no absolute paths, no `..`, forward slashes. */
const bundlePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !/^[a-zA-Z]:/.test(p) && !p.split(/[\\/]/).includes('..'), {
    message: 'must be a relative path inside the bundle folder',
  });

export const BundleFileSchema = z.strictObject({
  path: bundlePath,
  sha256,
  bytes: z.number().int().positive(),
});
export type BundleFile = z.infer<typeof BundleFileSchema>;

export const ModelClassSchema = z.strictObject({
  id: z.number().int().min(0).max(254),
  name: z.string().min(1).max(64),
  color: hexColour,
});
export type ModelClass = z.infer<typeof ModelClassSchema>;

const tensorName = z.string().min(1).max(128);

/**
 * Names of the graph inputs and outputs. The transformer's cache tensors are named by a
 * template containing `{i}` for the layer index, e.g. `past_key_{i}`.
 */
export const TensorNamesSchema = z.strictObject({
  condEncoder: z.strictObject({ labels: tensorName, tokens: tensorName }),
  imageEncoder: z.strictObject({ image: tensorName, tokens: tensorName }),
  imageDecoder: z.strictObject({ tokens: tensorName, image: tensorName }),
  transformer: z.strictObject({
    inputIds: tensorName,
    logits: tensorName,
    /**
     * Present in graphs whose KV cache stays in place (int64 scalar: the valid positions in the
     * fixed-capacity past buffers). Then presentKey/presentValue name the keys and values of the new
     * positions only ([B,heads,S,headDim]); without it they are the whole grown cache
     * ([B,heads,P+S,headDim], `present = concat(past, new)`).
     */
    pastLength: tensorName.optional(),
    /**
     * Present (with keyValid) in graphs whose in-place cache is addressed by position
     * (training/positions_cache_graph.py), which all three samplers run on and `parallel` needs:
     * position_ids int64 [B,S] (each new token's position; its keys and values go to that slot)
     * and key_valid int64 [B,capacity] (1: the slot holds a key that may be attended). New tokens
     * attend valid slots before their position and new tokens at positions up to their own.
     */
    positionIds: tensorName.optional(),
    keyValid: tensorName.optional(),
    pastKey: tensorName.includes('{i}'),
    pastValue: tensorName.includes('{i}'),
    presentKey: tensorName.includes('{i}'),
    presentValue: tensorName.includes('{i}'),
  }),
});
export type TensorNames = z.infer<typeof TensorNamesSchema>;

/** Largest `lead` accepted: with a lead at least the grid width every row waits for the row above. */
export const MAX_LEAD = 256;

export const SamplerDefaultsSchema = z.strictObject({
  temperature: z.number().positive().max(10),
  topK: z.number().int().min(0),
  topP: z.number().gt(0).max(1),
  sampler: z.enum(['exact', 'cached', 'parallel']),
  stride: z.number().int().min(1),
  /** The parallel sampler's lead: columns a row must be ahead of the row below it (docs/SAMPLING.md). */
  lead: z.number().int().min(1).max(MAX_LEAD).optional(),
  /** How the parallel sampler's bands overlap (shared/parallel-schedule.ts); absent: `bands`, 2.x's order. */
  parallelOrder: z.enum(PARALLEL_ORDERS).optional(),
});
export type SamplerDefaults = z.infer<typeof SamplerDefaultsSchema>;

/** Powers of two, listed so that the JSON Schema carries the rule as an enum. */
const GRID_FACTORS = [2, 4, 8, 16, 32, 64] as const;

export const ManifestSchema = z
  .strictObject({
    format: z.literal(BUNDLE_FORMAT),
    formatVersion: z.literal(BUNDLE_FORMAT_VERSION),
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be lowercase letters, digits, ".", "_" or "-"'),
    name: z.string().min(1).max(120),
    version: z.string().min(1).max(32),
    license: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    source: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('trained'), toolkitVersion: z.string(), dataset: z.string(), notes: z.string().optional() }),
      z.strictObject({ kind: z.literal('converted'), checkpoint: z.string(), globalStep: z.number().int().nullable(), notes: z.string().optional() }),
      z.strictObject({ kind: z.literal('fixture'), notes: z.string().optional() }),
    ]),
    classes: z.array(ModelClassSchema).min(1).max(255),
    /** Pixels per token side: 16 in the paper (f16), 8 for f8 models. */
    gridFactor: z.union(GRID_FACTORS.map((f) => z.literal(f)), { error: 'must be a power of two from 2 to 64 (8 or 16 for taming models)' }),
    /** The transformer's attention window in tokens (16×16 in the paper). */
    window: z.strictObject({ rows: z.number().int().min(1).max(64), cols: z.number().int().min(1).max(64) }),
    vocab: z.strictObject({
      /** Codebook size of the image VQGAN: image tokens are in [0, image). */
      image: z.number().int().min(2).max(65536),
      /** Codebook size of the segmentation VQGAN: cond tokens are in [0, cond). */
      cond: z.number().int().min(2).max(65536),
    }),
    transformer: z.strictObject({
      layers: z.number().int().min(1).max(128),
      heads: z.number().int().min(1).max(128),
      width: z.number().int().min(8).max(16384),
      blockSize: z.number().int().min(2).max(65536),
      /** Width of the logits and of the embedding table; ≥ both codebooks (taming shares one table). */
      vocabSize: z.number().int().min(2).max(65536),
    }),
    files: z.strictObject({
      condEncoder: BundleFileSchema,
      imageEncoder: BundleFileSchema,
      imageDecoder: BundleFileSchema,
      transformer: BundleFileSchema,
      /** Optional dynamic-int8 variant of the transformer (same tensor names). */
      transformerInt8: BundleFileSchema.optional(),
    }),
    tensors: TensorNamesSchema,
    /** Mean RGB colour each image code decodes to, as 6 hex digits per code: an instant preview. */
    // The length bound comes first and stops the check: a repeated group over megabytes of text
    // backtracks until V8's regexp stack overflows (a RangeError, not a validation message).
    previewColors: z
      .string()
      .max(6 * 65536, { abort: true, message: 'must be 6 hex digits per image code (at most 65536 codes)' })
      .regex(/^(?:[0-9a-fA-F]{6})+$/, 'must be 6 hex digits per image code')
      .optional(),
    defaults: SamplerDefaultsSchema.optional(),
  })
  .superRefine((m, ctx) => {
    const seenIds = new Map<number, number>();
    const seenColours = new Map<string, number>();
    const seenNames = new Map<string, number>();
    m.classes.forEach((c, index) => {
      const dupId = seenIds.get(c.id);
      if (dupId !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['classes', index, 'id'], message: `duplicate class id ${c.id} (also used by classes[${dupId}])` });
      }
      seenIds.set(c.id, index);
      const colour = c.color.toLowerCase();
      const dupColour = seenColours.get(colour);
      if (dupColour !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['classes', index, 'color'], message: `duplicate class colour ${colour} (also used by classes[${dupColour}]): colours must identify classes exactly` });
      }
      seenColours.set(colour, index);
      const dupName = seenNames.get(c.name);
      if (dupName !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['classes', index, 'name'], message: `duplicate class name "${c.name}" (also used by classes[${dupName}])` });
      }
      seenNames.set(c.name, index);
    });
    // Class ids are label-map values, so they must be 0..N-1 without gaps: the cond encoder's one-hot has N channels.
    const ids = m.classes.map((c) => c.id).sort((a, b) => a - b);
    if (seenIds.size === m.classes.length && ids.some((id, i) => id !== i)) {
      ctx.addIssue({ code: 'custom', path: ['classes'], message: `class ids must be 0..${m.classes.length - 1} without gaps` });
    }
    const needed = 2 * m.window.rows * m.window.cols;
    if (needed > m.transformer.blockSize) {
      ctx.addIssue({
        code: 'custom',
        path: ['window'],
        message: `a ${m.window.rows}×${m.window.cols} window needs 2·${m.window.rows}·${m.window.cols} = ${needed} positions, more than the transformer's block size ${m.transformer.blockSize}`,
      });
    }
    if (m.transformer.width % m.transformer.heads !== 0) {
      ctx.addIssue({ code: 'custom', path: ['transformer', 'heads'], message: `width ${m.transformer.width} is not divisible by ${m.transformer.heads} heads` });
    }
    if (m.vocab.image > m.transformer.vocabSize || m.vocab.cond > m.transformer.vocabSize) {
      ctx.addIssue({
        code: 'custom',
        path: ['transformer', 'vocabSize'],
        message: `transformer vocabulary ${m.transformer.vocabSize} is smaller than a codebook (image ${m.vocab.image}, cond ${m.vocab.cond})`,
      });
    }
    if (m.previewColors !== undefined && m.previewColors.length !== 6 * m.vocab.image) {
      ctx.addIssue({
        code: 'custom',
        path: ['previewColors'],
        message: `has ${m.previewColors.length / 6} colours, but the image codebook has ${m.vocab.image} codes`,
      });
    }
    const t = m.tensors.transformer;
    if ((t.positionIds === undefined) !== (t.keyValid === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['tensors', 'transformer'], message: 'positionIds and keyValid come together (a positions-cache graph has both inputs)' });
    }
    if (t.positionIds !== undefined && t.pastLength !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['tensors', 'transformer', 'pastLength'], message: 'a positions-cache graph (positionIds) has no pastLength input' });
    }
    if (m.defaults && m.defaults.stride > m.window.cols) {
      ctx.addIssue({ code: 'custom', path: ['defaults', 'stride'], message: `stride ${m.defaults.stride} is wider than the window (${m.window.cols} columns)` });
    }
  });
export type Manifest = z.infer<typeof ManifestSchema>;

/** At most this many issues, each at most this long: a message is for reading, not a dump of the input. */
const MAX_ISSUES = 20;
const MAX_ISSUE_CHARS = 300;

/**
 * Formats zod issues as `field.path: message` lines, naming the field as the user wrote it. A
 * manifest with a million bad entries (or 100,000 unknown keys in one issue) still gets a message
 * of a few lines: the first issues, shortened, and how many more there were.
 */
export function describeIssues(error: z.ZodError): string {
  const lines = error.issues.slice(0, MAX_ISSUES).map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    const line = `${path === '' ? '(root)' : path}: ${issue.message}`;
    return line.length > MAX_ISSUE_CHARS ? `${line.slice(0, MAX_ISSUE_CHARS)}… (${line.length} characters)` : line;
  });
  if (error.issues.length > MAX_ISSUES) lines.push(`… and ${error.issues.length - MAX_ISSUES} more problems`);
  return lines.join('\n');
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

export function parseManifest(json: unknown): ParseResult<Manifest> {
  const result = ManifestSchema.safeParse(json);
  return result.success ? { ok: true, value: result.data } : { ok: false, message: describeIssues(result.error) };
}

/** Decodes `previewColors` into an RGB byte table (3 bytes per code). */
export function previewColorTable(manifest: Manifest): Uint8Array | null {
  const hex = manifest.previewColors;
  if (hex === undefined) return null;
  const table = new Uint8Array(hex.length / 2);
  for (let i = 0; i < table.length; i++) table[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return table;
}
