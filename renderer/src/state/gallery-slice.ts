/** Every result with the parameters and layout it came from; a selection and a comparison pick. */
import type { StateCreator } from 'zustand';
import type { Studio } from './store.ts';
import type { GalleryEntry, SavedLayout } from './types.ts';

export interface GallerySlice {
  gallery: GalleryEntry[];
  selectedId: string | null;
  compareId: string | null;
  savedLayouts: SavedLayout[];
  addResult(entry: GalleryEntry, options?: { select?: boolean }): void;
  removeResult(id: string): void;
  selectResult(id: string | null): void;
  setCompare(id: string | null): void;
  saveLayout(layout: SavedLayout): void;
  removeSavedLayout(id: string): void;
  replaceGallery(entries: GalleryEntry[], savedLayouts: SavedLayout[]): void;
}

export const createGallerySlice: StateCreator<Studio, [], [], GallerySlice> = (set) => ({
  gallery: [],
  selectedId: null,
  compareId: null,
  savedLayouts: [],
  addResult: (entry, options) =>
    set((s) => ({ gallery: [entry, ...s.gallery], selectedId: options?.select === false ? s.selectedId : entry.id })),
  removeResult: (id) =>
    set((s) => ({
      gallery: s.gallery.filter((e) => e.id !== id),
      selectedId: s.selectedId === id ? null : s.selectedId,
      compareId: s.compareId === id ? null : s.compareId,
    })),
  selectResult: (id) => set({ selectedId: id }),
  setCompare: (id) => set({ compareId: id }),
  saveLayout: (layout) => set((s) => ({ savedLayouts: [...s.savedLayouts, layout] })),
  removeSavedLayout: (id) => set((s) => ({ savedLayouts: s.savedLayouts.filter((l) => l.id !== id) })),
  replaceGallery: (entries, savedLayouts) => set({ gallery: entries, savedLayouts, selectedId: entries[0]?.id ?? null, compareId: null }),
});

export const selectSelectedEntry = (s: Studio): GalleryEntry | null => s.gallery.find((e) => e.id === s.selectedId) ?? null;
export const selectCompareEntry = (s: Studio): GalleryEntry | null => s.gallery.find((e) => e.id === s.compareId) ?? null;
