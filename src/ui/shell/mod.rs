//! The app shell: layout, top bar, flow list, gallery, versions and the shortcuts dialog.

pub(crate) mod app;
mod banners;
pub(crate) mod flows_menu;
pub(crate) mod gallery;
pub(crate) mod help;
mod shortcuts;
pub(crate) mod topbar;
pub(crate) mod versions_ui;
