//! Block geometry on the canvas, computed from data so edges, hit-testing and the minimap
//! never measure the DOM. The CSS in style/canvas.css uses the same numbers.

use crate::domain::flow::{Block, Point};

pub const BLOCK_WIDTH: f64 = 264.0;
pub const HEADER_HEIGHT: f64 = 44.0;
pub const PORT_ROW_HEIGHT: f64 = 28.0;
/// Space under the port rows for the block's summary line(s).
pub const BODY_HEIGHT: f64 = 64.0;
pub const GRID: f64 = 16.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Input,
    Output,
}

/// An axis-aligned rectangle in canvas coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn contains(&self, p: Point) -> bool {
        p.x >= self.x && p.x <= self.x + self.w && p.y >= self.y && p.y <= self.y + self.h
    }

    pub fn intersects(&self, o: &Rect) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }

    /// The smallest rectangle holding both.
    pub fn union(&self, o: &Rect) -> Rect {
        let x = self.x.min(o.x);
        let y = self.y.min(o.y);
        Rect { x, y, w: (self.x + self.w).max(o.x + o.w) - x, h: (self.y + self.h).max(o.y + o.h) - y }
    }

    /// A rectangle from two corners in any order (a rubber band).
    pub fn from_corners(a: Point, b: Point) -> Rect {
        Rect { x: a.x.min(b.x), y: a.y.min(b.y), w: (a.x - b.x).abs(), h: (a.y - b.y).abs() }
    }
}

pub fn port_rows(block: &Block) -> usize {
    block.input_ports().len().max(block.output_ports().len())
}

pub fn block_height(block: &Block) -> f64 {
    HEADER_HEIGHT + port_rows(block) as f64 * PORT_ROW_HEIGHT + BODY_HEIGHT
}

pub fn block_rect(block: &Block) -> Rect {
    Rect { x: block.position.x, y: block.position.y, w: BLOCK_WIDTH, h: block_height(block) }
}

/// Where an edge attaches: the middle of the port's row, on the block's left or right edge.
pub fn port_anchor(block: &Block, side: Side, port: &str) -> Option<Point> {
    let ports = match side {
        Side::Input => block.input_ports(),
        Side::Output => block.output_ports(),
    };
    let row = ports.iter().position(|p| p.name == port)?;
    let x = match side {
        Side::Input => block.position.x,
        Side::Output => block.position.x + BLOCK_WIDTH,
    };
    Some(Point::new(x, block.position.y + HEADER_HEIGHT + (row as f64 + 0.5) * PORT_ROW_HEIGHT))
}

/// An SVG path for an edge: a horizontal S-curve from an output to an input.
pub fn edge_path(from: Point, to: Point) -> String {
    let dx = ((to.x - from.x).abs() * 0.5).clamp(40.0, 240.0);
    format!(
        "M {:.1} {:.1} C {:.1} {:.1}, {:.1} {:.1}, {:.1} {:.1}",
        from.x,
        from.y,
        from.x + dx,
        from.y,
        to.x - dx,
        to.y,
        to.x,
        to.y
    )
}

pub fn snap(v: f64) -> f64 {
    (v / GRID).round() * GRID
}

/// The bounding box of all blocks, or None for an empty flow.
pub fn bounds<'a>(blocks: impl IntoIterator<Item = &'a Block>) -> Option<Rect> {
    blocks.into_iter().map(block_rect).reduce(|a, b| a.union(&b))
}

/// Pan and zoom of the canvas: screen = canvas * zoom + offset.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    pub x: f64,
    pub y: f64,
    pub zoom: f64,
}

impl Default for Viewport {
    fn default() -> Self {
        Viewport { x: 0.0, y: 0.0, zoom: 1.0 }
    }
}

pub const MIN_ZOOM: f64 = 0.1;
pub const MAX_ZOOM: f64 = 2.5;

impl Viewport {
    pub fn to_canvas(&self, screen: Point) -> Point {
        Point::new((screen.x - self.x) / self.zoom, (screen.y - self.y) / self.zoom)
    }

    pub fn to_screen(&self, canvas: Point) -> Point {
        Point::new(canvas.x * self.zoom + self.x, canvas.y * self.zoom + self.y)
    }

    /// Zooms by `factor` keeping the canvas point under `screen_anchor` still.
    pub fn zoom_at(&self, factor: f64, screen_anchor: Point) -> Viewport {
        let zoom = (self.zoom * factor).clamp(MIN_ZOOM, MAX_ZOOM);
        let c = self.to_canvas(screen_anchor);
        Viewport { x: screen_anchor.x - c.x * zoom, y: screen_anchor.y - c.y * zoom, zoom }
    }

