/*
 * The values self-assessment's page script: ipywidgets in the browser, talking
 * to the kernel Voila started (or took from its pre-heated pool) for this page.
 *
 * Why not Voila's own front end: it boots a JupyterLab application (about 100
 * files, 5 MB of scripts) before the first widget shows; on a small laptop
 * that alone took over a second.  This page needs only the widget manager,
 * the standard controls and a kernel connection: one script.
 *
 * Only ipywidgets 8 models (@jupyter-widgets/base and controls 2.0.0) are
 * known; anything else shows Voila's usual error widget in its place.
 */
import * as base from '@jupyter-widgets/base';
import { ManagerBase } from '@jupyter-widgets/base-manager';
import * as controls from '@jupyter-widgets/controls';
import { CommsOverSubshells } from '@jupyterlab/services/lib/kernel/comm';
import { KernelConnection } from '@jupyterlab/services/lib/kernel/default';
import { ServerConnection } from '@jupyterlab/services/lib/serverconnection';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import '@lumino/widgets/style/index.css';
import '@jupyter-widgets/base/css/index.css';
import '@jupyter-widgets/controls/css/widgets-base.css';

const WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json';
const MODULES = { '@jupyter-widgets/base': base, '@jupyter-widgets/controls': controls };

class KernelWidgetManager extends ManagerBase {
  constructor(kernel) {
    super();
    this.kernel = kernel;
    this.views = new Set();
    kernel.registerCommTarget(this.comm_target_name, async (comm, msg) => {
      await this.handle_comm_open(new base.shims.services.Comm(comm), msg);
    });
    window.addEventListener('resize', () => {
      this.views.forEach((view) => MessageLoop.postMessage(view.luminoWidget, Widget.ResizeMessage.UnknownSize));
    });
  }

  async loadClass(className, moduleName, moduleVersion) {
    const module = MODULES[moduleName];
    if (module === undefined || !moduleVersion.startsWith('2.')) {
      throw new Error(`this page does not know ${moduleName} ${moduleVersion}`);
    }
    if (module[className] === undefined) {
      throw new Error(`${moduleName} has no ${className}`);
    }
    return module[className];
  }

  async display_view(view, el) {
    Widget.attach(view.luminoWidget, el);
    this.views.add(view);
    view.once('remove', () => this.views.delete(view));
  }

  async _create_comm(targetName, modelId, data, metadata, buffers) {
    const comm = this.kernel.createComm(targetName, modelId);
    if (data || metadata) {
      comm.open(data, metadata, buffers);
    }
    return new base.shims.services.Comm(comm);
  }

  async _get_comm_info() {
    const reply = await this.kernel.requestCommInfo({ target_name: this.comm_target_name });
    return reply.content.status === 'ok' ? reply.content.comms : {};
  }
}

function xsrfToken() {
  const found = document.cookie.match('\\b_xsrf=([^;]*)\\b');
  return found ? found[1] : '';
}

let shown = false;

function showPage() {
  shown = true;
  const loading = document.getElementById('loading');
  if (loading) {
    loading.remove();
  }
  const cells = document.getElementById('rendered_cells');
  if (cells) {
    cells.style.display = '';
  }
}

function showFailure() {
  if (shown) {
    return;
  }
  const text = document.querySelector('#loading .wb-loading-text');
  const spinner = document.querySelector('#loading .wb-spinner');
  if (spinner) {
    spinner.remove();
  }
  if (text) {
    text.textContent = 'This page could not load. Your saved answers are safe: please reload the page.';
  }
}

// Without a kernel the page cannot work: say so instead of spinning for ever.
// (The kernel connection retries for up to two minutes on its own.)
const CONNECT_TIMEOUT_MS = window.WB_CONNECT_TIMEOUT_MS || 20000;

async function main() {
  window.setTimeout(showFailure, CONNECT_TIMEOUT_MS);
  const config = JSON.parse(document.getElementById('jupyter-config-data').textContent);
  const baseUrl = new URL(config.baseUrl, window.location.href).href;
  const serverSettings = ServerConnection.makeSettings({
    baseUrl,
    wsUrl: baseUrl.replace(/^http/, 'ws'),
    appendToken: false,
  });
  const kernel = new KernelConnection({
    model: { id: config.kernelId, name: 'python3' },
    serverSettings,
    handleComms: true,
    // Voila's websocket lets through comm and kernel-info messages only.
    commsOverSubshells: CommsOverSubshells.Disabled,
  });
  // Asking the server about this page's kernel, alongside the websocket: a
  // kernel already gone (culled, server restarted) is said at once, and the
  // reply sets the _xsrf cookie that the shutdown below must send.
  fetch(`${config.baseUrl}api/kernels/${config.kernelId}`, { credentials: 'same-origin', cache: 'no-store' })
    .then((reply) => {
      if (reply.status === 404) {
        showFailure();
      }
    })
    .catch(() => { /* offline for a moment: the websocket will tell */ });
  // A closed tab gives its kernel back at once, as Voila's own page does.
  window.addEventListener('beforeunload', () => {
    const form = new FormData();
    form.append('_xsrf', xsrfToken());
    navigator.sendBeacon(`${config.baseUrl}voila/api/shutdown/${config.kernelId}`, form);
  });
  kernel.connectionStatusChanged.connect((_kernel, status) => {
    if (status === 'disconnected') {
      showFailure(); // the retries are used up
    }
  });
  const manager = new KernelWidgetManager(kernel);
  await manager._loadFromKernel();
  const outputs = document.querySelectorAll('script[type="application/vnd.voila.cell-output+json"]');
  for (const tag of Array.from(outputs)) {
    const output = JSON.parse(tag.textContent);
    const view = output.data && output.data[WIDGET_VIEW];
    if (!view || !manager.has_model(view.model_id)) {
      continue;
    }
    const host = document.createElement('div');
    host.className = 'jp-OutputArea-output';
    tag.after(host);
    const model = await manager.get_model(view.model_id);
    await manager.display_view(await manager.create_view(model), host);
  }
  showPage();
}

main().catch((error) => {
  console.error('workbook: the page could not start', error);
  showFailure();
});
