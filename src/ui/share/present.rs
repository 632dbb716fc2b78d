//! Present mode: full screen, large type, one block at a time in run order, with what went
//! in and what came out. Run live, or replay the last recorded run at an adjustable speed
//! (so a demo works when the network or key fails in the room). Escape leaves.

use crate::domain::blocks::{BlockConfig, BlockKind};
use crate::domain::engine::RunScope;
use crate::domain::flow::BlockId;
use crate::domain::graph::topological_order;
use crate::domain::recording::replay_prefix;
use crate::ui::platform::platform;
use crate::ui::run::run::Runner;
use crate::ui::state::editor::Editor;
use crate::ui::state::settings::Settings;
use crate::ui::widgets::markdown_view::OutputView;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Present {
    pub on: RwSignal<bool>,
    step: RwSignal<usize>,
    /// When the replay started (ms), or None when showing live results.
    replay_from: RwSignal<Option<f64>>,
    speed: RwSignal<f64>,
    clock: RwSignal<f64>,
}

impl Present {
    pub fn new() -> Present {
        Present {
            on: RwSignal::new(false),
            step: RwSignal::new(0),
            replay_from: RwSignal::new(None),
            speed: RwSignal::new(60.0),
            clock: RwSignal::new(0.0),
        }
    }

    pub fn enter(&self) {
        self.step.set(0);
        self.replay_from.set(None);
        self.on.set(true);
        platform::request_fullscreen();
    }

    /// Enters at the step of block `start` (the first step when it is not one). A shared
    /// link opens this way without fullscreen: browsers allow that only after a click.
    pub fn enter_at(&self, editor: Editor, start: Option<&BlockId>, fullscreen: bool) {
        let ids: Vec<BlockId> = steps(editor).into_iter().map(|(id, _, _)| id).collect();
        self.step.set(crate::domain::try_it::start_step(&ids, start));
        self.replay_from.set(None);
        self.on.set(true);
        if fullscreen {
            platform::request_fullscreen();
        }
    }

    pub fn exit(&self) {
        self.on.set(false);
        self.replay_from.set(None);
        platform::exit_fullscreen();
    }

    fn tick(&self) {
        self.clock.set(platform::now_precise_ms());
        if self.on.get_untracked() && self.replay_from.get_untracked().is_some() {
            let this = *self;
            platform::after_ms(50.0, move || this.tick());
        }
    }

    fn replay(&self) {
        self.replay_from.set(Some(platform::now_precise_ms()));
        self.tick();
    }
}

/// The blocks a presentation steps through: everything that runs, in run order.
pub fn steps(editor: Editor) -> Vec<(BlockId, String, &'static str)> {
    editor.with_flow(|f| {
        let order = topological_order(f).unwrap_or_else(|_| f.blocks.iter().map(|b| b.id.clone()).collect());
        order
            .into_iter()
            .filter_map(|id| {
                let b = f.block(&id)?;
                let kind = match b.config.kind()? {
                    BlockKind::Note => return None,
                    k => k.label(),
                };
                Some((id, b.display_name(), kind))
            })
            .collect()
    })
}

/// The words going into a block before any run: an input's values, a prompt's template.
fn static_input(editor: Editor, id: &BlockId) -> String {
    editor.with_flow(|f| match f.block(id).map(|b| &b.config) {
        Some(BlockConfig::Input(c)) => c.values.iter().map(|v| v.value.clone()).collect::<Vec<_>>().join("\n\n"),
        Some(BlockConfig::Prompt(p)) => p.user.clone(),
        _ => String::new(),
    })
}

pub fn on_key(present: Present, editor: Editor, ev: &web_sys::KeyboardEvent) -> bool {
    if !present.on.get_untracked() {
        return false;
    }
    let count = steps(editor).len();
    match ev.key().as_str() {
        "ArrowRight" | "ArrowDown" | "PageDown" | " " | "Enter" => {
            present.step.update(|s| *s = (*s + 1).min(count.saturating_sub(1)));
        }
        "ArrowLeft" | "ArrowUp" | "PageUp" | "Backspace" => present.step.update(|s| *s = s.saturating_sub(1)),
        "Home" => present.step.set(0),
        "End" => present.step.set(count.saturating_sub(1)),
        "Escape" => present.exit(),
        _ => return false,
    }
    true
}

crate::ui::widgets::lazy::load_on_first_open!(
    modes,
    LazyPresentView,
    build_present_view,
    PresentView,
    "Present",
    expect_context::<Present>().on
);

