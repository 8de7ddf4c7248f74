/**
 * Where the engine looks for model bundles: the default model shipped with the app, then the
 * user's models folder in userData (where users drop bundles, including converted S-FLCKR). The
 * user folder is created on start so "Help → Open Models Folder" always opens something.
 */
import path from 'node:path';

export interface ModelDirInputs {
  isPackaged: boolean;
  /** process.resourcesPath: electron-builder's extraResources put assets/models at resources/models. */
  resourcesPath: string;
  /** The repo root in development (app.getAppPath()). */
  appPath: string;
  userDataPath: string;
}

export function userModelsDir(userDataPath: string): string {
  return path.join(userDataPath, 'models');
}

export function embeddedModelsDir({ isPackaged, resourcesPath, appPath }: ModelDirInputs): string {
  return isPackaged ? path.join(resourcesPath, 'models') : path.join(appPath, 'assets', 'models');
}

export function resolveModelDirs(inputs: ModelDirInputs): { embedded: string; user: string; all: string[] } {
  const embedded = embeddedModelsDir(inputs);
  const user = userModelsDir(inputs.userDataPath);
  return { embedded, user, all: [embedded, user] };
}
