//! The canvas: pan and zoom, block cards, edges, the minimap and the block palette.

pub(crate) mod block_card;
#[allow(clippy::module_inception)] // the folder is named after its main file
pub(crate) mod canvas;
mod card_text;
pub(crate) mod edge_view;
pub(crate) mod fit;
mod gestures;
pub(crate) mod minimap;
pub(crate) mod palette;
