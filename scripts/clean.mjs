// Remove build output so a renamed or deleted command never lingers in dist/ or the manifest.
import {rmSync} from 'node:fs'
for (const path of ['dist', 'oclif.manifest.json']) rmSync(path, {recursive: true, force: true})
