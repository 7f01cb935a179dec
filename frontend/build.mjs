// Builds templates/voila/workbook/static/workbook-widgets.{js,css} from src/main.js.
//
//   cd frontend && npm ci && npm run build
//
// The built files are committed, so neither the set-up nor CI needs node.
// built.json (here: not served) records what they were built from; tests/test_frontend.py
// checks it against src/main.js, package-lock.json and the kernel's ipywidgets.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'templates', 'voila', 'workbook', 'static');

function sha256(path) {
  return createHash('sha256').update(readFileSync(join(here, path))).digest('hex');
}

function version(name) {
  return JSON.parse(readFileSync(join(here, 'node_modules', name, 'package.json'), 'utf8')).version;
}

function modelVersion(file, constant) {
  const text = readFileSync(join(here, 'node_modules', file), 'utf8');
  return text.match(new RegExp(`${constant}\\s*=\\s*'([^']+)'`))[1];
}

await esbuild.build({
  entryPoints: [join(here, 'src', 'main.js')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2019',
  outfile: join(out, 'workbook-widgets.js'),
  loader: { '.svg': 'text' },
  define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
  legalComments: 'linked',
  logLevel: 'warning',
});

const manifest = {
  built_from: {
    'build.mjs': sha256('build.mjs'),
    'src/main.js': sha256('src/main.js'),
    'package-lock.json': sha256('package-lock.json'),
  },
  built: Object.fromEntries(
    ['workbook-widgets.js', 'workbook-widgets.css'].map((name) => [name, sha256(join('..', 'templates', 'voila', 'workbook', 'static', name))]),
  ),
  packages: Object.fromEntries(
    ['@jupyter-widgets/base', '@jupyter-widgets/base-manager', '@jupyter-widgets/controls', '@jupyterlab/services']
      .map((name) => [name, version(name)]),
  ),
  // The widget model versions this page can show (ipywidgets' __jupyter_widgets_*_version__).
  model_versions: {
    base: modelVersion('@jupyter-widgets/base/lib/version.js', 'JUPYTER_WIDGETS_VERSION'),
    controls: modelVersion('@jupyter-widgets/controls/lib/version.js', 'JUPYTER_CONTROLS_VERSION'),
  },
};
writeFileSync(join(here, 'built.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`built ${join(out, 'workbook-widgets.js')}`);
