import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseManifest, previewColorTable, type Manifest } from './manifest.ts';

const sha = 'a'.repeat(64);
const file = (path: string) => ({ path, sha256: sha, bytes: 1234 });

function validManifest(): Manifest {
  return {
    format: 'tessera-bundle',
    formatVersion: 1,
    id: 'test-model',
    name: 'Test model',
    version: '1.0.0',
    license: 'MIT',
    source: { kind: 'trained', toolkitVersion: '0.1.0', dataset: 'procedural landscapes' },
    classes: [
      { id: 0, name: 'sky', color: '#87ceeb' },
      { id: 1, name: 'water', color: '#1e4d8c' },
      { id: 2, name: 'grass', color: '#4caf50' },
    ],
    gridFactor: 16,
    window: { rows: 16, cols: 16 },
    vocab: { image: 4, cond: 2 },
    transformer: { layers: 2, heads: 2, width: 32, blockSize: 512, vocabSize: 4 },
    files: {
      condEncoder: file('cond_encoder.onnx'),
      imageEncoder: file('image_encoder.onnx'),
      imageDecoder: file('image_decoder.onnx'),
      transformer: file('transformer.onnx'),
    },
    tensors: {
      condEncoder: { labels: 'labels', tokens: 'tokens' },
      imageEncoder: { image: 'image', tokens: 'tokens' },
      imageDecoder: { tokens: 'tokens', image: 'image' },
      transformer: {
        inputIds: 'input_ids',
        logits: 'logits',
        pastKey: 'past_key_{i}',
        pastValue: 'past_value_{i}',
        presentKey: 'present_key_{i}',
        presentValue: 'present_value_{i}',
      },
    },
    previewColors: '000000ffffff112233445566',
  };
}

/** Applies a mutation to a fresh valid manifest and returns the error message (or null). */
function rejection(mutate: (m: Record<string, unknown> & Manifest) => void): string | null {
  const m = structuredClone(validManifest()) as Record<string, unknown> & Manifest;
  mutate(m);
  const result = parseManifest(m);
  return result.ok ? null : result.message;
}

