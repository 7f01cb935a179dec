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

/** The page is up but can no longer reach its kernel: say so over the page (template's #wb-reload). */
function showStopped(text) {
  const notice = document.getElementById('wb-reload');
  if (!notice) {
    return;
  }
  notice.querySelector('p').textContent = text;
  notice.hidden = false;
}

let kernelUrl = '';
const IDLE = 'This page was idle for a while and has stopped. Answers marked “Saved ✓” are kept: reload the page to carry on.';
const LOST = 'The connection to this page was lost. Your saved answers are kept: reload the page to carry on.';

/** Resolves true when the server no longer has this page's kernel (culled, or the server restarted). */
function kernelGone() {
  return fetch(kernelUrl, { credentials: 'same-origin', cache: 'no-store' }).then((reply) => reply.status === 404);
}

function showFailure() {
  if (shown) {
    // Culled for being idle (the kernel is gone: the template's own words), or
    // the connection itself was lost.
    kernelGone().then((gone) => showStopped(gone ? IDLE : LOST)).catch(() => showStopped(LOST));
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
// (The kernel connection retries for minutes on its own.)  If the page does
// come up later after all, it replaces the message.
const CONNECT_TIMEOUT_MS = window.WB_CONNECT_TIMEOUT_MS || 20000;

async function main() {
  const watchdog = window.setTimeout(() => {
    if (!shown) {
      showFailure();
    }
  }, CONNECT_TIMEOUT_MS);
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
    // Voila's websocket lets comm, comm-info, kernel-info and shutdown messages
    // through; comms over subshells would need create_subshell_request.
    commsOverSubshells: CommsOverSubshells.Disabled,
  });
  // A kernel already gone (culled, server restarted) is said at once.
  kernelUrl = `${config.baseUrl}api/kernels/${config.kernelId}`;
  kernelGone().then((gone) => gone && showFailure()).catch(() => { /* offline: the websocket will tell */ });
  // A closed tab gives its kernel back at once.  keepalive lets the request
  // outlive the page; as a CORS-mode fetch it carries the page's Origin even
  // under Referrer-Policy: no-referrer (a beacon would send "Origin: null",
  // which the server refuses).  The _xsrf cookie is set by the page itself
  // (workbook/serve.py, AppPage).  pagehide: phones often skip beforeunload.
  let released = false;
  const release = () => {
    if (released) {
      return;
    }
    released = true;
    fetch(`${config.baseUrl}voila/api/shutdown/${config.kernelId}`, {
      method: 'POST',
      keepalive: true,
      credentials: 'same-origin',
      headers: { 'X-XSRFToken': xsrfToken() },
    }).catch(() => { /* the idle culler frees it later */ });
  };
  window.addEventListener('beforeunload', release);
  window.addEventListener('pagehide', release);
  const manager = new KernelWidgetManager(kernel);
  let loaded = false;
  kernel.connectionStatusChanged.connect((_kernel, status) => {
    if (status === 'disconnected') {
      showFailure(); // the retries are used up, or the server closed the connection for good
    } else if (status === 'connecting' && loaded) {
      // Lost and retrying: pointless if the kernel is gone (culled while idle).
      kernelGone().then((gone) => gone && showStopped(IDLE)).catch(() => { /* offline: the retries go on */ });
    } else if (status === 'connected' && loaded) {
      // Back after a blip: messages sent while the socket was half dead may be
      // lost, so fetch every widget's state again (known models are updated).
      manager._loadFromKernel().catch((error) => console.error('workbook: reloading widgets failed', error));
    }
  });
  // A kernel culled while the page sat idle: the server shuts it down but
  // keeps the websocket open.  Its shutdown_reply still reaches us, and after
  // that any message of ours goes unanswered; either makes us ask the server
  // whether the kernel still exists.
  const unanswered = new Set();
  let waiting = null;
  const checkGone = () => {
    kernelGone().then((gone) => gone && showStopped(IDLE)).catch(() => { /* offline for a moment */ });
  };
  kernel.anyMessage.connect((_kernel, { direction, msg }) => {
    if (!loaded) {
      return;
    }
    if (direction === 'send') {
      unanswered.add(msg.header.msg_id);
      if (waiting === null) {
        waiting = window.setTimeout(() => {
          waiting = null;
          if (unanswered.size > 0) {
            unanswered.clear();
            checkGone();
          }
        }, 3000);
      }
    } else if (msg.header.msg_type === 'shutdown_reply') {
      window.setTimeout(checkGone, 500); // the server forgets the kernel just after
    } else {
      unanswered.delete(msg.parent_header && msg.parent_header.msg_id);
    }
  });
  kernel.statusChanged.connect((_kernel, status) => {
    if (status === 'autorestarting' || status === 'restarting' || status === 'dead') {
      showStopped('This page has stopped working on the server. Your saved answers are kept: '
        + 'reload the page to carry on.');
    }
  });
  await manager._loadFromKernel();
  loaded = true;
  const outputs = document.querySelectorAll('script[type="application/vnd.voila.cell-output+json"]');
  let views = 0;
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
    views += 1;
  }
  if (views === 0) {
    throw new Error('the notebook showed no widget');
  }
  window.clearTimeout(watchdog);
  showPage();
}

main().catch((error) => {
  console.error('workbook: the page could not start', error);
  showFailure();
});
