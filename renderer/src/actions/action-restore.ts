/** One-click restore of a gallery entry: its layout (undoable), seed and sampling settings. */
import type { StudioStore } from '../state/store.ts';
import type { GalleryEntry } from '../state/types.ts';
import { copyLayout } from './ids.ts';

export function restoreEntry(store: StudioStore, entry: GalleryEntry): void {
  const s = store.getState();
  if (s.inpaintActive) s.exitInpaint();
  s.replaceLayout(copyLayout(entry.layout), 'restore from gallery');
  const { decodedPreviews: _ignored, ...rest } = entry.result.settings;
  s.setSettings(rest);
  s.setSeedLocked(true);
  s.selectResult(entry.id);
  s.notify({ tone: 'info', title: 'Restored layout and settings', detail: `Seed ${entry.result.settings.seed} (locked)` });
}
