//! Inline SVG icons shipped with the app, so no icon depends on the fonts a machine has
//! installed (a glyph missing from the font draws an empty box). 24×24 grid, drawn with
//! `currentColor` strokes so they follow the theme and the button's colour.

use leptos::prelude::*;

/// The path data of each icon (one or more subpaths; stroked, not filled).
fn paths(name: &str) -> &'static [&'static str] {
    match name {
        // Block kinds.
        "input" => &["M4 7h16v10H4z", "M8 11h5", "M8 14h8"],
        "prompt" => &["M12 3l2.2 5.8L20 11l-5.8 2.2L12 19l-2.2-5.8L4 11l5.8-2.2z"],
        "output" => &["M4 5h16v14H4z", "M8 10l3 3 5-5"],
        "note" => &["M5 4h14v11l-5 5H5z", "M14 20v-5h5", "M8 9h8", "M8 12h5"],
        "tool" => &["M14.5 5.5a4 4 0 0 0 4.9 4.9L12 17.8 9.2 20.6a2 2 0 0 1-2.8-2.8L9.2 15l7.4-7.4a4 4 0 0 0-2.1-2.1z"],
        "loop" => &["M17 2l4 4-4 4", "M3 11V9a3 3 0 0 1 3-3h15", "M7 22l-4-4 4-4", "M21 13v2a3 3 0 0 1-3 3H3"],
        "retrieve" => &["M10.5 4a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13z", "M15.5 15.5L20 20"],
        "transcribe" => &["M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3z", "M5 11a7 7 0 0 0 14 0", "M12 18v3"],
        "router" => &["M4 12h6", "M10 12l4-6h6", "M10 12l4 6h6", "M17 3l3 3-3 3", "M17 15l3 3-3 3"],
        "transform" => &["M4 7h11", "M12 4l3 3-3 3", "M20 17H9", "M12 14l-3 3 3 3"],
        "approval" => &["M12 3l7 3v5c0 4.5-3 8-7 10-4-2-7-5.5-7-10V6z", "M8.5 12l2.5 2.5 4.5-5"],
        // Toolbar and menus.
        "chat" => &["M4 5h16v11H9l-5 4z", "M8 9h8", "M8 12h5"],
        "undo" => &["M9 14L4 9l5-5", "M4 9h10a6 6 0 0 1 0 12h-3"],
        "redo" => &["M15 14l5-5-5-5", "M20 9H10a6 6 0 0 0 0 12h3"],
        "play" => &["M7 4.5v15l12-7.5z"],
        "stop" => &["M6 6h12v12H6z"],
        "present" => &["M3 4h18v12H3z", "M12 16v4", "M8 20h8", "M10 8l4 2-4 2z"],
        // Sliders, not a cog: a cog drawn at 16 px looks like the sun of the theme button.
        "settings" => &["M4 7h9", "M17 7h3", "M15 5v4", "M4 17h3", "M11 17h9", "M9 15v4"],
        "help" => &[
            "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z",
            "M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.6v.6",
            "M12 17h.01",
        ],
        "sun" => &[
            "M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8z",
            "M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4",
        ],
        "moon" => &["M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5z"],
        "more" => &["M5 12h.01", "M12 12h.01", "M19 12h.01"],
        "chevron" => &["M6 9l6 6 6-6"],
        "prev" => &["M15 5l-7 7 7 7"],
        "next" => &["M9 5l7 7-7 7"],
        "rename" => &["M4 20h4L19 9l-4-4L4 16z", "M13.5 6.5l4 4"],
        "duplicate" => &["M9 9h11v11H9z", "M5 15H4V4h11v1"],
        "trash" => &["M4 7h16", "M10 11v6M14 11v6", "M6 7l1 13h10l1-13", "M9 7V4h6v3"],
        "close" => &["M6 6l12 12", "M18 6L6 18"],
        "import" => &["M12 4v11", "M7 10l5 5 5-5", "M4 20h16"],
        "export" => &["M12 15V4", "M7 9l5-5 5 5", "M4 20h16"],
        "knowledge" => &["M4 5a2 2 0 0 1 2-2h13v16H6a2 2 0 0 0-2 2z", "M4 21V5", "M8 7h7"],
        "versions" => &["M12 7v5l3 2", "M3.5 12a8.5 8.5 0 1 0 2.5-6", "M3 4v4h4"],
        "share" => &["M12 3v12", "M8 7l4-4 4 4", "M5 12v8h14v-8"],
        "shield" => &["M12 3l8 3v6c0 4.5-3.4 7.8-8 9-4.6-1.2-8-4.5-8-9V6z", "M9 12l2 2 4-4"],
        "evaluate" => &["M4 20V10", "M10 20V4", "M16 20v-7", "M22 20H2"],
        "thumb-up" => &[
            "M7 10v11",
            "M7 10l4-8a2.5 2.5 0 0 1 2.5 3L13 9h5.5a2 2 0 0 1 2 2.3l-1.3 7.7a2 2 0 0 1-2 1.7H7",
            "M3 10h4v11H3z",
        ],
        "thumb-down" => &[
            "M17 14V3",
            "M17 14l-4 8a2.5 2.5 0 0 1-2.5-3L11 15H5.5a2 2 0 0 1-2-2.3l1.3-7.7a2 2 0 0 1 2-1.7H17",
            "M21 14h-4V3h4z",
        ],
        "flow" => &["M4 5h6v5H4z", "M14 14h6v5h-6z", "M10 7.5h2a2 2 0 0 1 2 2v4.5"],
        "warning" => &["M12 3L2 20h20z", "M12 10v4", "M12 17h.01"],
        _ => &["M5 5h14v14H5z"],
    }
}

/// An icon for decoration: hidden from assistive technology (the button carries the name).
#[component]
pub fn Icon(name: &'static str, #[prop(default = 16)] size: u32) -> impl IntoView {
    let stroke_width = if matches!(name, "more") { "3.2" } else { "2" };
    view! {
        <svg class=format!("icon icon-{name}") width=size height=size viewBox="0 0 24 24" fill="none"
            stroke="currentColor" stroke-width=stroke_width stroke-linecap="round" stroke-linejoin="round"
            aria-hidden="true" focusable="false">
            {paths(name).iter().map(|d| view! { <path d=*d /> }).collect_view()}
        </svg>
    }
}
