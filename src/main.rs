//! Mounts the app. Everything else lives in the library so tests can import it.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(chainboard::ui::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("Chainboard runs in the browser: use `make serve` (see README.md).");
}
