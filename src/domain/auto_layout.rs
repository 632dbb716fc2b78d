//! Tidy a flow left to right: each block goes in the column after its deepest input,
//! and rows are ordered to keep edges short (one barycentre pass per column).

use crate::domain::change::FlowChange;
use crate::domain::flow::{BlockId, Flow, Point};
use crate::domain::layout::{block_height, BLOCK_WIDTH};
use std::collections::HashMap;

const COLUMN_GAP: f64 = 80.0;
const ROW_GAP: f64 = 32.0;

/// The moves that tidy the flow (one undo step), or None if it is already tidy or has a
/// loop (validation reports loops; layout leaves such flows alone).
pub fn auto_layout(flow: &Flow) -> Option<FlowChange> {
    let order = crate::domain::graph::topological_order(flow).ok()?;
    let mut column: HashMap<&BlockId, usize> = HashMap::new();
    for id in &order {
        let depth = flow
            .edges
            .iter()
            .filter(|e| &e.to.block == id)
            .filter_map(|e| column.get(&e.from.block))
            .map(|c| c + 1)
            .max()
            .unwrap_or(0);
        column.insert(id, depth);
    }
    let columns = column.values().copied().max().map_or(0, |m| m + 1);
    let mut by_column: Vec<Vec<&BlockId>> = vec![Vec::new(); columns];
    for id in &order {
        if let Some(&c) = column.get(id) {
            by_column[c].push(id);
        }
    }
    let origin = crate::domain::layout::bounds(&flow.blocks).map_or(Point::default(), |b| Point::new(b.x, b.y));
    let mut row_of: HashMap<&BlockId, f64> = HashMap::new();
    let mut moves = Vec::new();
    for (c, ids) in by_column.iter_mut().enumerate() {
        // Order by the average row of the blocks feeding each one.
        let key = |id: &BlockId| -> f64 {
            let rows: Vec<f64> = flow
                .edges
                .iter()
                .filter(|e| &e.to.block == id)
                .filter_map(|e| row_of.get(&e.from.block))
                .copied()
                .collect();
            if rows.is_empty() {
                f64::MAX
            } else {
                rows.iter().sum::<f64>() / rows.len() as f64
            }
        };
        let mut keyed: Vec<(f64, usize, &BlockId)> = ids.iter().enumerate().map(|(i, id)| (key(id), i, *id)).collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut y = origin.y;
        for (row, (_, _, id)) in keyed.into_iter().enumerate() {
            row_of.insert(id, row as f64);
            let Some(block) = flow.block(id) else { continue };
            let to = Point::new(origin.x + c as f64 * (BLOCK_WIDTH + COLUMN_GAP), y);
            y += block_height(block) + ROW_GAP;
            if block.position != to {
                moves.push(FlowChange::MoveBlock { id: id.clone(), to });
            }
        }
    }
    (!moves.is_empty()).then_some(FlowChange::Batch(moves))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::change::apply;
    use crate::domain::examples::starter_flow;
    use crate::domain::layout::block_rect;

    #[test]
    fn columns_follow_dependencies_and_nothing_overlaps() {
        let mut flow = starter_flow(0);
        for b in &mut flow.blocks {
            b.position = Point::new(500.0, 500.0);
        }
        let change = auto_layout(&flow).unwrap();
        apply(&mut flow, change).unwrap();
        let x = |id: &str| flow.block(&BlockId::new(id)).unwrap().position.x;
        assert!(x("input-1") < x("prompt-1") && x("prompt-1") < x("output-1"));
        for a in &flow.blocks {
            for b in &flow.blocks {
                if a.id != b.id {
                    assert!(!block_rect(a).intersects(&block_rect(b)), "{} overlaps {}", a.id, b.id);
                }
            }
        }
        assert_eq!(auto_layout(&flow), None, "already tidy");
    }
}
