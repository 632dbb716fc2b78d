//! The smaller eval charts, drawn as SVG nodes: how a model-graded check's scores spread,
//! and each variant's pass rate against its speed (with cost per run in the label).

use crate::domain::engine::format_usd;
use crate::domain::evals::export::{ScoreDistribution, TradeoffPoint};
use crate::domain::evals::stats::percent;
use leptos::prelude::*;

const W: f64 = 560.0;

#[component]
pub fn ScoreChart(dist: ScoreDistribution) -> impl IntoView {
    let h = 150.0;
    let (top, base) = (20.0, 118.0);
    let groups = dist.variants.len().max(1) as f64;
    let slot = (W - 40.0) / groups;
    let max = dist.variants.iter().flat_map(|(_, c)| c.iter().copied()).max().unwrap_or(1).max(1) as f64;
    let label = format!("Scores given for \u{201c}{}\u{201d}, 1 to 5, per variant", dist.check);
    view! {
        <figure class="eval-figure">
            <figcaption>{format!("Scores for \u{201c}{}\u{201d}", dist.check)}</figcaption>
            <svg class="pass-chart" viewBox=format!("0 0 {W} {h}") role="img" aria-label=label>
                {dist.variants.into_iter().enumerate().map(|(g, (name, counts))| {
                    let x0 = 20.0 + slot * g as f64;
                    let bw = (slot - 30.0) / 5.0;
                    view! {
                        {counts.into_iter().enumerate().map(|(i, n)| {
                            let height = (base - top) * n as f64 / max;
                            let x = x0 + i as f64 * bw;
                            view! {
                                <rect class="chart-bar chart-score" x=x.to_string() y=(base - height).to_string()
                                    width=(bw - 3.0).max(1.0).to_string() height=height.to_string() rx="2" />
                                <text class="chart-axis" x=(x + bw / 2.0).to_string() y=(base + 12.0).to_string() text-anchor="middle">{(i + 1).to_string()}</text>
                                {(n > 0).then(|| view! {
                                    <text class="chart-axis" x=(x + bw / 2.0).to_string() y=(base - height - 3.0).to_string() text-anchor="middle">{n.to_string()}</text>
                                })}
                            }
                        }).collect_view()}
                        <text class="chart-label" x=(x0 + (slot - 30.0) / 2.0).to_string() y=(base + 28.0).to_string() text-anchor="middle">{name}</text>
                    }
                }).collect_view()}
            </svg>
        </figure>
    }
}

#[component]
pub fn TradeoffChart(points: Vec<TradeoffPoint>) -> impl IntoView {
    let h = 240.0;
    let (left, right, top, base) = (50.0, W - 20.0, 16.0, 196.0);
    let max_s = points.iter().map(|p| p.median_seconds).fold(0.0, f64::max).max(0.1) * 1.25;
    let x = move |s: f64| left + (right - left) * (s / max_s);
    let y = move |p: f64| base - (base - top) * p.clamp(0.0, 1.0);
    view! {
        <figure class="eval-figure">
            <figcaption>"Quality against speed (cost per run in each label)"</figcaption>
            <svg class="pass-chart" viewBox=format!("0 0 {W} {h}") role="img" aria-label="Pass rate against median seconds per run, per variant">
                {[(0.0, "0%"), (0.5, "50%"), (1.0, "100%")].into_iter().map(|(p, l)| view! {
                    <line class="chart-grid" x1=left.to_string() x2=right.to_string() y1=y(p).to_string() y2=y(p).to_string() />
                    <text class="chart-axis" x=(left - 6.0).to_string() y=(y(p) + 4.0).to_string() text-anchor="end">{l}</text>
                }).collect_view()}
                <text class="chart-axis" x=right.to_string() y=(base + 30.0).to_string() text-anchor="end">"median seconds per run \u{2192}"</text>
                {[0.0, 0.5, 1.0].into_iter().map(|f| view! {
                    <text class="chart-axis" x=x(max_s * f).to_string() y=(base + 14.0).to_string() text-anchor="middle">{if max_s < 1.0 { format!("{:.2}", max_s * f) } else { format!("{:.1}", max_s * f) }}</text>
                }).collect_view()}
                {place_labels(&points, x, y).into_iter().zip(points).map(|((lx, ly, anchor, moved), p)| {
                    let (px, py) = (x(p.median_seconds), y(p.pass_rate));
                    view! {
                        <line class="chart-whisker" x1=px.to_string() x2=px.to_string() y1=y(p.high).to_string() y2=y(p.low).to_string() />
                        <circle class="chart-point" cx=px.to_string() cy=py.to_string() r="6" />
                        {moved.then(|| view! {
                            <line class="chart-grid" x1=px.to_string() y1=py.to_string() x2=lx.to_string() y2=(ly - 4.0).to_string() />
                        })}
                        <text class="chart-value" x=lx.to_string() y=ly.to_string() text-anchor=anchor>
                            {tradeoff_label(&p)}
                        </text>
                    }
                }).collect_view()}
            </svg>
        </figure>
    }
}

fn tradeoff_label(p: &TradeoffPoint) -> String {
    format!("{} \u{b7} {}% \u{b7} {}/run", p.label, percent(p.pass_rate), format_usd(p.cost_per_run_usd))
}

/// Where each point's label goes (x, baseline y, text-anchor, moved away from its point):
/// beside the point, flipped to its left near the right edge, and pushed down a line at a
/// time while it would overlap a label already placed (variants with close results used to
/// print their labels on top of each other).
fn place_labels(
    points: &[TradeoffPoint],
    x: impl Fn(f64) -> f64,
    y: impl Fn(f64) -> f64,
) -> Vec<(f64, f64, &'static str, bool)> {
    const LINE: f64 = 15.0;
    const CHAR: f64 = 6.4;
    let mut order: Vec<usize> = (0..points.len()).collect();
    // Nearest the axis first: its label stays beside its point, the next ones step away.
    order.sort_by(|a, b| {
        let (ya, yb) = (y(points[*a].pass_rate), y(points[*b].pass_rate));
        let far = |v: f64| if v > 120.0 { -v } else { v };
        far(ya).total_cmp(&far(yb))
    });
    let mut placed: Vec<(f64, f64, f64, f64)> = Vec::new(); // left, top, right, bottom
    let mut out = vec![(0.0, 0.0, "start", false); points.len()];
    for i in order {
        let p = &points[i];
        let (px, py) = (x(p.median_seconds), y(p.pass_rate));
        let width = tradeoff_label(p).chars().count() as f64 * CHAR;
        let (left, anchor, lx) = if px + 10.0 + width > W - 4.0 {
            (px - 10.0 - width, "end", px - 10.0)
        } else {
            (px + 10.0, "start", px + 10.0)
        };
        let mut ly = py - 6.0;
        let mut moved = false;
        // Labels of low points move up, away from the axis labels; the others move down.
        let step = if py > 120.0 { -LINE } else { LINE };
        for _ in 0..40 {
            let clash =
                placed.iter().any(|(l, t, r, b)| left < *r && *l < left + width && ly - 11.0 < *b && *t < ly + 3.0);
            if !clash {
                break;
            }
            ly += step;
            moved = true;
        }
        placed.push((left, ly - 11.0, left + width, ly + 3.0));
        out[i] = (lx, ly, anchor, moved);
    }
    out
}
