/** Store ⇄ project document. */
import type { StudioStore } from '../state/store.ts';
import type { Project } from './project-format.ts';
import { PROJECT_FORMAT, PROJECT_VERSION } from './project-format.ts';

export function snapshotProject(store: StudioStore): Project {
  const s = store.getState();
  return {
    format: PROJECT_FORMAT,
    version: PROJECT_VERSION,
    name: s.projectName,
    savedAt: Date.now(),
    modelId: s.activeModel?.id ?? null,
    classes: s.activeModel?.classes ?? [],
    // The live map is mutated in place by painting: store a copy.
    layout: { width: s.layout.width, height: s.layout.height, data: s.layout.data.slice() },
    settings: s.settings,
    seedLocked: s.seedLocked,
    gallery: s.gallery,
    savedLayouts: s.savedLayouts,
    ...(s.batchPlan ? { batch: { plan: s.batchPlan, items: s.batchItems } } : {}),
  };
}

export function loadProjectIntoStore(store: StudioStore, project: Project): void {
  const s = store.getState();
  if (s.inpaintActive) s.exitInpaint();
  s.setProjectName(project.name);
  s.replaceLayout({ width: project.layout.width, height: project.layout.height, data: project.layout.data.slice() }, 'open project', { undoable: false });
  s.setSettings(project.settings);
  s.setSeedLocked(project.seedLocked);
  s.replaceGallery(project.gallery, project.savedLayouts);
  // The last batch comes back with its rows, so Resume makes what it did not finish.
  s.setBatchPlan(project.batch?.plan ?? null);
  s.setBatchItems(project.batch?.items ?? []);
  s.settleBatchItems();
  s.setBaseImage(project.gallery[0]?.result.image ?? null);
  s.markSaved();
}

export function summariseProject(project: Project): string {
  const results = project.gallery.length;
  return `“${project.name}”, ${project.layout.width}×${project.layout.height} layout, ${results} result${results === 1 ? '' : 's'}`;
}
