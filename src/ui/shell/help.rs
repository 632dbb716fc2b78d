//! The keyboard shortcuts dialog (press ?).

use crate::ui::widgets::modal::Modal;
use leptos::prelude::*;

const SHORTCUTS: &[(&str, &str)] = &[
    ("Drag the background", "Pan"),
    ("Space + drag", "Pan from anywhere"),
    ("Scroll", "Pan"),
    ("Ctrl/\u{2318} + scroll, pinch", "Zoom"),
    ("Shift + drag", "Select with a rectangle"),
    ("Click, Shift + click", "Select, add to selection"),
    ("Drag from an output to an input", "Connect"),
    ("Drag a connected input away", "Disconnect or reconnect"),
    ("Delete / Backspace", "Delete the selection"),
    ("Ctrl/\u{2318} + A", "Select all"),
    ("Ctrl/\u{2318} + C, X, V", "Copy, cut, paste (also between flows and tabs)"),
    ("Ctrl/\u{2318} + D", "Duplicate"),
    ("Arrow keys (Shift: further)", "Nudge"),
    ("Ctrl/\u{2318} + Z", "Undo"),
    ("Ctrl/\u{2318} + Shift + Z, Ctrl + Y", "Redo"),
    ("Escape", "Clear the selection, close dialogs"),
    ("?", "This help"),
];

#[component]
pub fn HelpDialog(open: RwSignal<bool>) -> impl IntoView {
    view! {
        <Modal open=open label="Keyboard shortcuts" title="Keyboard shortcuts" close_label="Close">
                    <table class="shortcuts">
                        <tbody>
                            {SHORTCUTS.iter().map(|(keys, what)| view! {
                                <tr><td class="keys">{*keys}</td><td>{*what}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
        </Modal>
    }
}
