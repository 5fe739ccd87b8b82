// Loads the wasm dashboard (a file of its own: the page's CSP allows no inline script).
import init from "/assets/xeno_dashboard.js";
init({ module_or_path: "/assets/xeno_dashboard_bg.wasm" });