    /// The viewport that shows `rect` centred in a `w`×`h` screen with `pad` pixels around.
    pub fn fit(rect: Rect, w: f64, h: f64, pad: f64) -> Viewport {
        if rect.w <= 0.0 || rect.h <= 0.0 || w <= 2.0 * pad || h <= 2.0 * pad {
            return Viewport::default();
        }
        let zoom = ((w - 2.0 * pad) / rect.w).min((h - 2.0 * pad) / rect.h).clamp(MIN_ZOOM, 1.0);
        Viewport { x: (w - rect.w * zoom) / 2.0 - rect.x * zoom, y: (h - rect.h * zoom) / 2.0 - rect.y * zoom, zoom }
    }

    /// Fits `rect` into the part of a `w`×`h` screen below `top` (a banner over the canvas),
    /// never below `min_zoom`, where card text is still readable. A flow too big for that
    /// is shown from its start (the left edge, top first); the minimap shows the rest.
    pub fn fit_readable(rect: Rect, w: f64, h: f64, pad: f64, top: f64, min_zoom: f64) -> Viewport {
        let avail_h = h - top;
        if rect.w <= 0.0 || rect.h <= 0.0 || w <= 2.0 * pad || avail_h <= 2.0 * pad {
            return Viewport::fit(rect, w, h, pad);
        }
        let fit = ((w - 2.0 * pad) / rect.w).min((avail_h - 2.0 * pad) / rect.h);
        let zoom = fit.clamp(min_zoom.min(1.0), 1.0).max(MIN_ZOOM);
        let x = if rect.w * zoom <= w - 2.0 * pad { (w - rect.w * zoom) / 2.0 } else { pad };
        let y = if rect.h * zoom <= avail_h - 2.0 * pad { top + (avail_h - rect.h * zoom) / 2.0 } else { top + pad };
        Viewport { x: x - rect.x * zoom, y: y - rect.y * zoom, zoom }
    }

