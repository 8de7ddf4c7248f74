import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../state/generation-slice.ts';
import type { Project } from './project-format.ts';
import { deserialiseProject, parseProject, PROJECT_VERSION, serialiseProject } from './project-format.ts';

const layout = { width: 4, height: 2, data: Uint8Array.from([0, 1, 2, 3, 3, 2, 1, 0]) };

function project(): Project {
  const image = { width: 4, height: 2, rgba: new Uint8Array(32).fill(7) };
  return {
    format: 'tessera-project',
    version: PROJECT_VERSION,
    name: 'Lake',
    savedAt: 123,
    modelId: 'tiny',
    classes: [{ id: 0, name: 'sky', color: '#0000ff' }],
    layout,
    settings: DEFAULT_SETTINGS,
    seedLocked: true,
    gallery: [
      {
        id: 'r1',
        createdAt: 1,
        kind: 'generate',
        modelId: 'tiny',
        modelName: 'Tiny',
        layout,
        result: {
          jobId: 'j',
          image,
          tokens: new Uint16Array([1, 2]),
          entropy: new Float32Array([0.5, 1.5]),
          grid: { rows: 1, cols: 2 },
          settings: DEFAULT_SETTINGS,
          modelId: 'tiny',
          backend: 'cpu',
          seconds: 1,
        },
      },
    ],
    savedLayouts: [],
  };
}

describe('project files', () => {
  it('round-trips through the file format with typed arrays intact', () => {
    const back = deserialiseProject(serialiseProject(project()));
    expect(back.layout.data).toEqual(layout.data);
    expect(back.gallery[0]?.result.entropy).toBeInstanceOf(Float32Array);
    expect(back.gallery[0]?.result.tokens).toEqual(new Uint16Array([1, 2]));
    expect(back.name).toBe('Lake');
  });

  it('migrates a v1 file (layout and settings only) to the current version', () => {
    const v1 = { format: 'tessera-project', version: 1, name: 'Old', modelId: null, layout, settings: DEFAULT_SETTINGS };
    const p = parseProject(v1);
    expect(p.version).toBe(PROJECT_VERSION);
    expect(p.gallery).toEqual([]);
    expect(p.layout.data).toEqual(layout.data);
  });

  it('keeps the last batch (plan and rows) so Resume survives a restart; a v2 file opens without one', () => {
    const batch = {
      plan: { modelId: 'tiny', layouts: [{ name: 'lake', layout }], seeds: [3, 4], settings: DEFAULT_SETTINGS, folder: 'lakes' },
      items: [
        { layout: 'lake', seed: 3, state: 'done' as const, file: 'lake-seed3.png' },
        { layout: 'lake', seed: 4, state: 'pending' as const },
      ],
    };
    const back = deserialiseProject(serialiseProject({ ...project(), batch }));
    expect(back.batch?.plan.layouts[0]?.layout.data).toEqual(layout.data);
    expect(back.batch?.items.map((i) => i.state)).toEqual(['done', 'pending']);
    const v2 = { ...project(), version: 2 };
    const opened = parseProject(v2);
    expect(opened.version).toBe(3);
    expect(opened.batch).toBeUndefined();
  });

  it('explains files it cannot read', () => {
    expect(() => parseProject({ format: 'tessera-project', version: 99 })).toThrow(/newer Tessera/);
    expect(() => parseProject({ hello: 1 })).toThrow(/not a Tessera project/);
    expect(() => deserialiseProject('{')).toThrow(/not valid JSON/);
    expect(() => parseProject({ ...project(), layout: { width: 3, height: 3, data: new Uint8Array(2) } })).toThrow(/layout\.data/);
  });
});
