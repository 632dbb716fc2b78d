//! Features loaded on first use.
//!
//! A feature's view lives behind a `#[wasm_split(<group>, fallible)]` function, so its code goes
//! into its own wasm module that the browser fetches the first time the feature opens (see
//! scripts/post-build.sh and docs/ARCHITECTURE.md). `LoadOnFirstOpen` mounts that view once and
//! keeps it: closing a dialog hides it, as before. If the module cannot be fetched (offline, a
//! deploy in between) the user gets a message with Try again instead of a panic, which would
//! end the app.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
use leptos::reactive::computed::ScopedFuture;

use super::modal::Modal;

/// A feature module could not be fetched. The loader already logged the cause; the user is
/// told in words and may retry (a failed load is not remembered, so a retry fetches again).
#[derive(Clone, Copy, Debug)]
pub struct ChunkError;

impl From<leptos::wasm_split::SplitLoaderError> for ChunkError {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        ChunkError
    }
}

/// What a split function's caller gets: the feature's view, or why its module did not arrive.
pub type LazyView = Pin<Box<dyn Future<Output = Result<AnyView, ChunkError>>>>;

#[derive(Clone, Copy, PartialEq)]
enum Phase {
    Waiting,
    Loading,
    Failed,
    Ready,
}

/// What starts (or retries) a load: fetches the module, builds the view under the caller's
/// owner (so the feature's effects and contexts belong to the component, and reading signals
/// while it builds subscribes nothing), and records the outcome in `phase`.
fn starter(
    phase: RwSignal<Phase>,
    loaded: StoredValue<Option<AnyView>, LocalStorage>,
    load: impl Fn() -> LazyView + Copy + 'static,
) -> impl Fn() + Copy + 'static {
    let owner = StoredValue::new(Owner::current().unwrap_or_default());
    move || {
        phase.set(Phase::Loading);
        let fetch = ScopedFuture { owner: owner.get_value(), observer: None, fut: load() };
        leptos::task::spawn_local(async move {
            match fetch.await {
                Ok(view) => {
                    loaded.set_value(Some(view));
                    phase.set(Phase::Ready);
                }
                Err(ChunkError) => phase.set(Phase::Failed),
            }
        });
    }
}

/// Mounts `load()`'s view the first time `open` is true, then keeps it mounted.
#[component]
pub fn LoadOnFirstOpen(
    /// The feature's own open/closed state; the loaded view reads it too.
    open: RwSignal<bool>,
    /// The feature's name in the loading and failure messages ("Evaluate").
    what: &'static str,
    /// Calls the feature's split function.
    load: fn() -> LazyView,
) -> impl IntoView {
    let phase = RwSignal::new(Phase::Waiting);
    // A view is not `Send`, so it waits in local storage for the one render that takes it.
    let loaded = StoredValue::<Option<AnyView>, LocalStorage>::new_local(None);
    // The feature's effects and contexts belong to this component, not to the effect below
    // (which re-runs, and would dispose them), and reading signals while it builds must not
    // subscribe anything.
    let start = starter(phase, loaded, load);
    Effect::new(move |_| {
        if open.get() && phase.get_untracked() == Phase::Waiting {
            start();
        }
    });
    let ready = Memo::new(move |_| phase.get() == Phase::Ready);
    view! {
        {move || {
            if ready.get() {
                loaded.try_update_value(Option::take).flatten().unwrap_or_else(|| ().into_any())
            } else {
                ().into_any()
            }
        }}
        // Until the module is in, the feature's place says that it is opening, or why it did
        // not; once mounted, the feature's own dialog takes over (still open).
        <Show when=move || !ready.get()>
            <Modal open label=what title=what close_label="Close">
                <Show
                    when=move || phase.get() == Phase::Failed
                    fallback=move || view! { <p class="lazy-loading" role="status">"Opening " {what} "…"</p> }
                >
                    <div class="lazy-failed" role="alert">
                        <p>{format!("{what} could not be loaded. Check the connection, then try again.")}</p>
                        <p class="lazy-safe">"Your flow and its results are safe: nothing was changed."</p>
                    </div>
                    <div class="lazy-actions">
                        <button class="button" on:click=move |_| open.set(false)>"Close"</button>
                        <button class="button button-primary" on:click=move |_| start()>"Try again"</button>
                    </div>
                </Show>
            </Modal>
        </Show>
    }
}

/// Declares `$lazy`, a component that mounts the dialog component `$dialog` the first time
/// `$open` (an `RwSignal<bool>`) is true, with `$dialog`'s code in the wasm module `$group`.
/// Groups are few on purpose: code that several groups share goes into a module of its own per
/// combination of groups, so many small groups mean many small fetches when one opens.
/// `$dialog` must not be used anywhere else, or its code stays in the main module.
macro_rules! load_on_first_open {
    ($group:ident, $lazy:ident, $build:ident, $dialog:ident, $what:literal, $open:expr) => {
        #[component]
        pub fn $lazy() -> impl IntoView {
            // `$build` names the split function: the splitter links by name, so each needs its own.
            #[leptos::wasm_split::wasm_split($group, fallible, wasm_split_path = ::leptos::wasm_split)]
            fn $build() -> Result<AnyView, $crate::ui::widgets::lazy::ChunkError> {
                Ok(view! { <$dialog /> }.into_any())
            }
            let open: RwSignal<bool> = $open;
            let load: fn() -> $crate::ui::widgets::lazy::LazyView = || Box::pin($build());
            view! { <$crate::ui::widgets::lazy::LoadOnFirstOpen open what=$what load /> }
        }
    };
}
pub(crate) use load_on_first_open;

/// Shows `load()`'s view in place (an inspector section): a quiet line while its module
/// arrives, or a message with Try again if it does not.
pub fn load_here(what: &'static str, load: impl Fn() -> LazyView + Copy + Send + Sync + 'static) -> impl IntoView {
    let phase = RwSignal::new(Phase::Loading);
    let loaded = StoredValue::<Option<AnyView>, LocalStorage>::new_local(None);
    let start = starter(phase, loaded, load);
    start();
    move || match phase.get() {
        Phase::Ready => loaded.try_update_value(Option::take).flatten().unwrap_or_else(|| ().into_any()),
        Phase::Failed => view! {
            <div class="lazy-failed lazy-inline" role="alert">
                <p>{format!("The {what} could not be loaded. Check the connection, then try again.")}</p>
                <button class="button" on:click=move |_| start()>"Try again"</button>
            </div>
        }
        .into_any(),
        Phase::Waiting | Phase::Loading => {
            view! { <p class="lazy-loading lazy-inline" role="status">"Loading the " {what} "…"</p> }.into_any()
        }
    }
}

/// `load_here` for an inspector section built from the selected block's cell: `$name` becomes
/// the split function (its code in the wasm module `$group`); the component `$body` names must
/// not be used anywhere else, or its code stays in the main module.
macro_rules! load_block_settings {
    ($group:ident, $name:ident, $what:literal, $cell:expr, |$c:ident| $body:expr) => {{
        #[leptos::wasm_split::wasm_split($group, fallible, wasm_split_path = ::leptos::wasm_split)]
        fn $name($c: RwSignal<$crate::domain::flow::Block>) -> Result<AnyView, $crate::ui::widgets::lazy::ChunkError> {
            Ok($body.into_any())
        }
        let cell: RwSignal<$crate::domain::flow::Block> = $cell;
        $crate::ui::widgets::lazy::load_here($what, move || Box::pin($name(cell)))
    }};
}
pub(crate) use load_block_settings;