describe('bundle manifest schema', () => {
  it('accepts a valid manifest and decodes its preview colours', () => {
    const result = parseManifest(validManifest());
    expect(result.ok).toBe(true);
    if (result.ok) expect([...(previewColorTable(result.value) ?? [])].slice(0, 6)).toEqual([0, 0, 0, 255, 255, 255]);
  });

  it('rejects a missing file entry, naming it', () => {
    const message = rejection((m) => {
      delete (m.files as Partial<Manifest['files']>).imageDecoder;
    });
    expect(message).toMatch(/^files\.imageDecoder:/m);
  });

  it('rejects a bad sha256, naming the file', () => {
    const message = rejection((m) => {
      m.files.transformer.sha256 = 'xyz';
    });
    expect(message).toMatch(/files\.transformer\.sha256: .*sha256/);
  });

  it('rejects a class colour that is not #rrggbb', () => {
    const message = rejection((m) => {
      (m.classes[1] as { color: string }).color = 'blue';
    });
    expect(message).toMatch(/classes\[1\]\.color: must be a colour written as #rrggbb/);
  });

  it('rejects duplicate class ids', () => {
    const message = rejection((m) => {
      (m.classes[2] as { id: number }).id = 0;
    });
    expect(message).toMatch(/classes\[2\]\.id: duplicate class id 0/);
  });

  it('rejects duplicate class colours, case-insensitively', () => {
    const message = rejection((m) => {
      (m.classes[2] as { color: string }).color = '#87CEEB';
    });
    expect(message).toMatch(/classes\[2\]\.color: duplicate class colour #87ceeb/);
  });

  it('rejects a window larger than the block size allows', () => {
    const message = rejection((m) => {
      m.transformer.blockSize = 511;
    });
    expect(message).toMatch(/window: a 16×16 window needs 2·16·16 = 512 positions, more than the transformer's block size 511/);
  });

  it('accepts the three transformer graph kinds, a parallel default with a lead, and rejects mixed kinds', () => {
    const positions = { positionIds: 'position_ids', keyValid: 'key_valid', presentKey: 'new_key_{i}', presentValue: 'new_value_{i}' };
    expect(
      rejection((m) => {
        Object.assign(m.tensors.transformer, positions);
        m.defaults = { temperature: 1, topK: 100, topP: 1, sampler: 'parallel', stride: 16, lead: 2 };
      }),
    ).toBeNull();
    expect(rejection((m) => void (m.tensors.transformer.pastLength = 'past_length'))).toBeNull();
    expect(rejection((m) => void (m.tensors.transformer.positionIds = 'position_ids'))).toMatch(/tensors\.transformer: positionIds and keyValid come together/);
    expect(
      rejection((m) => {
        Object.assign(m.tensors.transformer, positions, { pastLength: 'past_length' });
      }),
    ).toMatch(/tensors\.transformer\.pastLength: a positions-cache graph \(positionIds\) has no pastLength input/);
    expect(rejection((m) => void (m.defaults = { temperature: 1, topK: 100, topP: 1, sampler: 'parallel', stride: 16, lead: 0 }))).toMatch(/defaults\.lead/);
  });

  it('accepts both parallel orders and names the field when the order is unknown', () => {
    for (const parallelOrder of ['bands', 'wavefront'] as const) {
      expect(rejection((m) => void (m.defaults = { temperature: 1, topK: 100, topP: 1, sampler: 'parallel', stride: 8, lead: 2, parallelOrder }))).toBeNull();
    }
    const bad = { temperature: 1, topK: 100, topP: 1, sampler: 'parallel', stride: 8, parallelOrder: 'diagonal' } as unknown as NonNullable<Manifest['defaults']>;
    expect(rejection((m) => void (m.defaults = bad))).toMatch(/defaults\.parallelOrder/);
  });

  it('rejects a grid factor that is not a power of two', () => {
    expect(rejection((m) => void ((m as { gridFactor: number }).gridFactor = 12))).toMatch(/gridFactor: must be a power of two/);
    expect(rejection((m) => void ((m as { gridFactor: number }).gridFactor = 0))).toMatch(/gridFactor:/);
  });

  it('rejects gaps in class ids, unknown keys, path escapes and codebooks larger than the vocabulary', () => {
    expect(rejection((m) => void ((m.classes[2] as { id: number }).id = 5))).toMatch(/classes: class ids must be 0\.\.2/);
    expect(rejection((m) => void (m.extra = 1))).toMatch(/Unrecognized key/);
    expect(rejection((m) => void (m.files.transformer.path = '../../etc/passwd'))).toMatch(/files\.transformer\.path: must be a relative path/);
    expect(rejection((m) => void (m.vocab.image = 8))).toMatch(/transformer\.vocabSize/);
    expect(rejection((m) => void (m.previewColors = '000000'))).toMatch(/previewColors: has 1 colours, but the image codebook has 4 codes/);
    expect(rejection((m) => void (m.transformer.heads = 3))).toMatch(/transformer\.heads: width 32 is not divisible by 3 heads/);
  });

  // Found by the bad-input corpus (scripts/fuzz, bundle/json-bomb): a 4 MB previewColors whose
  // length is not a multiple of 6 overflowed V8's regexp stack and surfaced as INTERNAL.
  it('refuses megabytes of previewColors with a message, not a stack overflow', () => {
    expect(rejection((m) => void (m.previewColors = 'ab'.repeat(2 * 1024 * 1024)))).toMatch(/^previewColors: must be 6 hex digits per image code \(at most 65536 codes\)$/);
    expect(rejection((m) => void (m.previewColors = `${'a'.repeat(6 * 65536 - 1)}`))).toMatch(/previewColors: must be 6 hex digits per image code$/m);
  });

  // Found by the corpus too: 100,000 unknown keys made a 1 MB error message; 200 empty classes 600 lines.
  it('keeps the message of a huge invalid manifest to a few short lines', () => {
    const keys = rejection((m) => {
      for (let i = 0; i < 100_000; i++) (m.files as unknown as Record<string, number>)[`k${i}`] = i;
    });
    expect(keys?.length).toBeLessThan(400);
    expect(keys).toMatch(/^files: Unrecognized keys: "k0", "k1".*… \(\d+ characters\)$/);
    const classes = rejection((m) => void ((m as { classes: unknown[] }).classes = Array.from({ length: 200 }, () => ({}))));
    expect(classes?.split('\n')).toHaveLength(21);
    expect(classes).toMatch(/… and \d+ more problems$/);
  });

  it('keeps the generated JSON Schema in step with the zod schema', () => {
    const schema = JSON.parse(readFileSync(new URL('./schema/bundle-manifest.schema.json', import.meta.url), 'utf8')) as { required: string[] };
    expect(schema.required).toEqual(expect.arrayContaining(['format', 'classes', 'gridFactor', 'window', 'vocab', 'transformer', 'files', 'tensors']));
  });
});
