//! Shared widgets every feature may use: icons, the dialog shell, menus, markdown output, the
//! template editor, and loading a feature on first use (`lazy`).

pub(crate) mod icons;
pub(crate) mod lazy;
pub(crate) mod markdown_view;
pub(crate) mod menu;
pub(crate) mod modal;
pub(crate) mod template_editor;
