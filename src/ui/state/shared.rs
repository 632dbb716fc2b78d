//! A shared link being viewed (or a locked one waiting for its password): the state the shell,
//! Evaluate and the app view read; share_ui fills it.

use crate::domain::share::ShareView;
use leptos::prelude::*;

/// A password-locked link: salt, iv and ciphertext, waiting for the password.
pub type Locked = (Vec<u8>, Vec<u8>, Vec<u8>);

/// A shared playground being viewed, or a locked one waiting for its password.
#[derive(Clone, Copy)]
pub struct Shared {
    pub viewing: RwSignal<Option<Vec<String>>>,
    /// The test cases and checks that came with the link being viewed.
    pub suite: RwSignal<Option<crate::domain::evals::suite::EvalSuite>>,
    pub locked: RwSignal<Option<Locked>>,
    pub dialog_open: RwSignal<bool>,
    /// How the link being viewed shows: the app, the canvas or present mode. The viewer
    /// may switch ("How it works", "Open as an app").
    pub view: RwSignal<ShareView>,
}

impl Shared {
    pub fn new() -> Shared {
        Shared {
            viewing: RwSignal::new(None),
            suite: RwSignal::new(None),
            locked: RwSignal::new(None),
            dialog_open: RwSignal::new(false),
            view: RwSignal::new(ShareView::Canvas),
        }
    }

    /// True while a shared link shows as the app.
    pub fn app_on(&self) -> bool {
        self.view.get() == ShareView::App && self.viewing.with(Option::is_some)
    }
}