    /// The part of the canvas visible in a `w`×`h` screen.
    pub fn visible(&self, w: f64, h: f64) -> Rect {
        let a = self.to_canvas(Point::new(0.0, 0.0));
        Rect { x: a.x, y: a.y, w: w / self.zoom, h: h / self.zoom }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::examples::starter_flow;
    use crate::domain::flow::BlockId;

    #[test]
    fn anchors_follow_port_rows() {
        let flow = starter_flow(0);
        let prompt = flow.block(&BlockId::new("prompt-1")).unwrap();
        let a = port_anchor(prompt, Side::Input, "email").unwrap();
        assert_eq!(a, Point::new(360.0, 136.0 + HEADER_HEIGHT + PORT_ROW_HEIGHT / 2.0));
        let o = port_anchor(prompt, Side::Output, "text").unwrap();
        assert_eq!(o.x, 360.0 + BLOCK_WIDTH);
        assert_eq!(port_anchor(prompt, Side::Input, "nope"), None);
    }

    #[test]
    fn zoom_keeps_the_anchor_still() {
        let v = Viewport { x: 30.0, y: -20.0, zoom: 0.8 };
        let anchor = Point::new(400.0, 300.0);
        let before = v.to_canvas(anchor);
        let z = v.zoom_at(1.5, anchor);
        let after = z.to_canvas(anchor);
        assert!((before.x - after.x).abs() < 1e-9 && (before.y - after.y).abs() < 1e-9);
        assert_eq!(v.zoom_at(1000.0, anchor).zoom, MAX_ZOOM);
    }

    #[test]
    fn fit_shows_everything() {
        let flow = starter_flow(0);
        let b = bounds(&flow.blocks).unwrap();
        let v = Viewport::fit(b, 1000.0, 600.0, 40.0);
        let vis = v.visible(1000.0, 600.0);
        assert!(vis.x <= b.x && vis.y <= b.y && vis.x + vis.w >= b.x + b.w && vis.y + vis.h >= b.y + b.h);
    }

    #[test]
    fn fit_readable_keeps_a_floor_and_clears_the_banner() {
        let wide = Rect { x: 0.0, y: 0.0, w: 3000.0, h: 300.0 };
        let v = Viewport::fit_readable(wide, 800.0, 600.0, 40.0, 0.0, 0.7);
        assert!((v.zoom - 0.7).abs() < 1e-9);
        // Shown from its left edge.
        assert!((v.to_screen(Point::new(0.0, 0.0)).x - 40.0).abs() < 1e-9);
        let small = Rect { x: 100.0, y: 100.0, w: 300.0, h: 200.0 };
        let v = Viewport::fit_readable(small, 800.0, 600.0, 40.0, 120.0, 0.7);
        // Nothing above the banner's bottom.
        assert!(v.to_screen(Point::new(100.0, 100.0)).y >= 120.0 + 40.0 - 1e-9);
        assert!(v.zoom <= 1.0);
    }

    #[test]
    fn free_spot_avoids_blocks_and_stays_in_view() {
        let view = Rect { x: 0.0, y: 0.0, w: 1200.0, h: 800.0 };
        let mut taken = Vec::new();
        let mut spots = Vec::new();
        for _ in 0..5 {
            let p = free_spot(&taken, Point::new(400.0, 300.0), BLOCK_WIDTH, 136.0, view);
            let r = Rect { x: p.x, y: p.y, w: BLOCK_WIDTH, h: 136.0 };
            assert!(!taken.iter().any(|t: &Rect| t.intersects(&r)), "{p:?} overlaps");
            assert!(p.x >= 0.0 && p.y >= 0.0 && p.x + r.w <= 1200.0 && p.y + r.h <= 800.0, "{p:?} out of view");
            taken.push(r);
            spots.push(p);
        }
        assert_eq!(spots[0], Point::new(400.0, 304.0));
    }

    #[test]
    fn rect_geometry() {
        let r = Rect::from_corners(Point::new(10.0, 10.0), Point::new(0.0, 0.0));
        assert_eq!(r, Rect { x: 0.0, y: 0.0, w: 10.0, h: 10.0 });
        assert!(r.contains(Point::new(5.0, 5.0)) && !r.contains(Point::new(11.0, 5.0)));
        assert!(r.intersects(&Rect { x: 9.0, y: 9.0, w: 5.0, h: 5.0 }));
        assert!(!r.intersects(&Rect { x: 11.0, y: 0.0, w: 5.0, h: 5.0 }));
        assert_eq!(snap(23.0), 16.0);
        assert_eq!(snap(25.0), 32.0);
    }
}

/// Where a new block of size `w`×`h` goes: the free spot nearest `preferred` (its top-left)
/// that overlaps no block in `taken` (with a gap), preferring spots inside `view` so the
/// new block is seen. Candidates walk outwards on a grid of one block step.
pub fn free_spot(taken: &[Rect], preferred: Point, w: f64, h: f64, view: Rect) -> Point {
    const GAP: f64 = 32.0;
    let step_x = snap(w / 2.0 + GAP);
    let step_y = snap(h / 2.0 + GAP);
    let clear = |p: Point| {
        let r = Rect { x: p.x - GAP / 2.0, y: p.y - GAP / 2.0, w: w + GAP, h: h + GAP };
        !taken.iter().any(|t| t.intersects(&r))
    };
    let inside = |p: Point| p.x >= view.x && p.y >= view.y && p.x + w <= view.x + view.w && p.y + h <= view.y + view.h;
    let mut outside_candidate = None;
    for ring in 0..12i32 {
        for dy in -ring..=ring {
            for dx in -ring..=ring {
                if dx.abs() != ring && dy.abs() != ring {
                    continue;
                }
                let p = Point::new(snap(preferred.x + dx as f64 * step_x), snap(preferred.y + dy as f64 * step_y));
                if !clear(p) {
                    continue;
                }
                if inside(p) {
                    return p;
                }
                outside_candidate.get_or_insert(p);
            }
        }
    }
    outside_candidate.unwrap_or(Point::new(snap(preferred.x), snap(preferred.y)))
}

/// Blocks whose rectangle meets `rect` (rubber-band selection), in flow order.
pub fn blocks_in_rect<'a>(
    blocks: impl IntoIterator<Item = &'a Block>,
    rect: &Rect,
) -> Vec<crate::domain::flow::BlockId> {
    blocks.into_iter().filter(|b| block_rect(b).intersects(rect)).map(|b| b.id.clone()).collect()
}

#[cfg(test)]
mod rect_tests {
    use super::*;
    use crate::domain::examples::starter_flow;

    #[test]
    fn rubber_band_picks_touching_blocks() {
        let flow = starter_flow(0);
        let band = Rect::from_corners(Point::new(0.0, 0.0), Point::new(400.0, 400.0));
        let ids: Vec<String> = blocks_in_rect(&flow.blocks, &band).into_iter().map(|i| i.0).collect();
        assert_eq!(ids, ["input-1", "prompt-1"]);
    }
}