#[component]
fn PresentView() -> impl IntoView {
    let present = expect_context::<Present>();
    let editor = expect_context::<Editor>();
    let runner = expect_context::<Runner>();
    let settings = expect_context::<Settings>();
    let all_steps = Memo::new(move |_| {
        editor.settled_rev.track();
        steps(editor)
    });
    let current =
        Memo::new(move |_| all_steps.with(|s| s.get(present.step.get().min(s.len().saturating_sub(1))).cloned()));
    let text_for = move |id: &BlockId| -> (String, String, String, bool) {
        // (input, output, status, sample answer) from the replay, the live run, or the flow itself.
        if let Some(start) = present.replay_from.get() {
            let rec = runner.recording.get();
            if let Some(b) = rec.as_ref().and_then(|r| r.get(&id.0)) {
                let elapsed = present.clock.get() - start;
                let out = replay_prefix(&b.output, elapsed, present.speed.get()).to_string();
                let status = if out.len() < b.output.len() { "running".to_string() } else { b.status.clone() };
                let input = if b.input.is_empty() { static_input(editor, id) } else { b.input.clone() };
                return (input, out, status, b.sample);
            }
        }
        let run = runner.run_of(id).get();
        match run {
            Some(r) => {
                let input = r.input_text();
                let input = if input.is_empty() { static_input(editor, id) } else { input };
                let out = match (&r.output, &r.error, &r.route) {
                    // A router's news is where the input went, and why.
                    (_, _, Some(c)) => {
                        let why = c.reason.as_deref().or(c.note.as_deref()).unwrap_or_default();
                        format!("Route: **{}**\n\n{why}", c.route)
                    }
                    (Some(o), _, _) if !o.is_empty() => o.clone(),
                    (_, Some(e), _) => e.clone(),
                    _ => String::new(),
                };
                (input, out, r.status.label().to_string(), r.sample)
            }
            None => (static_input(editor, id), String::new(), "idle".to_string(), false),
        }
    };
    view! {
        <Show when=move || present.on.get()>
            <div class="present" role="dialog" aria-modal="true" aria-label="Presentation">
                <header class="present-bar">
                    <span class="present-title">{move || editor.meta.get().title}</span>
                    <span class="present-count" aria-label="Step number">
                        {move || format!("{} / {}", present.step.get() + 1, all_steps.with(Vec::len).max(1))}
                    </span>
                    <div class="present-actions">
                        <button class="button" aria-label="Previous step" on:click=move |_| present.step.update(|s| *s = s.saturating_sub(1))><crate::ui::widgets::icons::Icon name="prev" /></button>
                        <button class="button" aria-label="Next step"
                            on:click=move |_| present.step.update(|s| *s = (*s + 1).min(all_steps.with(Vec::len).saturating_sub(1)))><crate::ui::widgets::icons::Icon name="next" /></button>
                        <button class="button button-primary" aria-label="Run live" disabled=move || runner.running.get()
                            on:click=move |_| { present.replay_from.set(None); runner.start(editor, settings, RunScope::All); }>"Run live"</button>
                        <button class="button" aria-label="Replay last run" disabled=move || runner.recording.with(Option::is_none)
                            title="Show the last recorded run again, without calling any model"
                            on:click=move |_| present.replay()>"Replay last run"</button>
                        <label class="present-speed">
                            <span>"Speed"</span>
                            <select aria-label="Replay speed" on:change=move |ev| {
                                present.speed.set(event_target_value(&ev).parse().unwrap_or(60.0));
                            }>
                                <option value="30">"Slow"</option>
                                <option value="60" selected>"Normal"</option>
                                <option value="200">"Fast"</option>
                                <option value="100000">"Instant"</option>
                            </select>
                        </label>
                        <button class="button button-quiet" aria-label="Exit presentation" on:click=move |_| present.exit()>"Exit (Esc)"</button>
                    </div>
                </header>
                <ol class="present-steps" aria-label="Steps">
                    {move || all_steps.get().into_iter().enumerate().map(|(i, (id, name, kind))| {
                        let status = move || text_for(&id).2;
                        view! {
                            <li class:active=move || present.step.get() == i>
                                <button on:click=move |_| present.step.set(i) aria-label=format!("Step {}: {}", i + 1, name)>
                                    <span class=move || format!("present-dot status-{}", status())></span>
                                    <span class="present-step-kind">{kind}</span>
                                    <span>{name.clone()}</span>
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ol>
                {move || current.get().map(|(id, name, kind)| {
                    let id2 = id.clone();
                    let texts = Memo::new(move |_| text_for(&id2));
                    view! {
                        <section class="present-card" aria-label=format!("{kind}: {name}")>
                            <p class="present-kind">{kind}</p>
                            <h1 class="present-name">{name.clone()}</h1>
                            <div class="present-io" class:solo=move || texts.with(|t| t.0.trim().is_empty())>
                                <div class="present-in">
                                    <h2>"Goes in"</h2>
                                    <div class="present-text" class:text-unbroken=move || texts.with(|t| crate::domain::markdown::has_unbroken_run(&t.0, 2_000))>{move || texts.get().0}</div>
                                </div>
                                <div class="present-out">
                                    <h2>"Comes out" <span class=move || format!("status-pill status-{}", texts.get().2)>{move || texts.get().2}</span>
                                        <Show when=move || texts.get().3>
                                            " "<span class="sample-badge" title="Written by sample answers, not by a model">{crate::domain::sample::SAMPLE_BADGE}</span>
                                        </Show>
                                    </h2>
                                    // Above the text, so the buttons stay on screen however long the draft is.
                                    {(kind == BlockKind::Approval.label()).then(|| view! { <crate::ui::run::approval::ApprovalActions id=id.clone() /> })}
                                    <div class="present-text" aria-live="polite">
                                        <OutputView text=Signal::derive(move || { let t = texts.get().1; if t.is_empty() { "\u{2014}".to_string() } else { t } }) />
                                    </div>
                                </div>
                            </div>
                        </section>
                    }
                })}
                <p class="present-hint">"\u{2190} \u{2192} or a clicker to step \u{b7} Esc to leave"</p>
            </div>
        </Show>
    }
}
